package dev.strata.actors.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.actors.namespace.NamespaceProtocol.PatchRow;
import dev.strata.actors.namespace.NamespaceProtocol.QueryRequest;
import dev.strata.actors.namespace.NamespaceProtocol.QueryResult;
import dev.strata.actors.namespace.NamespaceProtocol.Row;
import dev.strata.actors.storage.NamespaceLayout;
import dev.strata.actors.storage.NamespaceName;
import dev.strata.actors.storage.SequencedLog;
import dev.strata.actors.testing.IoPool;
import dev.strata.index.doc.DocId;
import dev.strata.index.doc.Document;
import dev.strata.index.doc.Schema;
import dev.strata.index.ivf.IvfBuildParams;
import dev.strata.index.search.SegmentBuilder;
import dev.strata.index.vector.Metric;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Serving from segments: an indexer's output (a segment plus a manifest, published here by the
 * test) is hydrated, and newer writes supersede its documents before the ANN search.
 */
class SegmentServingTest {

    private static final String NS = "indexed";
    private static final int DOCS = 200;
    private static final int DIMS = 8;

    @TempDir
    Path dir;

    @RegisterExtension
    final IoPool io = new IoPool();

    private final List<float[]> vectors = new ArrayList<>();

    /** Publishes segment "s1" with documents 0..DOCS-1 as manifest 1, indexed through WAL 1. */
    @BeforeEach
    void publishSegment() {
        Random random = new Random(42);
        Schema schema = Schema.empty();
        List<Document> docs = new ArrayList<>();
        for (int i = 0; i < DOCS; i++) {
            float[] v = new float[DIMS];
            for (int d = 0; d < DIMS; d++) {
                v[d] = random.nextFloat();
            }
            vectors.add(v);
            Schema.Admission a = schema.admit(new Document(DocId.of(i), v,
                    Map.of("parity", i % 2 == 0 ? "even" : "odd", "n", (long) i)));
            schema = a.schema();
            docs.add(a.document());
        }
        byte[] segment = SegmentBuilder.build(docs, schema,
                IvfBuildParams.defaults(Metric.EUCLIDEAN_SQUARED).withParallelism(1), Runnable::run);
        NamespaceLayout layout = new NamespaceLayout(new NamespaceName(NS));
        String key = layout.segmentKey("s1");
        io.local(dir).put(key, segment).join();
        Manifest m = new Manifest(Manifest.FORMAT_VERSION, new NamespaceName(NS), 1, schema, Metric.EUCLIDEAN_SQUARED,
                List.of(new Manifest.SegmentEntry("s1", key, segment.length, DOCS, 1, 1)), 1);
        assertTrue(io.local(dir).createIfAbsent(layout.manifestPrefix() + NamespaceLayout.sequence(1),
                ManifestCodec.encode(m)).join());
    }

    private static List<Object> ids(QueryResult r) {
        return r.rows().stream().map(Row::id).toList();
    }

    @Test
    void anOwnerRecordsTheLayoutsAnOlderManifestLacks() {
        SequencedLog manifests = new SequencedLog(io.local(dir), new NamespaceLayout(new NamespaceName(NS)).manifestPrefix());
        try (TestNode node = new TestNode(io.local(dir))) {
            assertEquals(List.of(3L), ids(node.queryOk(NS, QueryRequest.nearest(vectors.get(3), 1))));
            node.kit.createTestProbe().awaitAssert(TestNode.TIMEOUT, () -> {
                assertEquals(2L, manifests.latest().join());
                return null;
            });
        }
        Manifest first = ManifestCodec.decode(manifests.read(1).join(), "1");
        Manifest second = ManifestCodec.decode(manifests.read(2).join(), "2");
        Manifest.SegmentEntry entry = second.segments().get(0);
        assertNotNull(entry.layoutOrNull());
        assertEquals(DOCS, entry.layoutOrNull().directory().rowCount());
        assertTrue(entry.layoutOrNull().vectorsMetaLength() > 0);
        // Nothing else changed.
        assertEquals(first.segments().get(0), new Manifest.SegmentEntry(entry.id(), entry.key(), entry.bytes(),
                entry.documents(), entry.walFirst(), entry.walLast(), entry.deletesKeyOrNull(), entry.deletes()));
        assertEquals(first.schema(), second.schema());
        assertEquals(first.indexedThrough(), second.indexedThrough());
        // A new owner loads through the recorded layout and serves the same; nothing more to record.
        try (TestNode node = new TestNode(io.local(dir))) {
            assertEquals(DOCS, node.queryOk(NS, QueryRequest.nearest(vectors.get(3), DOCS)).rows().size());
            assertEquals(List.of(5L), ids(node.queryOk(NS, QueryRequest.nearest(vectors.get(5), 1))));
        }
        assertEquals(2L, manifests.latest().join());
    }

    @Test
    void segmentDocumentsAreServedAndNewerWritesSupersedeThem() {
        try (TestNode node = new TestNode(io.local(dir))) {
            QueryResult hit = node.queryOk(NS, QueryRequest.nearest(vectors.get(3), 1).including(List.of("parity")));
            assertEquals(List.of(3L), ids(hit));
            assertEquals(0.0, hit.rows().get(0).dist(), 1e-6);
            assertEquals("odd", hit.rows().get(0).attributes().get("parity"));
            assertEquals(0, hit.exhaustiveSearchCount());

            // WAL numbering continues after indexed_through.
            assertEquals(2, node.writeOk(NS, NamespaceEntityTest.deletes(3L)).walSequence());
            var patched = node.writeOk(NS, NamespaceEntityTest.patches(new PatchRow(4L, Map.of("parity", "patched")),
                    new PatchRow(100_000L, Map.of("parity", "nobody"))));
            assertEquals(1, patched.patched());
            assertSuperseded(node);
        }
        // The same after a reload from the bucket (WAL replay over the segment).
        try (TestNode node = new TestNode(io.local(dir))) {
            assertSuperseded(node);
        }
    }

    private void assertSuperseded(TestNode node) {
        // Every live document, exactly once: the deleted one is gone and the patched one is
        // served from the tail, not also from the segment.
        QueryResult all = node.queryOk(NS, QueryRequest.nearest(vectors.get(3), DOCS).including(List.of("parity")));
        assertEquals(DOCS - 1, all.rows().size());
        assertFalse(ids(all).contains(3L));
        assertEquals(DOCS - 1, ids(all).stream().distinct().count());

        QueryResult four = node.queryOk(NS, QueryRequest.nearest(vectors.get(4), 1).includingAll());
        assertEquals(List.of(4L), ids(four));
        assertEquals(0.0, four.rows().get(0).dist(), 1e-6, "the patch kept the document's vector");
        assertEquals(Map.of("parity", "patched", "n", 4L, "vector", QueryExecution.vectorJson(vectors.get(4))),
                four.rows().get(0).attributes());

        // A narrow filter: the stale segment copy of 4 ("even") must not take a slot.
        QueryResult even = node.queryOk(NS, QueryRequest.nearest(vectors.get(4), 3)
                .withFilters(List.of("n", "Lt", 6L)).including(List.of("parity")));
        assertEquals(List.of(0L, 1L, 2L, 4L, 5L), ids(node.queryOk(NS, QueryRequest.orderBy("n", false, 5)
                .withFilters(List.of("n", "Lt", 6L)))));
        assertEquals(3, even.rows().size());
        assertEquals(4L, even.rows().get(0).id());

        QueryResult byFilter = node.queryOk(NS, QueryRequest.nearest(vectors.get(0), 10)
                .withFilters(List.of("parity", "Eq", "patched")));
        assertEquals(List.of(4L), ids(byFilter));
    }
}
