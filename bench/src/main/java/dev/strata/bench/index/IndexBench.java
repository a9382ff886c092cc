package dev.strata.bench.index;

import dev.strata.bench.data.Corpus;
import dev.strata.bench.data.EmbedCorpus;
import dev.strata.bench.data.GroundTruth;
import dev.strata.bench.data.VectorFiles;
import dev.strata.index.io.RangeSource;
import dev.strata.index.ivf.Hit;
import dev.strata.index.ivf.IvfBuildParams;
import dev.strata.index.ivf.IvfReader;
import dev.strata.index.ivf.IvfWriter;
import dev.strata.index.ivf.SearchParams;
import dev.strata.index.vector.Metric;
import dev.strata.index.vector.RaBitQuantizer;
import dev.strata.index.vector.VectorUtil;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.roaringbitmap.RoaringBitmap;

/**
 * The in-memory index benchmark: builds one IVF + RaBitQ section over the first N corpus
 * documents, then measures recall@10 against exact ground truth and single-thread query latency
 * for a few search settings (a recall/latency curve), and filtered recall for {@code year}
 * filters of about 50%, 5%, 0.5% and 0.01% selectivity. Everything is in memory and the search
 * runs on the calling thread. Prints markdown tables.
 *
 * <p>Usage: {@code IndexBench [documents=100000] [queries=10000] [filteredQueries=1000] [workDir=bench/work]}:
 * the first {@code queries} query rows are timed and scored, against ground truth for all of them.
 */
public final class IndexBench {

    private static final int K = 10;
    private static final int DIMS = EmbedCorpus.DIMENSIONS;
    private static final Metric METRIC = Metric.COSINE_DISTANCE;

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int q = args.length > 1 ? Integer.parseInt(args[1]) : Corpus.QUERIES;
        int fq = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        Path work = Path.of(args.length > 3 ? args[3] : "bench/work");

        float[] docs = VectorFiles.readFloats(work.resolve("documents.f32"), n, DIMS);
        // Ground truth always covers all query rows (computed once, cached); a run may time fewer.
        float[] queries = VectorFiles.readFloats(work.resolve("queries.f32"), Corpus.QUERIES, DIMS);
        System.out.printf(Locale.ROOT, "# IndexBench: %d documents, %d queries, %d-d, %s, kernels: %s, %d processors%n",
                n, q, DIMS, METRIC.apiName(), VectorUtil.providerName(), Runtime.getRuntime().availableProcessors());

        long t0 = System.nanoTime();
        int[] truth = GroundTruth.load(work.resolve("truth-" + n + "-" + Corpus.QUERIES + "-" + METRIC.apiName() + ".i32"),
                docs, queries, DIMS, K, METRIC, null);
        System.out.printf(Locale.ROOT, "ground truth ready in %.1f s%n", (System.nanoTime() - t0) / 1e9);

        ExecutorService buildPool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
        IvfBuildParams buildParams = IvfBuildParams.defaults(METRIC);
        long b0 = System.nanoTime();
        IvfWriter writer = IvfWriter.build(docs, DIMS, buildParams, buildPool);
        byte[] section = writer.toByteArray();
        double buildSeconds = (System.nanoTime() - b0) / 1e9;
        buildPool.shutdown();
        int codeBytes = new RaBitQuantizer(DIMS, buildParams.bits()).bytesPerVector();
        System.out.printf(Locale.ROOT, "%n| build | partitions | seconds | quantized bytes/vector | section bytes/vector |%n"
                        + "|---|---|---|---|---|%n| IVF+RaBitQ %d-bit, f32 vectors | %d | %.1f | %d | %.0f |%n",
                buildParams.bits(), writer.partitions(), buildSeconds, codeBytes, (double) section.length / n);

        Executor sameThread = Runnable::run;
        IvfReader reader = IvfReader.open("bench", RangeSource.of(section), 0, section.length, sameThread).join();
        int[] ordinalToRow = writer.ordinalToRow();

        System.out.printf(Locale.ROOT, "%n| nprobe | rerank × k | recall@10 | p50 ms | p99 ms | mean ms |%n|---|---|---|---|---|---|%n");
        int defaultNprobe = SearchParams.DEFAULT.nprobeFor(reader.partitions());
        // Distinct nprobe values in increasing order, the default among them.
        TreeSet<Integer> nprobes = new TreeSet<>(List.of(defaultNprobe));
        for (int nprobe : new int[] {8, 16, 24, 32, 48, 64, 96, 128}) {
            nprobes.add(Math.min(nprobe, reader.partitions()));
        }
        List<SearchParams> curve = new ArrayList<>();
        for (int nprobe : nprobes) {
            curve.add(SearchParams.DEFAULT.withNprobe(nprobe));
        }
        curve.add(SearchParams.DEFAULT.withNprobe(defaultNprobe).withRerankMultiple(5));
        curve.add(SearchParams.DEFAULT.withNprobe(defaultNprobe).withRerankMultiple(20));
        // Warm-up: JIT compile the search path before anything is timed.
        run(reader, queries, Math.min(q, 2000), SearchParams.DEFAULT, null, ordinalToRow, truth, false);
        for (SearchParams p : curve) {
            Result r = run(reader, queries, q, p, null, ordinalToRow, truth, true);
            System.out.printf(Locale.ROOT, "| %d%s | %d | %.4f | %.3f | %.3f | %.3f |%n", p.nprobe(),
                    p.nprobe() == defaultNprobe ? " (default)" : "", p.rerankMultiple(), r.recall, r.p50, r.p99, r.mean);
        }

        int[] years = new int[n];
        List<Corpus.Row> rows = Corpus.read(Corpus.defaultPath());
        for (int i = 0; i < n; i++) {
            years[i] = rows.get(i).year();
        }
        int[] rowToOrdinal = new int[n];
        for (int o = 0; o < n; o++) {
            rowToOrdinal[ordinalToRow[o]] = o;
        }
        float[] filteredQueries = Arrays.copyOf(queries, fq * DIMS);
        System.out.printf(Locale.ROOT, "%n| filter on year | selectivity | matches | recall@10 | p50 ms | p99 ms |%n|---|---|---|---|---|---|%n");
        for (double target : new double[] {0.5, 0.05, 0.005, 0.0001}) {
            int[] range = YearRanges.closest(years, target);
            int lo = range[0];
            int hi = range[1];
            RoaringBitmap allowed = new RoaringBitmap();
            for (int i = 0; i < n; i++) {
                if (years[i] >= lo && years[i] <= hi) {
                    allowed.add(rowToOrdinal[i]);
                }
            }
            int[] filteredTruth = GroundTruth.load(work.resolve("truth-" + n + "-" + fq + "-" + METRIC.apiName()
                            + "-year" + lo + "-" + hi + ".i32"), docs, filteredQueries, DIMS, K, METRIC,
                    row -> years[row] >= lo && years[row] <= hi);
            Result r = run(reader, filteredQueries, fq, SearchParams.DEFAULT, allowed, ordinalToRow, filteredTruth, true);
            System.out.printf(Locale.ROOT, "| %d ≤ year ≤ %d | %.4f%% | %d | %.4f | %.3f | %.3f |%n", lo, hi,
                    100.0 * allowed.getCardinality() / n, allowed.getCardinality(), r.recall, r.p50, r.p99);
        }
    }

    private record Result(double recall, double p50, double p99, double mean) {}

    private static Result run(IvfReader reader, float[] queries, int q, SearchParams params, RoaringBitmap allowed,
                              int[] ordinalToRow, int[] truth, boolean measure) {
        long[] nanos = new long[q];
        double recall = 0;
        float[] query = new float[DIMS];
        for (int i = 0; i < q; i++) {
            System.arraycopy(queries, i * DIMS, query, 0, DIMS);
            long s = System.nanoTime();
            List<Hit> hits = reader.search(query, K, params, allowed).join();
            nanos[i] = System.nanoTime() - s;
            if (measure) {
                int[] found = new int[hits.size()];
                for (int j = 0; j < found.length; j++) {
                    found[j] = ordinalToRow[hits.get(j).ordinal()];
                }
                recall += GroundTruth.recall(truth, i, K, found);
            }
        }
        Arrays.sort(nanos);
        double mean = Arrays.stream(nanos).average().orElse(0) / 1e6;
        return new Result(recall / q, nanos[q / 2] / 1e6, nanos[(int) Math.min(q - 1, Math.ceil(q * 0.99) - 1)] / 1e6, mean);
    }

    private IndexBench() {}
}
