package dev.strata.index.ivf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KthSmallestTest {

    @Test
    void tracksTheKthSmallestOfEveryPrefixAgainstSorting() {
        SplittableRandom random = new SplittableRandom(8);
        for (int trial = 0; trial < 200; trial++) {
            int k = 1 + random.nextInt(12);
            int n = random.nextInt(60);
            float[] values = new float[n];
            KthSmallest kth = new KthSmallest(k);
            for (int i = 0; i < n; i++) {
                // Few distinct values, so ties are common.
                values[i] = random.nextInt(20) - 5;
                kth.offer(values[i]);
                float[] prefix = Arrays.copyOf(values, i + 1);
                Arrays.sort(prefix);
                float expected = i + 1 < k ? Float.POSITIVE_INFINITY : prefix[k - 1];
                assertEquals(expected, kth.value(), "k " + k + " after " + (i + 1));
            }
        }
    }
}
