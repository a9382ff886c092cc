package dev.strata.actors.namespace;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.index.doc.DocId;
import dev.strata.index.doc.Document;
import dev.strata.index.doc.Schema;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.roaringbitmap.RoaringBitmap;

/** Whether a merge fits the heap: its vectors' bytes, times the per-byte estimate (logic only). */
class MergeBudgetTest {

    private static SegmentView segment(long documents) {
        Manifest.SegmentEntry entry = new Manifest.SegmentEntry("s" + documents, "segments/s" + documents, 1,
                documents, 1, 1, null, 0, null);
        return new SegmentView(entry, null, new RoaringBitmap());
    }

    @Test
    void aMergeFitsWhenItsVectorsTimesTheEstimateFitTheHeap() {
        Schema schema = Schema.empty().admit(new Document(DocId.of(1L), new float[384], Map.of())).schema();
        List<SegmentView> segments = List.of(segment(1_000), segment(2_000));
        long vectorBytes = 3_000L * 384 * Float.BYTES;
        long needed = vectorBytes * Indexer.MERGE_HEAP_PER_VECTOR_BYTE;
        assertTrue(Indexer.mergeFits(segments, schema, needed));
        assertFalse(Indexer.mergeFits(segments, schema, needed - Indexer.MERGE_HEAP_PER_VECTOR_BYTE));
        // 844,710 vectors of 384 dimensions need about 10 GiB: not on a 4 GiB heap.
        assertFalse(Indexer.mergeFits(List.of(segment(400_000), segment(444_710)), schema, 4L << 30));
    }
}
