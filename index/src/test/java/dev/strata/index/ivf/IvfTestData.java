package dev.strata.index.ivf;

import dev.strata.index.vector.Metric;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Seeded clustered vectors and a brute-force double-precision kNN oracle. */
final class IvfTestData {

    private IvfTestData() {
    }

    /** {@code n} vectors around {@code clusters} Gaussian centres, back to back. */
    static float[] clustered(long seed, int n, int dimension, int clusters) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] centres = new float[clusters * dimension];
        for (int i = 0; i < centres.length; i++) {
            centres[i] = (float) (random.nextDouble() * 4 - 2);
        }
        float[] data = new float[n * dimension];
        for (int i = 0; i < n; i++) {
            int c = random.nextInt(clusters);
            double spread = 0.3 + random.nextDouble() * 0.4;
            for (int d = 0; d < dimension; d++) {
                data[i * dimension + d] = (float) (centres[c * dimension + d]
                        + gaussian(random) * spread);
            }
        }
        return data;
    }

    static double gaussian(SplittableRandom random) {
        double u1 = 1 - random.nextDouble(), u2 = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    static double distance(Metric metric, float[] data, int row, float[] q) {
        int dimension = q.length;
        double dot = 0, l2 = 0, aa = 0, bb = 0;
        for (int d = 0; d < dimension; d++) {
            double x = data[row * dimension + d], y = q[d];
            dot += x * y;
            l2 += (x - y) * (x - y);
            aa += x * x;
            bb += y * y;
        }
        if (metric == Metric.EUCLIDEAN_SQUARED) {
            return l2;
        }
        return aa == 0 || bb == 0 ? 1 : 1 - dot / Math.sqrt(aa * bb);
    }

    /** The rows of the {@code k} nearest allowed rows (all when {@code allowedRows} is null). */
    static List<Integer> nearestRows(Metric metric, float[] data, float[] q, int k,
                                     boolean[] allowedRows) {
        int n = data.length / q.length;
        List<double[]> all = new ArrayList<>();
        for (int row = 0; row < n; row++) {
            if (allowedRows == null || allowedRows[row]) {
                all.add(new double[] {distance(metric, data, row, q), row});
            }
        }
        all.sort((a, b) -> a[0] != b[0] ? Double.compare(a[0], b[0]) : Double.compare(a[1], b[1]));
        List<Integer> rows = new ArrayList<>();
        for (int i = 0; i < Math.min(k, all.size()); i++) {
            rows.add((int) all.get(i)[1]);
        }
        return rows;
    }
}
