package dev.strata.index.ivf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.index.vector.VectorUtil;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KMeansTest {

    private ExecutorService executor;

    @BeforeAll
    void start() {
        executor = Executors.newFixedThreadPool(2);
    }

    @AfterAll
    void stop() {
        executor.shutdownNow();
    }

    @Test
    void assignmentIsTheBruteForceNearestCentroid() {
        int dimension = 24, n = 3000, k = 40;
        float[] data = IvfTestData.clustered(5, n, dimension, 12);
        float[] centroids = KMeans.train(data, dimension, n, k, 8, 1, executor, 2);
        int[] assignment = KMeans.assign(data, dimension, n, false, centroids, k, executor, 2);
        int[] sizes = new int[k];
        for (int i = 0; i < n; i++) {
            double best = Double.MAX_VALUE;
            for (int c = 0; c < k; c++) {
                best = Math.min(best, VectorUtil.squareDistance(data, i * dimension, centroids,
                        c * dimension, dimension));
            }
            double mine = VectorUtil.squareDistance(data, i * dimension, centroids,
                    assignment[i] * dimension, dimension);
            assertEquals(best, mine, 1e-3 * Math.max(1, best));
            sizes[assignment[i]]++;
        }
        for (int c = 0; c < k; c++) {
            assertTrue(sizes[c] > 0, "cluster " + c + " is empty");
        }
    }

    @Test
    void emptyClusterTakesHalfOfTheLargestOne() {
        int dimension = 3;
        float[] centroids = {0, 0, 0, 5, -2, 1, 9, 9, 9};
        int[] counts = {0, 10, 4};
        KMeans.repairEmpty(centroids, counts, 3, dimension, new java.util.SplittableRandom(1));
        assertEquals(5, counts[0]);
        assertEquals(5, counts[1]);
        assertEquals(4, counts[2]);
        for (int d = 0; d < dimension; d++) {
            // The two halves straddle the old centroid, nudged in opposite directions.
            float old = new float[] {5, -2, 1}[d];
            assertEquals(old, (centroids[d] + centroids[dimension + d]) / 2, 1e-6);
            assertTrue(centroids[d] != centroids[dimension + d]);
            assertEquals(9f, centroids[2 * dimension + d]);
        }
    }
}
