package dev.strata.bench.index;

import dev.strata.bench.Percentiles;
import dev.strata.bench.data.Corpus;
import dev.strata.bench.data.EmbedCorpus;
import dev.strata.bench.data.GroundTruth;
import dev.strata.bench.data.VectorFiles;
import dev.strata.bench.data.YearRanges;
import dev.strata.index.ivf.IvfBuildParams;
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
import java.util.function.IntPredicate;
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
        int[] truth = GroundTruth.load(GroundTruth.file(work, n, Corpus.QUERIES, METRIC),
                docs, queries, DIMS, K, METRIC, null);
        System.out.printf(Locale.ROOT, "ground truth ready in %.1f s%n", (System.nanoTime() - t0) / 1e9);

        IvfBuildParams buildParams = IvfBuildParams.defaults(METRIC);
        InMemoryIvf ivf = InMemoryIvf.build(docs, DIMS, buildParams, Runtime.getRuntime().availableProcessors());
        int codeBytes = new RaBitQuantizer(DIMS, buildParams.bits()).bytesPerVector();
        System.out.printf(Locale.ROOT, "%n| build | partitions | seconds | quantized bytes/vector | section bytes/vector |%n"
                        + "|---|---|---|---|---|%n| IVF+RaBitQ %d-bit, f32 vectors | %d | %.1f | %d | %.0f |%n",
                buildParams.bits(), ivf.partitions(), ivf.buildSeconds(), codeBytes, (double) ivf.sectionBytes() / n);

        System.out.printf(Locale.ROOT, "%n| nprobe | rerank × k | recall@10 | p50 ms | p99 ms | mean ms | CPU p50 ms "
                + "| allocated KB/query |%n|---|---|---|---|---|---|---|---|%n");
        int defaultNprobe = ivf.defaultNprobe();
        // Distinct nprobe values in increasing order, the default among them.
        TreeSet<Integer> nprobes = new TreeSet<>(List.of(defaultNprobe));
        for (int nprobe : new int[] {8, 16, 24, 32, 48, 64, 96, 128, 192, 256}) {
            nprobes.add(Math.min(nprobe, ivf.partitions()));
        }
        List<SearchParams> curve = new ArrayList<>();
        for (int nprobe : nprobes) {
            curve.add(SearchParams.DEFAULT.withNprobe(nprobe));
        }
        curve.add(SearchParams.DEFAULT.withNprobe(defaultNprobe).withRerankMultiple(5));
        curve.add(SearchParams.DEFAULT.withNprobe(defaultNprobe).withRerankMultiple(20));
        // Warm-up: JIT compile the search path before anything is timed.
        ivf.run(queries, Math.min(q, 2000), K, SearchParams.DEFAULT, null);
        for (SearchParams p : curve) {
            InMemoryIvf.Pass pass = ivf.run(queries, q, K, p, null);
            Percentiles t = Percentiles.of(pass.nanos());
            System.out.printf(Locale.ROOT, "| %d%s | %d | %.4f | %.3f | %.3f | %.3f | %.3f | %.1f |%n", p.nprobe(),
                    p.nprobe() == defaultNprobe ? " (default)" : "", p.rerankMultiple(), GroundTruth.meanRecall(truth, pass.rows(), q, K),
                    t.p50Millis(), t.p99Millis(), t.mean() / 1e6, Percentiles.of(pass.cpuNanos()).p50Millis(),
                    pass.allocatedBytesPerQuery() / 1024.0);
        }

        int[] years = Corpus.years(n);
        float[] filteredQueries = Arrays.copyOf(queries, fq * DIMS);
        System.out.printf(Locale.ROOT, "%n| filter on year | selectivity | matches | recall@10 | p50 ms | p99 ms |%n|---|---|---|---|---|---|%n");
        for (double target : new double[] {0.5, 0.05, 0.005, 0.0001}) {
            int[] range = YearRanges.closest(years, target);
            int lo = range[0];
            int hi = range[1];
            IntPredicate inRange = row -> years[row] >= lo && years[row] <= hi;
            RoaringBitmap allowed = ivf.ordinalsOf(inRange);
            int[] filteredTruth = GroundTruth.load(GroundTruth.yearFile(work, n, fq, METRIC, lo, hi),
                    docs, filteredQueries, DIMS, K, METRIC, inRange);
            InMemoryIvf.Pass pass = ivf.run(filteredQueries, fq, K, SearchParams.DEFAULT, allowed);
            Percentiles t = Percentiles.of(pass.nanos());
            System.out.printf(Locale.ROOT, "| %d ≤ year ≤ %d | %.4f%% | %d | %.4f | %.3f | %.3f |%n", lo, hi,
                    100.0 * allowed.getCardinality() / n, allowed.getCardinality(), GroundTruth.meanRecall(filteredTruth, pass.rows(), fq, K),
                    t.p50Millis(), t.p99Millis());
        }
    }

    private IndexBench() {}
}
