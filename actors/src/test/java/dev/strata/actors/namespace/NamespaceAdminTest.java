package dev.strata.actors.namespace;

import static dev.strata.actors.namespace.NamespaceEntityTest.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.actors.namespace.NamespaceProtocol.AttributeSpec;
import dev.strata.actors.namespace.NamespaceProtocol.DeleteNamespace;
import dev.strata.actors.namespace.NamespaceProtocol.Describe;
import dev.strata.actors.namespace.NamespaceProtocol.NamespaceMetadata;
import dev.strata.actors.namespace.NamespaceProtocol.QueryRequest;
import dev.strata.actors.namespace.NamespaceProtocol.Row;
import dev.strata.actors.namespace.NamespaceProtocol.UpdateSchema;
import dev.strata.actors.namespace.NamespaceProtocol.UpsertRow;
import dev.strata.actors.namespace.NamespaceProtocol.WriteRequest;
import dev.strata.actors.namespace.NamespaceProtocol.WriteResult;
import dev.strata.actors.storage.NamespaceCatalog;
import dev.strata.actors.storage.NamespaceDeletion;
import dev.strata.actors.storage.NamespaceLayout;
import dev.strata.actors.storage.NamespaceName;
import dev.strata.actors.testing.IoPool;
import dev.strata.tiering.store.LocalDirectoryObjectStore;
import dev.strata.tiering.store.ObjectStore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Namespace metadata, schema updates and namespace deletion through the entity. */
class NamespaceAdminTest {

    private static final String NS = "admin";
    private static final NamespaceLayout LAYOUT = new NamespaceLayout(new NamespaceName(NS));
    private static final String CONFIG = "strata.namespace.indexing.after-ops = 10\n"
            + "strata.namespace.indexing.after-quiet = 1h\n";

    @TempDir
    Path dir;

    @RegisterExtension
    final IoPool io = new IoPool();

    static StatusReply<NamespaceMetadata> describe(TestNode node, String namespace) {
        TestProbe<StatusReply<NamespaceMetadata>> probe = node.kit.createTestProbe();
        node.region.tell(new ShardingEnvelope<>(namespace, new Describe(probe.getRef())));
        return probe.receiveMessage(TestNode.TIMEOUT);
    }

    static NamespaceMetadata describeOk(TestNode node, String namespace) {
        StatusReply<NamespaceMetadata> reply = describe(node, namespace);
        if (reply.isError()) {
            throw new AssertionError("describe failed: " + reply.getError(), reply.getError());
        }
        return reply.getValue();
    }

    private static StatusReply<NamespaceMetadata> updateSchema(TestNode node, Map<String, AttributeSpec> specs) {
        TestProbe<StatusReply<NamespaceMetadata>> probe = node.kit.createTestProbe();
        node.region.tell(new ShardingEnvelope<>(NS, new UpdateSchema(specs, probe.getRef())));
        return probe.receiveMessage(TestNode.TIMEOUT);
    }

    private static TestProbe<StatusReply<Done>> sendDelete(TestNode node) {
        TestProbe<StatusReply<Done>> probe = node.kit.createTestProbe();
        node.region.tell(new ShardingEnvelope<>(NS, new DeleteNamespace(probe.getRef())));
        return probe;
    }

    private static WriteRequest upsertRange(long from, long to) {
        List<UpsertRow> rows = new ArrayList<>();
        for (long id = from; id < to; id++) {
            rows.add(row(id, new float[] {id, 1f}, "n", id));
        }
        return WriteRequest.of(rows, null, null, "cosine_distance", false);
    }

    private static long scanned(TestNode node) {
        return node.queryOk(NS, QueryRequest.nearest(new float[] {1f, 1f}, 1)).exhaustiveSearchCount();
    }

    private static List<String> keys(ObjectStore store, String prefix) {
        return store.list(prefix, null, 1000).join().objects().stream().map(o -> o.key()).toList();
    }

    private static <T> void assertError(Class<? extends NamespaceException> kind, StatusReply<T> reply) {
        assertTrue(reply.isError(), () -> "expected " + kind.getSimpleName() + ", got " + reply);
        assertInstanceOf(kind, reply.getError(), () -> reply.getError().toString());
    }

    @Test
    void metadataCountsDocumentsThroughWritesDeletesAndIndexing() {
        try (TestNode node = new TestNode(io.local(dir), CONFIG)) {
            assertError(NamespaceException.NotFound.class, describe(node, NS));
            Instant before = Instant.now().minusSeconds(1);
            node.writeOk(NS, upsertRange(0, 6));
            node.writeOk(NS, WriteRequest.of(null, null, List.of(1L, 2L, 77L), null, false));
            NamespaceMetadata m = describeOk(node, NS);
            assertEquals(4, m.approxRowCount());
            assertTrue(m.unindexedBytes() > 0);
            assertEquals(m.unindexedBytes(), m.approxLogicalBytes());
            assertEquals("cosine_distance", m.distanceMetricOrNull());
            assertEquals(Map.of("n", new AttributeSpec("int", true, false), "vector", new AttributeSpec("[2]f32", null, true)),
                    m.schema());
            Instant created = Instant.parse(m.createdAt());
            assertTrue(!created.isBefore(before) && !Instant.parse(m.updatedAt()).isBefore(created), m.toString());

            node.writeOk(NS, upsertRange(10, 14)); // 10 operations in the tail: indexed into a segment
            node.kit.createTestProbe().awaitAssert(TestNode.TIMEOUT, () -> {
                assertEquals(0, scanned(node));
                return null;
            });
            m = describeOk(node, NS);
            assertEquals(8, m.approxRowCount());
            assertEquals(0, m.unindexedBytes());
            assertTrue(m.approxLogicalBytes() > 0);
            // Deletes and replacements of segment documents, in the tail.
            node.writeOk(NS, WriteRequest.of(List.of(row(0L, new float[] {1f, 1f}, "n", 100L)), null,
                    List.of(3L, 10L), null, false));
            assertEquals(6, describeOk(node, NS).approxRowCount());
        }
        try (TestNode node = new TestNode(io.local(dir), CONFIG)) {
            NamespaceMetadata m = describeOk(node, NS);
            assertEquals(6, m.approxRowCount());
            assertTrue(m.unindexedBytes() > 0);
        }
    }

    @Test
    void schemaUpdatesAddAttributesChangeFilterableAndRefuseTypeChanges() {
        try (TestNode node = new TestNode(io.local(dir), CONFIG)) {
            assertError(NamespaceException.NotFound.class, updateSchema(node, Map.of("s", new AttributeSpec("string", null, false))));
            node.writeOk(NS, upsertRange(0, 3));
            StatusReply<NamespaceMetadata> reply = updateSchema(node, Map.of("s", new AttributeSpec("string", null, false),
                    "n", new AttributeSpec("int", false, false)));
            assertFalse(reply.isError(), () -> reply.toString());
            assertEquals(new AttributeSpec("string", true, false), reply.getValue().schema().get("s"));
            assertEquals(new AttributeSpec("int", false, false), reply.getValue().schema().get("n"));
            assertTrue(node.query(NS, QueryRequest.nearest(new float[] {1f, 1f}, 3)
                    .withFilters(List.of("n", "Eq", 1L))).isError(), "n is no longer filterable");
            assertError(NamespaceException.BadRequest.class, updateSchema(node, Map.of("n", new AttributeSpec("string", null, false))));
            assertError(NamespaceException.BadRequest.class, updateSchema(node, Map.of("vector", new AttributeSpec("[3]f32", null, true))));
            // Writes of the declared attribute are checked against its type.
            assertError(NamespaceException.BadRequest.class, node.write(NS, WriteRequest.of(
                    List.of(row(9L, new float[] {1f, 1f}, "s", 5L)), null, null, null, false)));
            // Back to filterable, in a segment as well: filters work again.
            assertFalse(updateSchema(node, Map.of("n", new AttributeSpec("int", true, false))).isError());
            node.writeOk(NS, upsertRange(3, 12));
            node.kit.createTestProbe().awaitAssert(TestNode.TIMEOUT, () -> {
                assertEquals(0, scanned(node));
                return null;
            });
            assertEquals(List.of(4L), node.queryOk(NS, QueryRequest.nearest(new float[] {1f, 1f}, 3)
                    .withFilters(List.of("n", "Eq", 4L))).rows().stream().map(Row::id).toList());
            assertFalse(updateSchema(node, Map.of("n", new AttributeSpec("int", false, false))).isError());
        }
        // Durable: a new owner sees the declarations.
        try (TestNode node = new TestNode(io.local(dir), CONFIG)) {
            NamespaceMetadata m = describeOk(node, NS);
            assertEquals(new AttributeSpec("string", true, false), m.schema().get("s"));
            assertEquals(new AttributeSpec("int", false, false), m.schema().get("n"));
            assertEquals(12, m.approxRowCount());
        }
    }

    @Test
    void deletingANamespaceRemovesEverythingAndALaterWriteStartsAfresh() {
        LocalDirectoryObjectStore store = io.local(dir);
        try (TestNode node = new TestNode(store, CONFIG)) {
            node.writeOk(NS, upsertRange(0, 12)); // indexed: manifest, segment and WAL objects
            node.kit.createTestProbe().awaitAssert(TestNode.TIMEOUT, () -> {
                assertEquals(0, scanned(node));
                return null;
            });
            node.writeOk(NS, upsertRange(20, 22));
            // A write sent right after the delete is ordered after it: it recreates the namespace.
            TestProbe<StatusReply<Done>> deleted = sendDelete(node);
            TestProbe<StatusReply<WriteResult>> after = node.sendWrite(NS, upsertRange(100, 101));
            assertFalse(deleted.receiveMessage(TestNode.TIMEOUT).isError());
            WriteResult w = after.receiveMessage(TestNode.TIMEOUT).getValue();
            assertEquals(1, w.walSequence(), "the WAL starts again");
            assertEquals(List.of(100L), node.queryOk(NS, QueryRequest.orderBy("id", false, 100)).rows().stream()
                    .map(Row::id).toList());
            assertEquals(1, describeOk(node, NS).approxRowCount());

            assertFalse(sendDelete(node).receiveMessage(TestNode.TIMEOUT).isError());
            assertEquals(List.of(), keys(store, LAYOUT.prefix()));
            assertError(NamespaceException.NotFound.class, describe(node, NS));
            assertError(NamespaceException.NotFound.class, node.query(NS, QueryRequest.orderBy("id", false, 10)));
            assertEquals(List.of(), NamespaceCatalog.list(store, "", null, 10).join().names());
        }
        // A write sent before the delete is committed first; two deletes in a row both succeed.
        try (TestNode node = new TestNode(store, CONFIG)) {
            TestProbe<StatusReply<WriteResult>> before = node.sendWrite(NS, upsertRange(0, 5));
            TestProbe<StatusReply<Done>> first = sendDelete(node);
            TestProbe<StatusReply<Done>> second = sendDelete(node);
            assertEquals(5, before.receiveMessage(TestNode.TIMEOUT).getValue().upserted());
            assertFalse(first.receiveMessage(TestNode.TIMEOUT).isError());
            assertFalse(second.receiveMessage(TestNode.TIMEOUT).isError());
            assertError(NamespaceException.NotFound.class, describe(node, NS));
            assertEquals(List.of(), keys(store, LAYOUT.prefix()));
        }
        // Deleting a namespace that never existed succeeds (there is nothing left to delete).
        try (TestNode node = new TestNode(store, CONFIG)) {
            assertFalse(sendDelete(node).receiveMessage(TestNode.TIMEOUT).isError());
            assertError(NamespaceException.NotFound.class, describe(node, NS));
        }
    }

    @Test
    void aDeletionInterruptedAfterItsTombstoneIsFinishedByTheNextLoad() {
        LocalDirectoryObjectStore store = io.local(dir);
        try (TestNode node = new TestNode(store, CONFIG)) {
            node.writeOk(NS, upsertRange(0, 3));
        }
        // A crash right after the tombstone: every object is still there.
        store.put(NamespaceDeletion.tombstoneKey(LAYOUT), new byte[0]).join();
        assertEquals(List.of(), NamespaceCatalog.list(store, "", null, 10).join().names());
        try (TestNode node = new TestNode(store, CONFIG)) {
            assertError(NamespaceException.NotFound.class, describe(node, NS));
            assertEquals(List.of(), keys(store, LAYOUT.prefix()));
            node.writeOk(NS, upsertRange(5, 6));
            assertEquals(List.of(5L), node.queryOk(NS, QueryRequest.orderBy("id", false, 10)).rows().stream()
                    .map(Row::id).toList());
            assertEquals(List.of(NS), NamespaceCatalog.list(store, "", null, 10).join().names());
        }
    }
}
