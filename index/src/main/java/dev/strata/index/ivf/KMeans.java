package dev.strata.index.ivf;

import dev.strata.index.vector.VectorUtil;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.Executor;

/**
 * Lloyd's k-means over flat {@code float[]} storage, seeded with k-means++, with empty clusters
 * repaired by splitting the largest one, and a parallel nearest-centroid assignment.
 *
 * <p>Training runs on a sample (the IVF builder sizes it in proportion to {@code k}); seeding
 * looks at no more than {@value #SEED_POINTS_PER_CENTROID} sample points per centroid, which
 * keeps the sequential k-means++ passes cheap without hurting the Lloyd refinement after it.
 */
public final class KMeans {

    /** Sample points per centroid that k-means++ seeding considers. */
    static final int SEED_POINTS_PER_CENTROID = 16;
    /** Relative perturbation used when an empty cluster takes half of the largest one. */
    private static final float SPLIT_EPSILON = 1f / 1024;

    private KMeans() {
    }

    /**
     * Trains {@code k} centroids on {@code sampleCount} vectors of {@code dimension} floats stored
     * back to back in {@code sample}, and returns them the same way ({@code k × dimension}).
     */
    public static float[] train(float[] sample, int dimension, int sampleCount, int k,
                                int maxIterations, long seed, Executor executor, int parallelism) {
        if (k < 1 || sampleCount < k) {
            throw new IllegalArgumentException(
                    "need at least k=" + k + " sample vectors, got " + sampleCount);
        }
        ParallelWork work = new ParallelWork(executor, parallelism);
        SplittableRandom random = new SplittableRandom(seed);
        float[] centroids = seed(sample, dimension,
                Math.min(sampleCount, Math.max(k, k * SEED_POINTS_PER_CENTROID)), k, random, work);
        int[] assignment = new int[sampleCount];
        Arrays.fill(assignment, -1);
        int chunks = work.parallelism();
        double[][] sums = new double[chunks][];
        int[][] counts = new int[chunks][];
        long[] changed = new long[chunks];
        for (int iteration = 0; iteration < maxIterations; iteration++) {
            float[] norms = squaredNorms(centroids, dimension, k);
            float[] current = centroids;
            work.run(sampleCount, chunks, (chunk, from, to) -> {
                double[] s = sums[chunk] == null ? new double[k * dimension] : sums[chunk];
                int[] c = counts[chunk] == null ? new int[k] : counts[chunk];
                Arrays.fill(s, 0);
                Arrays.fill(c, 0);
                long moved = 0;
                for (int i = from; i < to; i++) {
                    int offset = i * dimension;
                    int best = nearest(sample, offset, 1f, current, norms, k, dimension);
                    if (best != assignment[i]) {
                        moved++;
                        assignment[i] = best;
                    }
                    c[best]++;
                    int base = best * dimension;
                    for (int d = 0; d < dimension; d++) {
                        s[base + d] += sample[offset + d];
                    }
                }
                sums[chunk] = s;
                counts[chunk] = c;
                changed[chunk] = moved;
            });
            long moved = 0;
            for (long m : changed) {
                moved += m;
            }
            centroids = average(sums, counts, k, dimension, random);
            if (moved == 0) {
                break;
            }
        }
        return centroids;
    }

    /**
     * Returns, for each of the {@code n} vectors in {@code data}, the index of its nearest
     * centroid (squared Euclidean distance). With {@code normalize}, each vector is treated as
     * if scaled to unit length (a zero vector stays zero), without copying it.
     */
    public static int[] assign(float[] data, int dimension, int n, boolean normalize,
                               float[] centroids, int k, Executor executor, int parallelism) {
        ParallelWork work = new ParallelWork(executor, parallelism);
        float[] norms = squaredNorms(centroids, dimension, k);
        int[] assignment = new int[n];
        work.run(n, work.parallelism() * 8, (chunk, from, to) -> {
            for (int i = from; i < to; i++) {
                int offset = i * dimension;
                float scale = 1f;
                if (normalize) {
                    float length = (float) Math.sqrt(
                            VectorUtil.dot(data, offset, data, offset, dimension));
                    scale = length > 0 ? 1f / length : 0f;
                }
                assignment[i] = nearest(data, offset, scale, centroids, norms, k, dimension);
            }
        });
        return assignment;
    }

    /**
     * The centroid nearest to {@code scale · data[offset, +dimension)}, minimising
     * {@code ‖c‖² − 2·scale·⟨x, c⟩}, which orders centroids like the squared distance does.
     */
    static int nearest(float[] data, int offset, float scale, float[] centroids, float[] norms,
                       int k, int dimension) {
        int best = 0;
        float bestScore = Float.POSITIVE_INFINITY;
        float twice = 2f * scale;
        for (int c = 0; c < k; c++) {
            float score = norms[c] - twice * VectorUtil.dot(data, offset, centroids, c * dimension,
                    dimension);
            if (score < bestScore) {
                bestScore = score;
                best = c;
            }
        }
        return best;
    }

    /** k-means++: each next seed is drawn with probability proportional to D² to the chosen. */
    private static float[] seed(float[] sample, int dimension, int points, int k,
                                SplittableRandom random, ParallelWork work) {
        float[] centroids = new float[k * dimension];
        float[] nearest = new float[points];
        Arrays.fill(nearest, Float.POSITIVE_INFINITY);
        int chunks = work.parallelism() * 4;
        int chosen = random.nextInt(points);
        for (int c = 0; c < k; c++) {
            System.arraycopy(sample, chosen * dimension, centroids, c * dimension, dimension);
            int centroidOffset = c * dimension;
            work.run(points, chunks, (chunk, from, to) -> {
                for (int i = from; i < to; i++) {
                    float d = VectorUtil.squareDistance(sample, i * dimension, centroids,
                            centroidOffset, dimension);
                    if (d < nearest[i]) {
                        nearest[i] = d;
                    }
                }
            });
            if (c + 1 < k) {
                chosen = drawProportional(nearest, random);
            }
        }
        return centroids;
    }

    private static int drawProportional(float[] weights, SplittableRandom random) {
        double total = 0;
        for (float w : weights) {
            total += w;
        }
        if (total <= 0) {
            return random.nextInt(weights.length); // every point coincides with a seed
        }
        double target = random.nextDouble() * total;
        double running = 0;
        int last = 0;
        for (int i = 0; i < weights.length; i++) {
            if (weights[i] > 0) {
                running += weights[i];
                last = i;
                if (running > target) {
                    return i;
                }
            }
        }
        return last;
    }

    private static float[] average(double[][] sums, int[][] counts, int k, int dimension,
                                   SplittableRandom random) {
        double[] total = new double[k * dimension];
        int[] count = new int[k];
        for (int chunk = 0; chunk < sums.length; chunk++) {
            if (sums[chunk] == null) {
                continue;
            }
            for (int i = 0; i < total.length; i++) {
                total[i] += sums[chunk][i];
            }
            for (int c = 0; c < k; c++) {
                count[c] += counts[chunk][c];
            }
        }
        float[] centroids = new float[k * dimension];
        for (int c = 0; c < k; c++) {
            if (count[c] > 0) {
                for (int d = 0; d < dimension; d++) {
                    centroids[c * dimension + d] =
                            (float) (total[c * dimension + d] / count[c]);
                }
            }
        }
        repairEmpty(centroids, count, k, dimension, random);
        return centroids;
    }

    /** Gives each empty cluster half of the currently largest one, nudged apart. */
    static void repairEmpty(float[] centroids, int[] count, int k, int dimension,
                                    SplittableRandom random) {
        for (int empty = 0; empty < k; empty++) {
            if (count[empty] != 0) {
                continue;
            }
            int largest = 0;
            for (int c = 1; c < k; c++) {
                if (count[c] > count[largest]) {
                    largest = c;
                }
            }
            if (count[largest] < 2) {
                return; // nothing left to split
            }
            for (int d = 0; d < dimension; d++) {
                float value = centroids[largest * dimension + d];
                float nudge = (Math.abs(value) + 1e-6f) * SPLIT_EPSILON
                        * (random.nextBoolean() ? 1 : -1);
                centroids[empty * dimension + d] = value + nudge;
                centroids[largest * dimension + d] = value - nudge;
            }
            count[empty] = count[largest] / 2;
            count[largest] -= count[empty];
        }
    }

    static float[] squaredNorms(float[] centroids, int dimension, int k) {
        float[] norms = new float[k];
        for (int c = 0; c < k; c++) {
            norms[c] = VectorUtil.dot(centroids, c * dimension, centroids, c * dimension,
                    dimension);
        }
        return norms;
    }
}
