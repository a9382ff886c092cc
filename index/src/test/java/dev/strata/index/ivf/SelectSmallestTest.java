package dev.strata.index.ivf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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

    @Test
    void orderKeysSortLikeDistanceThenId() {
        float[] distances = {0f, -0f, 1e-30f, 1f, 1.0000001f, 3.5f, 1e30f, Float.POSITIVE_INFINITY,
                -1f, -2f};
        for (float d1 : distances) {
            for (float d2 : distances) {
                for (int id1 : new int[] {0, 1, 7, Integer.MAX_VALUE}) {
                    for (int id2 : new int[] {0, 1, 7, Integer.MAX_VALUE}) {
                        int expected = d1 != d2 ? Float.compare(d1, d2) : Integer.compare(id1, id2);
                        int actual = Long.compare(IvfReader.orderKey(d1, id1),
                                IvfReader.orderKey(d2, id2));
                        assertEquals(Integer.signum(expected), Integer.signum(actual),
                                d1 + "/" + id1 + " vs " + d2 + "/" + id2);
                    }
                }
            }
        }
    }
}
