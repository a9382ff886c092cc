package dev.strata.index.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.index.doc.CorruptDataException;
import dev.strata.index.doc.DocId;
import dev.strata.index.doc.Document;
import dev.strata.index.doc.Schema;
import dev.strata.index.filter.DocumentMatcher;
import dev.strata.index.filter.Filter;
import dev.strata.index.filter.FilterBinder;
import dev.strata.index.filter.FilterParser;
import dev.strata.index.io.ByteRange;
import dev.strata.index.io.PrefetchedRangeSource;
import dev.strata.index.io.RangeSource;
import dev.strata.index.ivf.CorruptIndexException;
import dev.strata.index.ivf.Hit;
import dev.strata.index.ivf.IvfBuildParams;
import dev.strata.index.ivf.SearchParams;
import dev.strata.index.vector.Metric;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.roaringbitmap.RoaringBitmap;

/**
 * A segment built from documents and searched through its container: filtered ANN, exact kNN
 * and attribute ordering against a brute-force oracle over the same documents.
 */
class SegmentSearchTest {

    private static final int N = 20_000;
    private static final int DIMS = 32;
    private static final int K = 10;

    private static ExecutorService pool;
    private static List<Document> docs;
    private static Schema schema;
    private static byte[] file;
    private static Segment segment;

    @BeforeAll
    static void build() {
        pool = Executors.newFixedThreadPool(2);
        Random random = new Random(11);
        float[][] centers = new float[40][DIMS];
        for (float[] c : centers) {
            for (int d = 0; d < DIMS; d++) {
                c[d] = (float) random.nextGaussian() * 3;
            }
        }
        schema = Schema.empty();
        docs = new ArrayList<>();
        String[] colors = {"red", "green", "blue", "violet"};
        for (int i = 0; i < N; i++) {
            float[] v = new float[DIMS];
            float[] c = centers[random.nextInt(centers.length)];
            for (int d = 0; d < DIMS; d++) {
                v[d] = c[d] + (float) random.nextGaussian();
            }
            Map<String, Object> attrs = new java.util.LinkedHashMap<>();
            attrs.put("n", (long) i);
            attrs.put("color", colors[random.nextInt(colors.length)]);
            if (random.nextInt(10) > 0) {
                attrs.put("year", (long) (2000 + random.nextInt(26)));
            }
            Schema.Admission admitted = schema.admit(new Document(DocId.of(1_000_000L + i), v, attrs));
            schema = admitted.schema();
            docs.add(admitted.document());
        }
        file = SegmentBuilder.build(docs, schema, IvfBuildParams.defaults(Metric.EUCLIDEAN_SQUARED), pool);
        segment = Segment.open("segments/test", RangeSource.of(file), pool).join();
    }

    @AfterAll
    static void stop() {
        pool.shutdownNow();
    }

    private static Filter filter(Object json) {
        return FilterBinder.bind(FilterParser.parse(json), schema);
    }

    /** The exact top-k ids among documents matching the filter. */
    private static List<DocId> oracle(float[] q, Filter f) {
        DocumentMatcher matcher = new DocumentMatcher(schema);
        return docs.stream()
                .filter(d -> f == null || matcher.matches(f, d))
                .sorted(Comparator.comparingDouble(d -> Metric.EUCLIDEAN_SQUARED.distance(q, d.vectorOrNull())))
                .limit(K).map(Document::id).toList();
    }

    private static List<DocId> ids(List<Hit> hits) {
        DocId[] ids = segment.ids(hits.stream().mapToInt(Hit::ordinal).toArray()).join();
        return List.of(ids);
    }

    @Test
    void filteredNearestNeighboursKeepRecallAtEverySelectivity() {
        Random random = new Random(5);
        List<Object> filters = new ArrayList<>();
        filters.add(null);
        filters.add(List.of("color", "In", List.of("red", "blue")));                          // ~50%
        filters.add(List.of("And", List.of(List.of("color", "Eq", "red"), List.of("year", "Gte", 2023)))); // ~3%
        filters.add(List.of("year", "Eq", 2011));                                               // ~3.5%
        filters.add(List.of("And", List.of(List.of("year", "Eq", 2003), List.of("n", "Lt", 2000)))); // ~0.35%
        for (Object json : filters) {
            Filter f = json == null ? null : filter(json);
            RoaringBitmap allowed = segment.allowed(f, schema).join();
            double recall = 0;
            int queries = 40;
            for (int qi = 0; qi < queries; qi++) {
                float[] q = docs.get(random.nextInt(N)).vectorOrNull().clone();
                q[0] += 0.5f;
                List<DocId> truth = oracle(q, f);
                List<DocId> got = ids(segment.nearest(q, K, SearchParams.DEFAULT, allowed).join());
                Set<DocId> hit = new HashSet<>(got);
                hit.retainAll(truth);
                recall += truth.isEmpty() ? 1 : (double) hit.size() / truth.size();
                if (f != null) {
                    DocumentMatcher matcher = new DocumentMatcher(schema);
                    for (DocId id : got) {
                        Document d = docs.get((int) (((DocId.U64) id).value() - 1_000_000L));
                        assertTrue(matcher.matches(f, d), "every result passes the filter " + json);
                    }
                }
            }
            assertTrue(recall / queries >= 0.95, "recall " + recall / queries + " for filter " + json);
        }
    }

    @Test
    void exactNearestNeighboursMatchTheOracle() {
        Filter f = filter(List.of("color", "Eq", "green"));
        RoaringBitmap allowed = segment.allowed(f, schema).join();
        float[] q = docs.get(123).vectorOrNull();
        assertEquals(oracle(q, f), ids(segment.exactNearest(q, K, allowed).join()));
    }

    @Test
    void orderingByAnAttributeMatchesASortedOracle() {
        Filter f = filter(List.of("color", "Eq", "violet"));
        RoaringBitmap allowed = segment.allowed(f, schema).join();
        DocumentMatcher matcher = new DocumentMatcher(schema);
        long[] expected = docs.stream().filter(d -> matcher.matches(f, d))
                .mapToLong(d -> (Long) d.attribute("n")).map(n -> -n).sorted().map(n -> -n).limit(25).toArray();
        int[] ordinals = segment.orderBy("n", true, 25, allowed, schema).join();
        long[] got = IntStream.of(ordinals).mapToLong(o -> ((DocId.U64) segment.ids(new int[] {o}).join()[0]).value() - 1_000_000L).toArray();
        assertArrayEquals(expected, got);
    }

    @Test
    void aRecordedLayoutOpensInOneRoundTripAndAnswersTheSame() {
        SegmentLayout layout = segment.layout();
        assertTrue(layout.vectorsMetaLength() > 0);
        List<List<ByteRange>> reads = new CopyOnWriteArrayList<>();
        RangeSource bytes = RangeSource.of(file);
        RangeSource recording = new RangeSource() {
            @Override
            public long length() {
                return bytes.length();
            }

            @Override
            public CompletableFuture<List<ByteBuffer>> read(List<ByteRange> ranges) {
                reads.add(ranges);
                return bytes.read(ranges);
            }
        };
        Segment reopened = Segment.open("segments/test", recording, layout, pool).join();
        // The header and footer (the layout's check), and the IVF metadata whole.
        assertEquals(2, reads.size(), reads::toString);
        long vectorsStart = segment.container().vectorsRange().orElseThrow().start();
        assertEquals(List.of(ByteRange.ofLength(vectorsStart, layout.vectorsMetaLength())),
                reads.get(1));
        assertEquals(layout.openReads(file.length), reads.stream().flatMap(List::stream).toList(),
                "the layout names what the open reads");
        assertEquals(layout, reopened.layout());
        float[] q = docs.get(3).vectorOrNull();
        SearchParams params = SearchParams.DEFAULT;
        assertEquals(segment.nearest(q, K, params, null).join(), reopened.nearest(q, K, params, null).join());

        // Holding the bytes of the layout's open reads, the open reads nothing; searches read on.
        reads.clear();
        Map<ByteRange, byte[]> held = new HashMap<>();
        for (ByteRange r : layout.openReads(file.length)) {
            held.put(r, Arrays.copyOfRange(file, (int) r.start(), (int) r.end()));
        }
        Segment fromHeld = Segment.open("segments/test", new PrefetchedRangeSource(recording, held), layout, pool)
                .join();
        assertEquals(List.of(), reads);
        assertEquals(segment.nearest(q, K, params, null).join(), fromHeld.nearest(q, K, params, null).join());
        assertFalse(reads.isEmpty(), "the codes are read from the source");
    }

    @Test
    void aRecordedVectorsMetaLengthThatDisagreesWithTheHeaderIsATypedError() {
        SegmentLayout layout = segment.layout();
        for (long wrong : new long[] {layout.vectorsMetaLength() - 4, layout.vectorsMetaLength() + 4, 8}) {
            CompletionException e = assertThrows(CompletionException.class, () -> Segment.open("segments/test",
                    RangeSource.of(file), new SegmentLayout(layout.directory(), wrong), pool).join());
            assertTrue(e.getCause() instanceof CorruptIndexException, e.toString());
            assertTrue(e.getCause().getMessage().contains("segments/test"), e.getCause().getMessage());
        }
    }

    @Test
    void aCorruptSegmentFailsWithATypedError() {
        byte[] broken = file.clone();
        broken[broken.length / 2] ^= 0x40; // inside the vectors section
        Segment s = Segment.open("segments/broken", RangeSource.of(broken), pool).join();
        CompletionException e = assertThrows(CompletionException.class, () -> {
            for (int i = 0; i < 200; i++) {
                s.exactNearest(docs.get(i).vectorOrNull(), K, null).join();
            }
        });
        assertTrue(e.getCause() instanceof CorruptIndexException || e.getCause() instanceof CorruptDataException, e.toString());
        assertTrue(e.getCause().getMessage().contains("segments/broken"), e.getCause().getMessage());
    }
}
