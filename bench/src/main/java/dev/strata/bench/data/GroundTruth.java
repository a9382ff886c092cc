package dev.strata.bench.data;

import dev.strata.index.vector.Metric;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntPredicate;
import java.util.ArrayList;
import java.util.List;

/**
 * Exact k nearest neighbours by brute force, the oracle every recall figure is measured
 * against. Results are cached next to the vectors, one file per (documents, queries, metric,
 * filter), as little-endian int32 rows of k document rows (-1 where fewer match).
 */
public final class GroundTruth {

    private GroundTruth() {}

    /** The cache file of the unfiltered truth of the first {@code queries} query rows over {@code n} documents. */
    public static Path file(Path workDir, int n, int queries, Metric metric) {
        return workDir.resolve("truth-" + n + "-" + queries + "-" + metric.apiName() + ".i32");
    }

    /** The cache file of the truth under the filter {@code lo ≤ year ≤ hi}. */
    public static Path yearFile(Path workDir, int n, int queries, Metric metric, int lo, int hi) {
        return workDir.resolve("truth-" + n + "-" + queries + "-" + metric.apiName() + "-year" + lo + "-" + hi + ".i32");
    }

    /**
     * The exact top-{@code k} document rows for each query among documents passing
     * {@code allowed}, read from {@code cache} if present, else computed on all processors and
     * saved there.
     */
    public static int[] load(Path cache, float[] docs, float[] queries, int dims, int k, Metric metric,
                             IntPredicate allowed) throws Exception {
        if (Files.exists(cache)) {
            return VectorFiles.readInts(cache);
        }
        int n = docs.length / dims;
        int q = queries.length / dims;
        int[] rows = allowed == null ? null : java.util.stream.IntStream.range(0, n).filter(allowed).toArray();
        int[] out = new int[q * k];
        int threads = Runtime.getRuntime().availableProcessors();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> parts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                parts.add(pool.submit(() -> {
                    float[] best = new float[k];
                    int[] bestRow = new int[k];
                    for (int qi = first; qi < q; qi += threads) {
                        Arrays.fill(best, Float.POSITIVE_INFINITY);
                        Arrays.fill(bestRow, -1);
                        int count = rows == null ? n : rows.length;
                        for (int i = 0; i < count; i++) {
                            int row = rows == null ? i : rows[i];
                            float d = metric.distance(queries, qi * dims, docs, row * dims, dims);
                            if (d < best[k - 1]) {
                                int at = k - 1;
                                while (at > 0 && best[at - 1] > d) {
                                    best[at] = best[at - 1];
                                    bestRow[at] = bestRow[at - 1];
                                    at--;
                                }
                                best[at] = d;
                                bestRow[at] = row;
                            }
                        }
                        System.arraycopy(bestRow, 0, out, qi * k, k);
                    }
                    return null;
                }));
            }
            for (Future<?> f : parts) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        VectorFiles.writeInts(cache, out);
        return out;
    }

    /** recall@k of {@code found} (document rows, nearest first) against the truth row of query {@code qi}. */
    public static double recall(int[] truth, int qi, int k, int[] found) {
        int expected = 0;
        int hit = 0;
        for (int j = 0; j < k; j++) {
            int t = truth[qi * k + j];
            if (t < 0) {
                continue;
            }
            expected++;
            for (int f : found) {
                if (f == t) {
                    hit++;
                    break;
                }
            }
        }
        return expected == 0 ? 1.0 : (double) hit / expected;
    }

    /**
     * Mean recall@k over the first {@code q} queries of {@code found}: {@code k} document rows
     * per query, nearest first, -1 (never a match) where fewer were found.
     */
    public static double meanRecall(int[] truth, int[] found, int q, int k) {
        if (found.length < q * k || truth.length < q * k) {
            throw new IllegalArgumentException("need " + q + " × " + k + " ids, have " + found.length
                    + " found and " + truth.length + " truth");
        }
        double sum = 0;
        for (int i = 0; i < q; i++) {
            sum += recall(truth, i, k, Arrays.copyOfRange(found, i * k, (i + 1) * k));
        }
        return sum / q;
    }
}
