package dev.strata.index.ivf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The partial selection that picks the partitions to probe, against a full sort. */
class SelectSmallestTest {

    @Test
    void theFirstNAreTheNSmallest() {
        SplittableRandom random = new SplittableRandom(3);
        for (int trial = 0; trial < 2000; trial++) {
            int size = 1 + random.nextInt(400);
            int n = random.nextInt(size + 1);
            // Distinct keys as the reader builds them: a (often repeated) distance, then an id.
            long[] keys = new long[size];
            for (int i = 0; i < size; i++) {
                keys[i] = ((long) random.nextInt(trial % 2 == 0 ? 8 : 1 << 20) << 32) | i;
            }
            if (trial % 5 == 0) {
                Arrays.sort(keys); // already ordered input
            }
            long[] expected = keys.clone();
            Arrays.sort(expected);
            long[] actual = keys.clone();
            IvfReader.selectSmallest(actual, size, n);
            long[] head = Arrays.copyOf(actual, n);
            Arrays.sort(head);
            assertArrayEquals(Arrays.copyOf(expected, n), head, "size " + size + ", n " + n);
            Arrays.sort(actual);
            assertArrayEquals(expected, actual, "a permutation of the input");
        }
    }
}
