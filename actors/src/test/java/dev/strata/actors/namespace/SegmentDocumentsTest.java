package dev.strata.actors.namespace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.index.attr.IdColumn;
import dev.strata.index.doc.DocId;
import dev.strata.index.doc.Document;
import dev.strata.index.doc.Schema;
import dev.strata.index.io.ByteRange;
import dev.strata.index.io.RangeSource;
import dev.strata.index.ivf.IvfBuildParams;
import dev.strata.index.search.Segment;
import dev.strata.index.search.SegmentBuilder;
import dev.strata.index.segment.SegmentReader;
import dev.strata.index.vector.Metric;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.roaringbitmap.RoaringBitmap;

/** Reading a segment's documents back in bulk, as compaction and patch_by_filter do (logic only). */
class SegmentDocumentsTest {

    private static final int DOCS = 2 * SegmentDocuments.CHUNK + 500;

    @Test
    void documentsAreReadInChunksAndMatchOneByOneReads() {
        Random random = new Random(5);
        Schema schema = Schema.empty();
        List<Document> docs = new ArrayList<>();
        for (int i = 0; i < DOCS; i++) {
            Schema.Admission a = schema.admit(new Document(DocId.of(i), new float[] {random.nextFloat(), random.nextFloat()},
                    Map.of("n", (long) i, "tag", "t" + (i % 7))));
            schema = a.schema();
            docs.add(a.document());
        }
        byte[] bytes = SegmentBuilder.build(docs, schema,
                IvfBuildParams.defaults(Metric.EUCLIDEAN_SQUARED).withParallelism(1), Runnable::run);
        AtomicInteger reads = new AtomicInteger();
        RangeSource heap = RangeSource.of(bytes);
        RangeSource counting = new RangeSource() {
            @Override
            public long length() {
                return heap.length();
            }

            @Override
            public CompletableFuture<List<ByteBuffer>> read(List<ByteRange> ranges) {
                reads.incrementAndGet();
                return heap.read(ranges);
            }
        };
        SegmentReader container = SegmentReader.open(counting, "s").join();
        Segment segment = Segment.open(container, counting, Runnable::run).join();
        IdColumn ids = container.ids().join(); // in memory from here on, as the entity has it
        Manifest.SegmentEntry entry = new Manifest.SegmentEntry("s", "segments/s", bytes.length, DOCS, 1, 1,
                null, 0, null);
        SegmentView view = new SegmentView(entry, segment, new RoaringBitmap());

        RoaringBitmap wanted = new RoaringBitmap();
        for (int o = 0; o < DOCS; o++) {
            if (o % 3 != 1 || o > DOCS - 50) {
                wanted.add(o);
            }
        }
        int[] ordinals = wanted.toArray();
        container.columns(List.copyOf(container.attributeNames()), schema).join(); // columns read once, up front
        reads.set(0);
        List<Document> bulk = SegmentDocuments.documents(view, ordinals, schema).join();
        int chunks = (ordinals.length + SegmentDocuments.CHUNK - 1) / SegmentDocuments.CHUNK;
        assertTrue(reads.get() <= chunks + 2, reads.get() + " reads for " + chunks + " chunks");

        assertEquals(ordinals.length, bulk.size());
        Map<DocId, Document> originals = new HashMap<>();
        docs.forEach(d -> originals.put(d.id(), d));
        for (int i = 0; i < ordinals.length; i++) {
            assertEquals(ids.id(ordinals[i]), bulk.get(i).id(), "in the order of the ordinals");
            Document original = originals.get(bulk.get(i).id());
            assertArrayEquals(original.vectorOrNull(), bulk.get(i).vectorOrNull());
            assertEquals(original.attributes(), bulk.get(i).attributes());
        }
    }
}
