package dev.strata.index.ivf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.index.io.ByteRange;
import dev.strata.index.io.RangeSource;
import dev.strata.index.vector.Metric;
import dev.strata.index.vector.RaBitQuantizer;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.roaringbitmap.RoaringBitmap;

/** Recall and exactness of IVF search on 50k clustered 64-d vectors, against brute force. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IvfSearchTest {

    private static final int N = 50_000;
    private static final int DIMENSION = 64;
    private static final int QUERIES = 40;
    private static final int K = 10;

    private ExecutorService executor;
    private float[] data;
    private final Built[] built = new Built[Metric.values().length];

    record Built(IvfWriter writer, int[] ordinalToRow, int[] rowToOrdinal, IvfReader reader) {
    }

    @BeforeAll
    void build() {
        executor = Executors.newFixedThreadPool(2);
        data = IvfTestData.clustered(1, N, DIMENSION, 200);
        for (Metric metric : Metric.values()) {
            built[metric.ordinal()] = build(metric, data, DIMENSION,
                    IvfBuildParams.defaults(metric).withParallelism(2));
        }
    }

    Built build(Metric metric, float[] vectors, int dimension, IvfBuildParams params) {
        IvfWriter writer = IvfWriter.build(vectors, dimension, params, executor);
        byte[] bytes = writer.toByteArray();
        assertEquals(writer.sizeInBytes(), bytes.length);
        int[] ordinalToRow = writer.ordinalToRow();
        int[] rowToOrdinal = new int[ordinalToRow.length];
        for (int o = 0; o < ordinalToRow.length; o++) {
            rowToOrdinal[ordinalToRow[o]] = o;
        }
        IvfReader reader = IvfReader.open("test", RangeSource.of(bytes), 0, bytes.length,
                executor).join();
        return new Built(writer, ordinalToRow, rowToOrdinal, reader);
    }

    @AfterAll
    void shutdown() {
        executor.shutdownNow();
    }

    static List<Arguments> metricsAndSelectivities() {
        List<Arguments> out = new ArrayList<>();
        for (Metric metric : Metric.values()) {
            for (double selectivity : new double[] {1.0, 0.5, 0.05, 0.005, 0.0005}) {
                out.add(Arguments.of(metric, selectivity));
            }
        }
        return out;
    }

    @ParameterizedTest
    @MethodSource("metricsAndSelectivities")
    void recallAtTenIsAtLeast95PercentWithDefaults(Metric metric, double selectivity) {
        assertRecallAtTen(metric, selectivity, SearchParams.DEFAULT);
    }

    /** The filtered partition scan on its own, with the exact path for small allowed sets off. */
    @ParameterizedTest
    @MethodSource("metricsAndSelectivities")
    void theFilteredPartitionScanKeepsRecallWithoutTheExactPath(Metric metric, double selectivity) {
        if (selectivity >= 0.05) {
            SearchParams d = SearchParams.DEFAULT;
            assertRecallAtTen(metric, selectivity, new SearchParams(d.nprobe(), d.rerankMultiple(), 0,
                    d.filterCandidateMultiple(), d.filterCoverage()));
        }
    }

    /** Rows allowed by a random filter of the given selectivity; null (no filter) at 1. */
    private static boolean[] randomFilter(SplittableRandom random, double selectivity) {
        if (selectivity >= 1) {
            return null;
        }
        boolean[] allowedRows = new boolean[N];
        for (int row = 0; row < N; row++) {
            allowedRows[row] = random.nextDouble() < selectivity;
        }
        return allowedRows;
    }

    /** The segment ordinals of the allowed rows, or null for no filter. */
    private static RoaringBitmap allowedOrdinals(Built b, boolean[] allowedRows) {
        if (allowedRows == null) {
            return null;
        }
        RoaringBitmap allowed = new RoaringBitmap();
        for (int row = 0; row < N; row++) {
            if (allowedRows[row]) {
                allowed.add(b.rowToOrdinal[row]);
            }
        }
        return allowed;
    }

    private void assertRecallAtTen(Metric metric, double selectivity, SearchParams params) {
        Built b = built[metric.ordinal()];
        SplittableRandom random = new SplittableRandom(Double.doubleToLongBits(selectivity));
        double recall = 0;
        for (int qi = 0; qi < QUERIES; qi++) {
            float[] q = query(random);
            boolean[] allowedRows = randomFilter(random, selectivity);
            RoaringBitmap allowed = allowedOrdinals(b, allowedRows);
            List<Integer> expected = IvfTestData.nearestRows(metric, data, q, K, allowedRows);
            List<Hit> hits = b.reader.search(q, K, params, allowed).join();
            Set<Integer> found = new HashSet<>();
            float previous = Float.NEGATIVE_INFINITY;
            for (Hit hit : hits) {
                int row = b.ordinalToRow[hit.ordinal()];
                assertTrue(allowedRows == null || allowedRows[row], "hit outside the filter");
                assertEquals(IvfTestData.distance(metric, data, row, q), hit.distance(), 1e-3,
                        "reported distance must be exact");
                assertTrue(hit.distance() >= previous, "hits sorted by distance");
                previous = hit.distance();
                found.add(row);
            }
            assertEquals(Math.min(K, expected.size()), hits.size());
            int matched = 0;
            for (int row : expected) {
                matched += found.contains(row) ? 1 : 0;
            }
            recall += expected.isEmpty() ? 1 : (double) matched / expected.size();
        }
        recall /= QUERIES;
        assertTrue(recall >= 0.95, metric + " at selectivity " + selectivity + ": recall@10 = "
                + recall);
    }

    @ParameterizedTest
    @MethodSource("metricsAndSelectivities")
    void exactSearchMatchesTheOracle(Metric metric, double selectivity) {
        Built b = built[metric.ordinal()];
        SplittableRandom random = new SplittableRandom(17);
        for (int qi = 0; qi < 3; qi++) {
            float[] q = query(random);
            boolean[] allowedRows = randomFilter(random, selectivity);
            RoaringBitmap allowed = allowedOrdinals(b, allowedRows);
            List<Integer> expected = IvfTestData.nearestRows(metric, data, q, K, allowedRows);
            List<Hit> hits = b.reader.exactSearch(q, K, allowed).join();
            assertEquals(expected.size(), hits.size());
            for (int i = 0; i < hits.size(); i++) {
                int row = b.ordinalToRow[hits.get(i).ordinal()];
                double oracle = IvfTestData.distance(metric, data, expected.get(i), q);
                assertEquals(oracle, hits.get(i).distance(), 1e-4 * Math.max(1, oracle));
                if (row != expected.get(i)) {
                    // Only a float-rounding tie may reorder two results.
                    assertEquals(oracle, IvfTestData.distance(metric, data, row, q),
                            1e-5 * Math.max(1, oracle), "rank " + i);
                }
            }
        }
    }

    @Test
    void permutationIsABijectionAndVectorsReadBackByOrdinal() {
        Built b = built[Metric.EUCLIDEAN_SQUARED.ordinal()];
        boolean[] seen = new boolean[N];
        for (int row : b.ordinalToRow) {
            assertTrue(!seen[row]);
            seen[row] = true;
        }
        for (int ordinal : new int[] {0, 1, N / 2, N - 1}) {
            float[] v = b.reader.vector(ordinal).join();
            int row = b.ordinalToRow[ordinal];
            for (int d = 0; d < DIMENSION; d++) {
                assertEquals(data[row * DIMENSION + d], v[d]);
            }
        }
    }

    @Test
    void fewerAllowedDocumentsThanKReturnsThemAll() {
        Built b = built[Metric.COSINE_DISTANCE.ordinal()];
        RoaringBitmap allowed = RoaringBitmap.bitmapOf(5, 17, 40_000);
        List<Hit> hits = b.reader.search(query(new SplittableRandom(5)), K, SearchParams.DEFAULT,
                allowed).join();
        assertEquals(3, hits.size());
        assertTrue(b.reader.search(query(new SplittableRandom(5)), K, SearchParams.DEFAULT,
                new RoaringBitmap()).join().isEmpty());
    }

    @Test
    void queriesOf384DimensionsOnASmallerIndex() {
        int n = 4000;
        int dimension = 384;
        float[] vectors = IvfTestData.clustered(9, n, dimension, 40);
        Built b = build(Metric.COSINE_DISTANCE, vectors, dimension,
                IvfBuildParams.defaults(Metric.COSINE_DISTANCE).withParallelism(2));
        SplittableRandom random = new SplittableRandom(10);
        double recall = 0;
        int queries = 30;
        for (int qi = 0; qi < queries; qi++) {
            float[] q = new float[dimension];
            int row = random.nextInt(n);
            for (int d = 0; d < dimension; d++) {
                q[d] = vectors[row * dimension + d] + (float) IvfTestData.gaussian(random) * 0.3f;
            }
            List<Integer> expected = IvfTestData.nearestRows(Metric.COSINE_DISTANCE, vectors, q,
                    K, null);
            Set<Integer> found = new HashSet<>();
            for (Hit hit : b.reader.search(q, K, SearchParams.DEFAULT, null).join()) {
                found.add(b.ordinalToRow[hit.ordinal()]);
            }
            recall += expected.stream().filter(found::contains).count() / (double) K;
        }
        assertTrue(recall / queries >= 0.95, "recall@10 = " + recall / queries);
    }

    /** Records the ranges of every read, then serves them from memory. */
    private static final class RecordingSource implements RangeSource {
        private final RangeSource inner;
        final List<List<ByteRange>> reads = new ArrayList<>();

        RecordingSource(byte[] bytes) {
            this.inner = RangeSource.of(bytes);
        }

        @Override
        public long length() {
            return inner.length();
        }

        @Override
        public CompletableFuture<List<ByteBuffer>> read(List<ByteRange> ranges) {
            reads.add(List.copyOf(ranges));
            return inner.read(ranges);
        }
    }

    /** The ordinals whose codes a search read: its first read is the probed code blocks. */
    private static RoaringBitmap probedOrdinals(RecordingSource source, int partitions) {
        long codesStart = IvfFormat.metaLength(DIMENSION, partitions);
        int bytesPerCode = new RaBitQuantizer(DIMENSION, 1).bytesPerVector();
        RoaringBitmap probed = new RoaringBitmap();
        for (ByteRange r : source.reads.get(0)) {
            long first = (r.start() - codesStart) / bytesPerCode;
            probed.add(first, first + r.length() / bytesPerCode);
        }
        return probed;
    }

    @Test
    void filteredSearchProbesUntilItCoversTheUnfilteredShareOfAllowedDocuments() {
        Built b = built[Metric.COSINE_DISTANCE.ordinal()];
        byte[] bytes = b.writer.toByteArray();
        RecordingSource source = new RecordingSource(bytes);
        IvfReader reader = IvfReader.open("test", source, 0, bytes.length, executor).join();
        int nprobe = 8;
        SearchParams params = new SearchParams(nprobe, 10, 0, 1, 1);
        float[] q = query(new SplittableRandom(23));

        source.reads.clear();
        reader.search(q, K, params, null).join();
        RoaringBitmap unfiltered = probedOrdinals(source, reader.partitions());
        assertEquals(nprobe, source.reads.get(0).size());

        // Few allowed documents where the unfiltered search looks, all of them elsewhere: the
        // nprobe nearest partitions still hold allowed documents, but far fewer than their share.
        RoaringBitmap allowed = new RoaringBitmap();
        allowed.add(0L, N);
        allowed.andNot(unfiltered);
        unfiltered.forEach((int o) -> {
            if (o % 50 == 0) {
                allowed.add(o);
            }
        });
        source.reads.clear();
        List<Hit> hits = reader.search(q, K, params, allowed).join();
        RoaringBitmap probed = probedOrdinals(source, reader.partitions());
        long covered = RoaringBitmap.and(probed, allowed).getCardinality();
        long share = (long) Math.ceil((double) allowed.getCardinality()
                * unfiltered.getCardinality() / N);
        assertTrue(covered >= share, covered + " allowed documents probed, want " + share);
        assertTrue(source.reads.get(0).size() > nprobe);
        assertEquals(K, hits.size());

        // Twice the coverage probes on until twice the share is seen.
        source.reads.clear();
        reader.search(q, K, params.withFilterCoverage(2), allowed).join();
        long coveredTwice = RoaringBitmap.and(probedOrdinals(source, reader.partitions()), allowed)
                .getCardinality();
        assertTrue(coveredTwice >= 2 * share, coveredTwice + " allowed documents probed, want "
                + 2 * share);
        assertTrue(coveredTwice < 4 * share, coveredTwice + " allowed documents probed, want "
                + "about " + 2 * share);

        // A filter independent of the vectors probes about the unfiltered partitions.
        SplittableRandom random = new SplittableRandom(29);
        RoaringBitmap half = new RoaringBitmap();
        for (int o = 0; o < N; o++) {
            if (random.nextBoolean()) {
                half.add(o);
            }
        }
        source.reads.clear();
        reader.search(q, K, params, half).join();
        int probes = source.reads.get(0).size();
        assertTrue(probes >= nprobe && probes <= 2 * nprobe, probes + " partitions probed");
    }

    @Test
    void defaultNprobeGrowsWithTheSquareRootOfThePartitionCount() {
        assertEquals(10, SearchParams.DEFAULT.nprobeFor(10));
        assertEquals(17, SearchParams.DEFAULT.nprobeFor(17));
        assertEquals(18, SearchParams.DEFAULT.nprobeFor(20));
        assertEquals(10, SearchParams.DEFAULT.withNprobe(10).nprobeFor(100));
        assertEquals(72, SearchParams.DEFAULT.nprobeFor(316));
        assertEquals(127, SearchParams.DEFAULT.nprobeFor(1000));
    }

    /** A query near the data: a random data vector plus noise. */
    private float[] query(SplittableRandom random) {
        int row = random.nextInt(N);
        float[] q = new float[DIMENSION];
        for (int d = 0; d < DIMENSION; d++) {
            q[d] = data[row * DIMENSION + d] + (float) IvfTestData.gaussian(random) * 0.3f;
        }
        return q;
    }
}
