package dev.strata.actors.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.actors.namespace.NamespaceProtocol.PatchRow;
import dev.strata.actors.namespace.NamespaceProtocol.QueryRequest;
import dev.strata.actors.namespace.NamespaceProtocol.QueryResult;
import dev.strata.actors.namespace.NamespaceProtocol.Row;
import dev.strata.actors.namespace.NamespaceProtocol.UpsertRow;
import dev.strata.actors.namespace.NamespaceProtocol.WriteRequest;
import dev.strata.actors.namespace.NamespaceProtocol.WriteResult;
import dev.strata.actors.storage.NamespaceLayout;
import dev.strata.actors.storage.NamespaceName;
import dev.strata.actors.storage.SequencedLog;
import dev.strata.actors.testing.IoPool;
import dev.strata.index.doc.DocId;
import dev.strata.index.doc.Document;
import dev.strata.index.doc.Schema;
import dev.strata.index.wal.WalWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The namespace entity on a real one-node cluster over a local-directory bucket. */
class NamespaceEntityTest {

    private static final String NS = "tenant-a";

    @TempDir
    Path dir;

    @RegisterExtension
    final IoPool io = new IoPool();

    static UpsertRow row(Object id, float[] vector, Object... keyValues) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            attributes.put((String) keyValues[i], keyValues[i + 1]);
        }
        return new UpsertRow(id, vector, attributes);
    }

    static WriteRequest upserts(UpsertRow... rows) {
        return WriteRequest.of(List.of(rows), null, null, "euclidean_squared", false);
    }

    static WriteRequest patches(PatchRow... rows) {
        return WriteRequest.of(null, List.of(rows), null, null, false);
    }

    static WriteRequest deletes(Object... ids) {
        return WriteRequest.of(null, null, List.of(ids), null, false);
    }

    static float[] v(float... values) {
        return values;
    }

    static Map<Object, Row> byId(QueryResult result) {
        return result.rows().stream().collect(Collectors.toMap(Row::id, r -> r, (a, b) -> {
            throw new AssertionError("duplicate row " + a.id());
        }, LinkedHashMap::new));
    }

    private long walObjects() {
        return new SequencedLog(io.local(dir), new NamespaceLayout(new NamespaceName(NS)).walPrefix()).sequences().join().size();
    }

    private static void assertError(Class<? extends NamespaceException> kind, StatusReply<?> reply) {
        assertTrue(reply.isError(), () -> "expected " + kind.getSimpleName() + ", got " + reply);
        assertInstanceOf(kind, reply.getError(), () -> reply.getError().toString());
    }

    @Test
    void writeThenQuerySeesTheWrite() {
        try (TestNode node = new TestNode(io.local(dir))) {
            WriteResult r = node.writeOk(NS, upserts(row(1L, v(0, 0), "color", "red", "size", 3L),
                    row("two", v(1, 1), "color", "blue", "size", 5L),
                    row(3L, v(5, 5), "color", "red", "tags", List.of("x", "y"))));
            assertEquals(1, r.walSequence());
            assertEquals(3, r.upserted());

            QueryResult nearest = node.queryOk(NS, QueryRequest.nearest(v(0.9f, 0.9f), 2).including(List.of("color")));
            assertEquals(List.of("two", 1L), nearest.rows().stream().map(Row::id).toList());
            assertEquals(0.02, nearest.rows().get(0).dist(), 1e-5);
            assertEquals(Map.of("color", "blue"), nearest.rows().get(0).attributes());
            assertEquals(3, nearest.exhaustiveSearchCount());
            assertEquals("hot", nearest.cacheTemperature());

            QueryResult filtered = node.queryOk(NS, QueryRequest.nearest(v(0, 0), 10)
                    .withFilters(List.of("color", "Eq", "red")).includingAll());
            assertEquals(List.of(1L, 3L), filtered.rows().stream().map(Row::id).toList());
            assertEquals(List.of("x", "y"), filtered.rows().get(1).attributes().get("tags"));

            QueryResult ordered = node.queryOk(NS, QueryRequest.orderBy("size", true, 10));
            assertEquals(List.of("two", 1L, 3L), ordered.rows().stream().map(Row::id).toList());
            assertNull(ordered.rows().get(0).dist());
        }
    }

    @Test
    void concurrentWritesGroupIntoOneWalObjectWhileTheFirstIsInFlight() throws Exception {
        HoldingObjectStore held = new HoldingObjectStore(io.local(dir));
        int n = 8;
        try (TestNode node = new TestNode(held)) {
            held.arm();
            TestProbe<StatusReply<WriteResult>> first = node.sendWrite(NS, upserts(row(0L, v(0, 0))));
            held.entered.get(20, TimeUnit.SECONDS);
            List<TestProbe<StatusReply<WriteResult>>> rest = new ArrayList<>();
            for (int i = 1; i < n; i++) {
                rest.add(node.sendWrite(NS, upserts(row((long) i, v(i, i)))));
            }
            // The query is handled after every write above was queued: none of them (nor the
            // held first one) is durable yet, so none may be visible.
            StatusReply<QueryResult> before = node.query(NS, QueryRequest.nearest(v(0, 0), 100));
            assertTrue(before.isSuccess() ? before.getValue().rows().isEmpty()
                    : before.getError() instanceof NamespaceException.NotFound, before::toString);
            first.expectNoMessage(java.time.Duration.ofMillis(100));
            assertEquals(0, walObjects());

            held.release.complete(null);
            assertEquals(1, first.receiveMessage(TestNode.TIMEOUT).getValue().walSequence());
            for (TestProbe<StatusReply<WriteResult>> p : rest) {
                assertEquals(2, p.receiveMessage(TestNode.TIMEOUT).getValue().walSequence());
            }
            assertEquals(2, walObjects());
            assertEquals(n, node.queryOk(NS, QueryRequest.nearest(v(0, 0), 100)).rows().size());
        }
    }

    @Test
    void aNewNodeRecoversEveryAcknowledgedWriteInOrder() {
        try (TestNode node = new TestNode(io.local(dir))) {
            node.writeOk(NS, upserts(row(1L, v(1, 0), "version", 1L), row(2L, v(2, 0), "version", 1L)));
            node.writeOk(NS, upserts(row(1L, v(1, 1), "version", 2L)));
            node.writeOk(NS, deletes(2L));
            node.writeOk(NS, patches(new PatchRow(1L, Map.of("version", 3L, "note", "patched"))));
        }
        try (TestNode node = new TestNode(io.local(dir))) {
            Map<Object, Row> rows = byId(node.queryOk(NS, QueryRequest.nearest(v(0, 0), 10).includingAll()));
            assertEquals(List.of(1L), List.copyOf(rows.keySet()));
            assertEquals(Map.of("version", 3L, "note", "patched", "vector", List.of(1.0, 1.0)),
                    rows.get(1L).attributes());
            assertEquals(2.0, rows.get(1L).dist(), 1e-6, "the newest vector (1, 1) survives the patch");
            assertEquals(5, node.writeOk(NS, upserts(row(9L, v(9, 9)))).walSequence());
        }
    }

    @Test
    void anotherOwnerFencesTheEntityWhichReloadsAndContinues() {
        try (TestNode node = new TestNode(io.local(dir))) {
            assertEquals(1, node.writeOk(NS, upserts(row(1L, v(1, 1), "by", "us"))).walSequence());

            // Another owner commits WAL entry 2 behind the entity's back.
            Schema schema = Schema.empty().admit(new Document(DocId.of(100), v(0, 0), Map.of("by", "them"))).schema();
            byte[] foreign = new WalWriter(schema)
                    .upsert(schema.admit(new Document(DocId.of(100), v(0, 0), Map.of("by", "them"))).document())
                    .finish();
            SequencedLog wal = new SequencedLog(io.local(dir), new NamespaceLayout(new NamespaceName(NS)).walPrefix());
            assertTrue(wal.create(2, foreign).join());

            StatusReply<WriteResult> fenced = node.write(NS, upserts(row(2L, v(2, 2), "by", "us")));
            assertError(NamespaceException.Unavailable.class, fenced);
            assertTrue(((NamespaceException) fenced.getError()).retryable());

            assertEquals(3, node.writeOk(NS, upserts(row(3L, v(3, 3), "by", "us"))).walSequence());
            Map<Object, Row> rows = byId(node.queryOk(NS, QueryRequest.nearest(v(0, 0), 10).including(List.of("by"))));
            assertEquals(List.of(100L, 1L, 3L), List.copyOf(rows.keySet()));
            assertEquals("them", rows.get(100L).attributes().get("by"));
        }
    }

    @Test
    void schemaViolationsAreRejectedAndNothingIsWritten() {
        try (TestNode node = new TestNode(io.local(dir))) {
            node.writeOk(NS, upserts(row(1L, v(1, 2), "n", 1L)));
            assertError(NamespaceException.BadRequest.class, node.write(NS, upserts(row(2L, v(1, 2), "n", "one"))));
            assertError(NamespaceException.BadRequest.class, node.write(NS, upserts(row(3L, v(1, 2, 3)))));
            assertError(NamespaceException.BadRequest.class, node.write(NS,
                    WriteRequest.of(List.of(row(4L, v(1, 2))), null, null, "cosine_distance", false)));
            assertError(NamespaceException.BadRequest.class, node.write(NS,
                    patches(new PatchRow(1L, Map.of("vector", List.of(1.0, 2.0))))));
            // One bad row fails the whole request: row 5 is not written either.
            assertError(NamespaceException.BadRequest.class, node.write(NS,
                    upserts(row(5L, v(1, 2)), row(6L, v(1, 2), "n", 2.5))));
            assertEquals(1, walObjects());
            assertEquals(List.of(1L), node.queryOk(NS, QueryRequest.nearest(v(0, 0), 10)).rows().stream()
                    .map(Row::id).toList());
        }
    }

    @Test
    void patchOfAMissingIdCreatesNothing() {
        try (TestNode node = new TestNode(io.local(dir))) {
            node.writeOk(NS, upserts(row(1L, v(1, 1), "color", "red")));
            Map<String, Object> removeColor = new HashMap<>();
            removeColor.put("color", null);
            removeColor.put("size", 4L);
            WriteResult r = node.writeOk(NS, patches(new PatchRow(99L, Map.of("color", "blue")),
                    new PatchRow(1L, removeColor)));
            assertEquals(1, r.patched());
            Map<Object, Row> rows = byId(node.queryOk(NS, QueryRequest.nearest(v(0, 0), 10).includingAll()));
            assertEquals(List.of(1L), List.copyOf(rows.keySet()));
            assertEquals(Map.of("size", 4L, "vector", List.of(1.0, 1.0)), rows.get(1L).attributes());
            WriteResult none = node.writeOk(NS, patches(new PatchRow(98L, Map.of("color", "blue"))));
            assertEquals(0, none.patched());
            assertEquals(2, walObjects(), "a write that changes nothing writes no WAL object");
        }
    }

    @Test
    void backpressureRefusesWritesPastTheUnindexedLimit() {
        try (TestNode node = new TestNode(io.local(dir), "strata.namespace.backpressure.max-unindexed-ops = 3")) {
            node.writeOk(NS, upserts(row(1L, v(1, 1)), row(2L, v(2, 2))));
            node.writeOk(NS, upserts(row(3L, v(3, 3))));
            StatusReply<WriteResult> refused = node.write(NS, upserts(row(4L, v(4, 4))));
            assertError(NamespaceException.TooManyRequests.class, refused);
            assertTrue(((NamespaceException) refused.getError()).retryable());
            node.writeOk(NS, WriteRequest.of(List.of(row(4L, v(4, 4))), null, null, null, true));
            assertEquals(4, node.queryOk(NS, QueryRequest.nearest(v(0, 0), 10)).rows().size());
        }
    }

    @Test
    void queriesOfAnEmptyNamespaceAreNotFoundAndBadQueriesAreRejected() {
        try (TestNode node = new TestNode(io.local(dir))) {
            assertError(NamespaceException.NotFound.class, node.query(NS, QueryRequest.nearest(v(0, 0), 10)));
            node.writeOk(NS, upserts(row(1L, v(1, 1), "color", "red")));
            assertError(NamespaceException.BadRequest.class, node.query(NS, QueryRequest.nearest(v(0, 0, 0), 10)));
            assertError(NamespaceException.BadRequest.class, node.query(NS,
                    QueryRequest.nearest(v(0, 0), 10).withFilters(List.of("color", "Bogus", 1))));
            assertError(NamespaceException.BadRequest.class, node.query(NS, QueryRequest.orderBy("missing", false, 1)));
            assertFalse(node.query(NS, QueryRequest.nearest(v(0, 0), 10)).isError());
        }
    }
}
