package dev.strata.actors.namespace;

import dev.strata.actors.namespace.NamespaceProtocol.Explain;
import dev.strata.actors.namespace.NamespaceProtocol.MultiQuery;
import dev.strata.actors.namespace.NamespaceProtocol.Query;
import dev.strata.actors.namespace.NamespaceProtocol.QueryRequest;
import dev.strata.actors.namespace.NamespaceProtocol.QueryResult;
import dev.strata.actors.namespace.NamespaceProtocol.Recall;
import dev.strata.actors.namespace.NamespaceProtocol.RecallRequest;
import dev.strata.actors.namespace.NamespaceProtocol.RecallResult;
import dev.strata.actors.namespace.NamespaceProtocol.Row;
import dev.strata.actors.namespace.NamespaceProtocol.UpsertRow;
import dev.strata.actors.namespace.NamespaceProtocol.WarmCache;
import dev.strata.actors.namespace.NamespaceProtocol.WriteRequest;
import dev.strata.actors.storage.NamespaceLayout;
import dev.strata.actors.storage.NamespaceName;
import dev.strata.actors.storage.SequencedLog;
import dev.strata.actors.testing.IoPool;
import dev.strata.config.StrataThreads;
import dev.strata.index.doc.DocId;
import dev.strata.index.doc.Document;
import dev.strata.index.doc.Schema;
import dev.strata.index.io.ByteRange;
import dev.strata.index.wal.WalWriter;
import dev.strata.tiering.store.CountingObjectStore;
import dev.strata.tiering.store.ObjectInfo;
import dev.strata.tiering.store.ObjectStore;
import dev.strata.tiering.testing.ForwardingObjectStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import static dev.strata.actors.namespace.NamespaceEntityTest.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;


/**
 * The query side of the namespace entity on a real one-node cluster: exact kNN, attribute
 * selection and vectors, Count aggregates, strong and eventual consistency against another
 * owner's write, the per-namespace query limit, multi-query, explain, recall and cache warm-up.
 * Documents 0..39 are indexed into one segment, 40..59 stay in the tail.
 */
class QuerySideTest {

    private static final String NS = "tenant-q";
    private static final int DOCS = 60;
    private static final String SEGMENT_OF_40 = "strata.namespace.indexing.after-quiet = 1h\n"
            + "strata.namespace.indexing.after-ops = 40\n";
    private static final String[] COLORS = {"red", "green", "blue"};

    @TempDir
    Path dir;

    @RegisterExtension
    final IoPool io = new IoPool();

    private final Map<Long, float[]> vectors = new TreeMap<>();
    private final Map<Long, String> colors = new TreeMap<>();

    /** Documents 0..59: a 4-d vector, "n" = id and "color" (missing for multiples of 7). */
    private void populate(TestNode node) {
        Random random = new Random(7);
        List<UpsertRow> first = new ArrayList<>();
        List<UpsertRow> second = new ArrayList<>();
        for (long id = 0; id < DOCS; id++) {
            float[] v = {random.nextFloat(), random.nextFloat(), random.nextFloat(), random.nextFloat()};
            vectors.put(id, v);
            UpsertRow row = id % 7 == 0 ? row(id, v, "n", id) : row(id, v, "n", id, "color", COLORS[(int) (id % 3)]);
            if (id % 7 != 0) {
                colors.put(id, COLORS[(int) (id % 3)]);
            }
            (id < 40 ? first : second).add(row);
        }
        node.writeOk(NS, WriteRequest.of(first, null, null, "euclidean_squared", false));
        // The indexing pass over the first 40 finishes before the rest is written.
        node.kit.createTestProbe().awaitAssert(TestNode.TIMEOUT, () -> {
            assertEquals(0, node.queryOk(NS, QueryRequest.nearest(vectors.get(0L), 1)).exhaustiveSearchCount());
            return null;
        });
        node.writeOk(NS, WriteRequest.of(second, null, null, null, false));
        assertEquals(20, node.queryOk(NS, QueryRequest.nearest(vectors.get(0L), 1)).exhaustiveSearchCount());
    }

    private static double distance(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            sum += d * d;
        }
        return sum;
    }

    private List<Long> bruteForce(float[] q, int k, java.util.function.LongPredicate allowed) {
        return vectors.keySet().stream().filter(allowed::test)
                .sorted(Comparator.comparingDouble((Long id) -> distance(q, vectors.get(id))).thenComparing(id -> id))
                .limit(k).toList();
    }

    private static List<Object> ids(QueryResult r) {
        return r.rows().stream().map(Row::id).toList();
    }

    private static QueryRequest exact(float[] q, int k, Object filters) {
        return new QueryRequest(q, true, null, false, k, filters, List.of(), false, List.of(), false, Map.of(), List.of());
    }

    private static QueryRequest aggregate(Object filters, List<String> groupBy, int topK, Map<String, Object> aggregates) {
        return new QueryRequest(null, false, null, false, topK, filters, List.of(), false, List.of(), false, aggregates,
                groupBy);
    }

    private static QueryRequest eventual(QueryRequest q) {
        return new QueryRequest(q.vectorOrNull(), q.exact(), q.orderByOrNull(), q.descending(), q.topK(),
                q.filtersOrNull(), q.includeAttributes(), q.includeAllAttributes(), q.excludeAttributes(), true,
                q.aggregateBy(), q.groupBy());
    }

    private static void assertError(Class<? extends NamespaceException> kind, StatusReply<?> reply, String fragment) {
        assertTrue(reply.isError(), () -> "expected " + kind.getSimpleName() + ", got " + reply);
        assertInstanceOf(kind, reply.getError());
        assertTrue(reply.getError().getMessage().contains(fragment), reply.getError().getMessage());
    }

    // ---- kNN, attributes, vectors

    @Test
    void exactKnnScoresEveryAllowedDocumentAndRequiresAFilter() {
        try (TestNode node = new TestNode(io.local(dir), SEGMENT_OF_40)) {
            populate(node);
            float[] q = {0.5f, 0.5f, 0.5f, 0.5f};
            QueryResult red = node.queryOk(NS, exact(q, 7, List.of("color", "Eq", "red")));
            assertEquals(bruteForce(q, 7, id -> "red".equals(colors.get(id))), ids(red));
            for (Row r : red.rows()) {
                assertEquals(distance(q, vectors.get((Long) r.id())), r.dist(), 1e-5);
            }
            QueryResult wide = node.queryOk(NS, exact(q, 100, List.of("n", "Gte", 0L)));
            assertEquals(bruteForce(q, 100, id -> true), ids(wide), "every document, from segment and tail");

            assertError(NamespaceException.BadRequest.class, node.query(NS, exact(q, 5, null)), "requires filters");
            assertError(NamespaceException.BadRequest.class, node.query(NS, exact(null, 5, List.of("n", "Gte", 0L))),
                    "query vector");
        }
    }

    @Test
    void rowsCarryVectorsAndLeaveOutExcludedAttributes() {
        try (TestNode node = new TestNode(io.local(dir), SEGMENT_OF_40)) {
            populate(node);
            QueryRequest all = QueryRequest.orderBy("n", false, DOCS).includingAll();
            QueryResult everything = node.queryOk(NS, all);
            assertEquals(DOCS, everything.rows().size());
            for (Row r : everything.rows()) {
                long id = (Long) r.id();
                Map<String, Object> expected = new HashMap<>();
                expected.put("n", id);
                if (colors.containsKey(id)) {
                    expected.put("color", colors.get(id));
                }
                expected.put("vector", QueryExecution.vectorJson(vectors.get(id)));
                assertEquals(expected, r.attributes(), "document " + id + (id < 40 ? " (segment)" : " (tail)"));
            }
            QueryRequest excluding = new QueryRequest(null, false, "n", false, DOCS, null, List.of(), true,
                    List.of("vector", "color"), false, Map.of(), List.of());
            for (Row r : node.queryOk(NS, excluding).rows()) {
                assertEquals(Map.of("n", r.id()), r.attributes());
            }
            QueryResult onlyVector = node.queryOk(NS, QueryRequest.nearest(vectors.get(45L), 2).including(List.of("vector")));
            assertEquals(45L, onlyVector.rows().get(0).id());
            assertEquals(Map.of("vector", QueryExecution.vectorJson(vectors.get(45L))), onlyVector.rows().get(0).attributes());
            assertEquals(DOCS, onlyVector.approxRowCount());
        }
    }

    @Test
    void queriesNeverSearchOnTheEntitysThreadEvenWhenComputeIsQuick() {
        // Threads that read a segment's bytes (the reader has no memory tier: every query reads).
        java.util.Set<String> readers = java.util.concurrent.ConcurrentHashMap.newKeySet();
        ObjectStore recording = new ForwardingObjectStore(io.local(dir)) {
            @Override
            public CompletableFuture<byte[]> getRange(String key, ByteRange range) {
                if (key.contains("/segments/")) {
                    readers.add(Thread.currentThread().getName());
                }
                return delegate.getRange(key, range);
            }
        };
        // A compute task handed over from another pool has finished when the hand-over returns,
        // as it may on a fast pool: the caller then finds every stage it chains complete.
        java.util.function.UnaryOperator<Executor> quick = compute -> task -> {
            if (StrataThreads.onPool(StrataThreads.COMPUTE)) {
                compute.execute(task);
            } else {
                CompletableFuture.runAsync(task, compute).join();
            }
        };
        try (TestNode node = new TestNode(recording, SEGMENT_OF_40, null, quick)) {
            populate(node);
            readers.clear();
            float[] q = {0.5f, 0.5f, 0.5f, 0.5f};
            assertEquals(bruteForce(q, 5, id -> true), ids(node.queryOk(NS,
                    new QueryRequest(q, false, null, false, 5, null, List.of("vector"), false, List.of(), false,
                            Map.of(), List.of()))), "ANN over 60 documents is exact");
            assertEquals(bruteForce(q, 3, id -> "red".equals(colors.get(id))),
                    ids(node.queryOk(NS, exact(q, 3, List.of("color", "Eq", "red")))));
            node.queryOk(NS, QueryRequest.orderBy("n", true, 3).includingAll());
            node.queryOk(NS, aggregate(null, List.of("color"), 10, Map.of("count", List.of("Count"))));
            assertFalse(readers.isEmpty(), "the queries read the segment");
            for (String thread : readers) {
                assertFalse(thread.contains("pekko.actor"), "a segment read was issued on " + thread);
            }
        }
    }

    // ---- aggregates

    @Test
    void countAggregatesOverSegmentAndTailWithAndWithoutGroups() {
        try (TestNode node = new TestNode(io.local(dir), SEGMENT_OF_40)) {
            populate(node);
            node.writeOk(NS, NamespaceEntityTest.deletes(1L, 44L));
            colors.remove(1L);
            colors.remove(44L);
            vectors.remove(1L);
            vectors.remove(44L);

            QueryResult total = node.queryOk(NS, aggregate(null, List.of(), 10, Map.of("count", List.of("Count"))));
            assertEquals(Map.of("count", (long) vectors.size()), total.aggregations());
            assertTrue(total.rows().isEmpty());
            assertEquals(vectors.size(), total.approxRowCount());

            QueryResult big = node.queryOk(NS, aggregate(List.of("n", "Gte", 30L), List.of(), 10,
                    Map.of("a", List.of("Count"), "b", List.of("Count"))));
            long expected = vectors.keySet().stream().filter(id -> id >= 30).count();
            assertEquals(Map.of("a", expected, "b", expected), big.aggregations());

            QueryResult groups = node.queryOk(NS, aggregate(List.of("n", "Lt", 50L), List.of("color"), 10,
                    Map.of("count", List.of("Count"))));
            Map<String, Long> byColor = new TreeMap<>();
            long missing = 0;
            for (long id : vectors.keySet()) {
                if (id < 50) {
                    if (colors.containsKey(id)) {
                        byColor.merge(colors.get(id), 1L, Long::sum);
                    } else {
                        missing++;
                    }
                }
            }
            List<Map<String, Object>> want = new ArrayList<>();
            Map<String, Object> none = new LinkedHashMap<>();
            none.put("color", null);
            none.put("count", missing);
            want.add(none);
            byColor.forEach((color, n) -> want.add(Map.of("color", color, "count", n)));
            assertEquals(want, groups.aggregationGroups(), "a missing value first, then by value");
            assertTrue(groups.aggregations().isEmpty());

            QueryResult firstTwo = node.queryOk(NS, aggregate(null, List.of("color"), 2, Map.of("count", List.of("Count"))));
            assertEquals(2, firstTwo.aggregationGroups().size(), "top_k limits the groups");
            assertEquals("blue", firstTwo.aggregationGroups().get(1).get("color"));

            assertError(NamespaceException.BadRequest.class, node.query(NS, aggregate(null, List.of(), 10,
                    Map.of("total", List.of("Sum", "n")))), "'total'");
            assertError(NamespaceException.BadRequest.class, node.query(NS, aggregate(null, List.of(), 10,
                    Map.of("c", List.of("Count", "color")))), "unsupported aggregate");
            assertError(NamespaceException.BadRequest.class, node.query(NS, aggregate(null, List.of("nope"), 10,
                    Map.of("c", List.of("Count")))), "'nope'");
            assertError(NamespaceException.BadRequest.class, node.query(NS, aggregate(null, List.of("color"), 10,
                    Map.of())), "group_by");
        }
    }

    // ---- consistency

    /** Commits WAL entry {@code sequence} as another owner would, with document 100. */
    private void foreignWrite(long sequence) {
        Document doc = new Document(DocId.of(100), new float[] {0, 0, 0, 0}, Map.of("n", 100L));
        Schema schema = Schema.empty().admit(doc).schema();
        byte[] bytes = new WalWriter(schema).upsert(schema.admit(doc).document()).finish();
        SequencedLog wal = new SequencedLog(io.local(dir), new NamespaceLayout(new NamespaceName(NS)).walPrefix());
        assertTrue(wal.create(sequence, bytes).join());
    }

    @Test
    void aStrongQuerySeesAnotherOwnersWriteAndAnEventualOneNeedNot() {
        CountingObjectStore counting = new CountingObjectStore(io.local(dir), io.executor());
        try (TestNode node = new TestNode(counting)) {
            node.writeOk(NS, NamespaceEntityTest.upserts(row(1L, new float[] {1, 1, 1, 1}, "n", 1L)));
            QueryRequest byN = QueryRequest.orderBy("n", false, 10);
            foreignWrite(2);

            long heads = counting.count(CountingObjectStore.Operation.HEAD);
            assertEquals(List.of(1L), ids(node.queryOk(NS, eventual(byN))), "eventual answers from what it has");
            assertEquals(heads, counting.count(CountingObjectStore.Operation.HEAD), "eventual skips the check");

            assertEquals(List.of(1L, 100L), ids(node.queryOk(NS, byN)), "strong reloads and sees the foreign write");
            assertEquals(3, node.writeOk(NS, NamespaceEntityTest.upserts(row(3L, new float[] {3, 3, 3, 3}, "n", 3L)))
                    .walSequence());

            heads = counting.count(CountingObjectStore.Operation.HEAD);
            for (int i = 0; i < 3; i++) {
                assertEquals(List.of(1L, 3L, 100L), ids(node.queryOk(NS, byN)));
            }
            assertEquals(heads + 3, counting.count(CountingObjectStore.Operation.HEAD), "one HEAD per strong query");
        }
    }

    @Test
    void aStrongQueryRunsWhileItsCheckIsInFlightAndAnswersOnlyOnceItComesBackClean() {
        HeadGate gate = new HeadGate(io.local(dir));
        HoldAll compute = new HoldAll();
        try (TestNode node = new TestNode(gate, "", null, compute::wrap)) {
            node.writeOk(NS, NamespaceEntityTest.upserts(row(1L, new float[] {1, 1, 1, 1}, "n", 1L)));
            QueryRequest byN = QueryRequest.orderBy("n", false, 10);
            assertEquals(List.of(1L), ids(node.queryOk(NS, byN)));

            gate.hold.set(true);
            compute.holding.set(true);
            TestProbe<StatusReply<QueryResult>> clean = send(node, byN);
            // The query was handed to the compute pool while its HEAD is still out.
            node.kit.createTestProbe().awaitAssert(TestNode.TIMEOUT, () -> {
                assertEquals(1, gate.held.size());
                assertFalse(compute.held.isEmpty());
                return null;
            });
            compute.releaseAll();
            clean.expectNoMessage(Duration.ofMillis(300));
            gate.hold.set(false);
            gate.releaseAll();
            assertEquals(List.of(1L), ids(clean.receiveMessage(TestNode.TIMEOUT).getValue()));

            // Another owner's write, acknowledged before the query arrives: the answer computed
            // from the snapshot without it while the check is out must never be sent.
            gate.hold.set(true);
            foreignWrite(2);
            TestProbe<StatusReply<QueryResult>> stale = send(node, byN);
            node.kit.createTestProbe().awaitAssert(TestNode.TIMEOUT, () -> {
                assertEquals(1, gate.held.size());
                return null;
            });
            stale.expectNoMessage(Duration.ofMillis(300));
            gate.hold.set(false);
            gate.releaseAll();
            assertEquals(List.of(1L, 100L), ids(stale.receiveMessage(TestNode.TIMEOUT).getValue()),
                    "the check found WAL entry 2: reloaded and ran again");
            assertEquals(List.of(1L, 100L), ids(node.queryOk(NS, byN)));
        }
    }

    @Test
    void strongQueriesArrivingDuringACheckShareTheNextOne() {
        HeadGate gate = new HeadGate(new CountingObjectStore(io.local(dir), io.executor()));
        try (TestNode node = new TestNode(gate)) {
            node.writeOk(NS, NamespaceEntityTest.upserts(row(1L, new float[] {1, 1, 1, 1}, "n", 1L)));
            QueryRequest byN = QueryRequest.orderBy("n", false, 10);
            gate.hold.set(true);
            List<TestProbe<StatusReply<QueryResult>>> probes = new ArrayList<>();
            probes.add(send(node, byN));
            node.kit.createTestProbe().awaitAssert(TestNode.TIMEOUT, () -> {
                assertEquals(1, gate.held.size());
                return null;
            });
            // Another owner writes while the first check is in flight; the queries sent after it
            // must see it, and share one more check.
            foreignWrite(2);
            for (int i = 0; i < 4; i++) {
                probes.add(send(node, byN));
            }
            gate.hold.set(false);
            gate.releaseAll();
            List<Object> first = ids(probes.get(0).receiveMessage(TestNode.TIMEOUT).getValue());
            assertTrue(first.equals(List.of(1L)) || first.equals(List.of(1L, 100L)), first::toString);
            for (TestProbe<StatusReply<QueryResult>> p : probes.subList(1, probes.size())) {
                assertEquals(List.of(1L, 100L), ids(p.receiveMessage(TestNode.TIMEOUT).getValue()));
            }
            // The first check found the foreign entry, so all five reloaded; after the reload one
            // check for the first query and one shared by the four that came while it ran.
            assertEquals(3, gate.heads.get());

            // A check that fails fails its query retryably (consistency first); eventual still answers.
            gate.failHeads.set(true);
            StatusReply<QueryResult> unchecked = send(node, byN).receiveMessage(TestNode.TIMEOUT);
            assertError(NamespaceException.Unavailable.class, unchecked, "bucket unreachable");
            assertTrue(((NamespaceException) unchecked.getError()).retryable());
            assertEquals(List.of(1L, 100L), ids(node.queryOk(NS, eventual(byN))));
            gate.failHeads.set(false);
            assertEquals(List.of(1L, 100L), ids(node.queryOk(NS, byN)));
        }
    }

    @Test
    void aCheckThatFindsTheOwnersOwnCreateInFlightWaitsForItsOutcome() {
        HeadGate gate = new HeadGate(io.local(dir));
        try (TestNode node = new TestNode(gate)) {
            node.writeOk(NS, NamespaceEntityTest.upserts(row(1L, new float[] {1, 1, 1, 1}, "n", 1L)));
            gate.holdAcks.set(true);
            TestProbe<StatusReply<NamespaceProtocol.WriteResult>> write = node.sendWrite(NS,
                    NamespaceEntityTest.upserts(row(2L, new float[] {2, 2, 2, 2}, "n", 2L)));
            SequencedLog wal = new SequencedLog(io.local(dir), new NamespaceLayout(new NamespaceName(NS)).walPrefix());
            node.kit.createTestProbe().awaitAssert(TestNode.TIMEOUT, () -> {
                assertEquals(List.of(1L, 2L), wal.sequences().join());
                return null;
            });
            int heads = gate.heads.get();
            // WAL entry 2 exists but is not acknowledged: the check cannot tell whose it is.
            TestProbe<StatusReply<QueryResult>> query = send(node, QueryRequest.orderBy("n", false, 10));
            query.expectNoMessage(Duration.ofMillis(300));
            assertEquals(heads + 1, gate.heads.get());
            gate.ackRelease.complete(null);
            assertEquals(2, write.receiveMessage(TestNode.TIMEOUT).getValue().walSequence());
            assertEquals(List.of(1L, 2L), ids(query.receiveMessage(TestNode.TIMEOUT).getValue()));
            assertEquals(heads + 2, gate.heads.get(), "one more check, of entry 3, once entry 2 proved to be ours");
        }
    }

    private static TestProbe<StatusReply<QueryResult>> send(TestNode node, QueryRequest q) {
        TestProbe<StatusReply<QueryResult>> probe = node.kit.createTestProbe();
        node.region.tell(new ShardingEnvelope<>(NS, new Query(q, probe.getRef())));
        return probe;
    }

    // ---- the per-namespace limit

    @Test
    void theSeventeenthQueryWaitsThenGetsTooManyRequests() {
        HoldAll hold = new HoldAll();
        try (TestNode node = new TestNode(io.local(dir), "strata.namespace.queries.queue-timeout = 300ms\n", null,
                hold::wrap)) {
            node.writeOk(NS, NamespaceEntityTest.upserts(row(1L, new float[] {1, 1, 1, 1}, "n", 1L)));
            QueryRequest q = eventual(QueryRequest.orderBy("n", false, 10));
            node.queryOk(NS, q);
            hold.holding.set(true);
            List<TestProbe<StatusReply<QueryResult>>> running = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                running.add(send(node, q));
            }
            node.kit.createTestProbe().awaitAssert(TestNode.TIMEOUT, () -> {
                assertEquals(16, hold.held.size());
                return null;
            });
            StatusReply<QueryResult> refused = send(node, q).receiveMessage(TestNode.TIMEOUT);
            assertError(NamespaceException.TooManyRequests.class, refused, "limit 16");
            assertTrue(((NamespaceException) refused.getError()).retryable());
            assertEquals(16, hold.held.size(), "the refused query never ran");
            hold.releaseAll();
            running.forEach(p -> assertEquals(List.of(1L), ids(p.receiveMessage(TestNode.TIMEOUT).getValue())));
            assertEquals(List.of(1L), ids(node.queryOk(NS, q)), "the slots came back");
        }
    }

    @Test
    void aWaitingQueryRunsWhenASlotFreesAndAggregationsTakeFourSlots() {
        HoldAll hold = new HoldAll();
        try (TestNode node = new TestNode(io.local(dir), "strata.namespace.queries.max-concurrent = 5\n"
                + "strata.namespace.queries.queue-timeout = 20s\n", null, hold::wrap)) {
            node.writeOk(NS, NamespaceEntityTest.upserts(row(1L, new float[] {1, 1, 1, 1}, "n", 1L)));
            QueryRequest q = eventual(QueryRequest.orderBy("n", false, 10));
            node.queryOk(NS, q);
            hold.holding.set(true);
            TestProbe<StatusReply<QueryResult>> one = send(node, q);
            TestProbe<StatusReply<QueryResult>> two = send(node, q);
            node.kit.createTestProbe().awaitAssert(TestNode.TIMEOUT, () -> {
                assertEquals(2, hold.held.size());
                return null;
            });
            // 2 of 5 slots taken: an aggregation (4 slots) waits, and a plain query behind it too (FIFO).
            TestProbe<StatusReply<QueryResult>> count = send(node,
                    eventual(aggregate(null, List.of(), 10, Map.of("c", List.of("Count")))));
            TestProbe<StatusReply<QueryResult>> three = send(node, q);
            count.expectNoMessage(Duration.ofMillis(300));
            assertEquals(2, hold.held.size());
            hold.holding.set(false);
            hold.releaseAll();
            assertEquals(List.of(1L), ids(one.receiveMessage(TestNode.TIMEOUT).getValue()));
            assertEquals(List.of(1L), ids(two.receiveMessage(TestNode.TIMEOUT).getValue()));
            assertEquals(Map.of("c", 1L), count.receiveMessage(TestNode.TIMEOUT).getValue().aggregations());
            assertEquals(List.of(1L), ids(three.receiveMessage(TestNode.TIMEOUT).getValue()));
        }
    }

    // ---- multi-query, explain, recall, warm-up

    @Test
    void aMultiQueryAnswersInOrderFromOneSnapshot() {
        try (TestNode node = new TestNode(io.local(dir), SEGMENT_OF_40)) {
            populate(node);
            QueryRequest countAll = aggregate(null, List.of(), 10, Map.of("c", List.of("Count")));
            QueryRequest nearest = QueryRequest.nearest(vectors.get(50L), 1);
            QueryRequest byN = QueryRequest.orderBy("n", true, 1);
            List<QueryResult> results = multi(node, List.of(countAll, nearest, byN)).getValue();
            assertEquals(Map.of("c", (long) DOCS), results.get(0).aggregations());
            assertEquals(List.of(50L), ids(results.get(1)));
            assertEquals(List.of((long) DOCS - 1), ids(results.get(2)));

            // Writes race with multi-queries: each multi-query's parts agree with each other.
            List<TestProbe<StatusReply<List<QueryResult>>>> probes = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                node.sendWrite(NS, NamespaceEntityTest.upserts(row(1000L + i, new float[] {1, 2, 3, 4}, "n", 1000L + i)));
                TestProbe<StatusReply<List<QueryResult>>> probe = node.kit.createTestProbe();
                node.region.tell(new ShardingEnvelope<>(NS, new MultiQuery(List.of(countAll, byN, countAll),
                        probe.getRef())));
                probes.add(probe);
            }
            for (TestProbe<StatusReply<List<QueryResult>>> p : probes) {
                List<QueryResult> r = p.receiveMessage(TestNode.TIMEOUT).getValue();
                long n = (Long) r.get(0).aggregations().get("c");
                assertEquals(n, r.get(2).aggregations().get("c"));
                assertEquals(n, r.get(1).approxRowCount());
                assertEquals(List.of(n == DOCS ? (long) DOCS - 1 : 1000L + n - DOCS - 1), ids(r.get(1)));
            }

            List<QueryRequest> seventeen = new ArrayList<>();
            for (int i = 0; i < 17; i++) {
                seventeen.add(byN);
            }
            assertError(NamespaceException.BadRequest.class, multi(node, seventeen), "16");
            assertError(NamespaceException.BadRequest.class, multi(node, List.of()), "1 to 16");
            assertError(NamespaceException.BadRequest.class, multi(node, List.of(byN, exact(vectors.get(1L), 1, null))),
                    "requires filters");
        }
    }

    private static StatusReply<List<QueryResult>> multi(TestNode node, List<QueryRequest> queries) {
        TestProbe<StatusReply<List<QueryResult>>> probe = node.kit.createTestProbe();
        node.region.tell(new ShardingEnvelope<>(NS, new MultiQuery(queries, probe.getRef())));
        return probe.receiveMessage(TestNode.TIMEOUT);
    }

    @Test
    void explainDescribesSegmentsFilterStrategyAndTail() {
        try (TestNode node = new TestNode(io.local(dir), SEGMENT_OF_40)) {
            populate(node);
            String plan = explain(node, QueryRequest.nearest(vectors.get(3L), 5)).getValue();
            assertTrue(plan.contains("ANN top_k=5"), plan);
            assertTrue(plan.contains(": 40 live of 40 documents"), plan);
            assertTrue(plan.contains("probes the"), plan);
            assertTrue(plan.contains("tail: exact scan of 20 unindexed documents in 1 WAL entries"), plan);
            assertTrue(plan.contains("consistency: strong"), plan);
            assertTrue(plan.contains("cache: "), plan);

            String filtered = explain(node, QueryRequest.nearest(vectors.get(3L), 5)
                    .withFilters(List.of("color", "Eq", "red"))).getValue();
            long redInSegment = colors.entrySet().stream().filter(e -> e.getKey() < 40 && e.getValue().equals("red")).count();
            assertTrue(filtered.contains(redInSegment + " allowed by the filter"), filtered);
            assertTrue(filtered.contains("exact scoring of the " + redInSegment + " allowed documents"), filtered);

            String counting = explain(node, aggregate(null, List.of("color"), 3, Map.of("c", List.of("Count")))).getValue();
            assertTrue(counting.contains("grouped by [color]"), counting);

            assertError(NamespaceException.BadRequest.class, explain(node, QueryRequest.orderBy("nope", false, 1)), "nope");
            assertError(NamespaceException.NotFound.class, explainIn(node, "missing-ns", QueryRequest.nearest(vectors.get(3L), 5)),
                    "not found");
        }
    }

    private static StatusReply<String> explain(TestNode node, QueryRequest q) {
        return explainIn(node, NS, q);
    }

    private static StatusReply<String> explainIn(TestNode node, String ns, QueryRequest q) {
        TestProbe<StatusReply<String>> probe = node.kit.createTestProbe();
        node.region.tell(new ShardingEnvelope<>(ns, new Explain(q, probe.getRef())));
        return probe.receiveMessage(TestNode.TIMEOUT);
    }

    @Test
    void recallOfASmallNamespaceIsOneAndNeedsVectors() {
        try (TestNode node = new TestNode(io.local(dir), SEGMENT_OF_40)) {
            populate(node);
            RecallResult r = recall(node, NS, new RecallRequest(10, 5, null)).getValue();
            assertEquals(1.0, r.avgRecall(), 1e-9, "every partition is probed in a namespace this small");
            assertEquals(5.0, r.avgAnnCount(), 1e-9);
            assertEquals(5.0, r.avgExhaustiveCount(), 1e-9);
            RecallResult defaults = recall(node, NS, new RecallRequest(0, 0, List.of("color", "Eq", "blue"))).getValue();
            assertEquals(1.0, defaults.avgRecall(), 1e-9);
            long blue = colors.values().stream().filter("blue"::equals).count();
            assertEquals(Math.min(RecallExecution.DEFAULT_TOP_K, blue), defaults.avgExhaustiveCount(), 1e-9);

            assertError(NamespaceException.NotFound.class, recall(node, "missing-ns", new RecallRequest(5, 5, null)),
                    "not found");
            node.writeOk("no-vectors", WriteRequest.of(List.of(row(1L, null, "n", 1L)), null, null, null, false));
            assertError(NamespaceException.BadRequest.class, recall(node, "no-vectors", new RecallRequest(5, 5, null)),
                    "vectors");
        }
    }

    private static StatusReply<RecallResult> recall(TestNode node, String ns, RecallRequest request) {
        TestProbe<StatusReply<RecallResult>> probe = node.kit.createTestProbe();
        node.region.tell(new ShardingEnvelope<>(ns, new Recall(request, probe.getRef())));
        return probe.receiveMessage(TestNode.TIMEOUT);
    }

    @Test
    void warmingReadsEverySegmentByteInTheBackground() {
        try (TestNode node = new TestNode(io.local(dir), SEGMENT_OF_40)) {
            populate(node);
        }
        CountingObjectStore counting = new CountingObjectStore(io.local(dir), io.executor());
        try (TestNode node = new TestNode(counting)) {
            TestProbe<StatusReply<Done>> probe = node.kit.createTestProbe();
            node.region.tell(new ShardingEnvelope<>(NS, new WarmCache(probe.getRef())));
            assertTrue(probe.receiveMessage(TestNode.TIMEOUT).isSuccess());
            node.kit.createTestProbe().awaitAssert(TestNode.TIMEOUT, () -> {
                Map<String, List<ByteRange>> read = new HashMap<>();
                for (CountingObjectStore.Request r : counting.requests()) {
                    if (r.key().contains("/segments/") && r.range() != null) {
                        read.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.range());
                    }
                }
                assertEquals(1, read.size());
                Map.Entry<String, List<ByteRange>> segment = read.entrySet().iterator().next();
                long size = counting.head(segment.getKey()).join().orElseThrow().size();
                assertTrue(covered(segment.getValue()) >= size, "every byte of the segment was read");
                return null;
            });
            assertEquals(DOCS, node.queryOk(NS, QueryRequest.orderBy("n", false, 100)).rows().size());
        }
    }

    private static long covered(List<ByteRange> ranges) {
        List<ByteRange> sorted = new ArrayList<>(ranges);
        sorted.sort(Comparator.naturalOrder());
        long total = 0;
        long end = 0;
        for (ByteRange r : sorted) {
            long start = Math.max(end, r.start());
            if (r.end() > start) {
                total += r.end() - start;
                end = r.end();
            }
        }
        return total;
    }

    // ---- test doubles

    /** Holds every task while {@code holding}; {@link #releaseAll} runs the held ones. */
    private static final class HoldAll {
        final AtomicBoolean holding = new AtomicBoolean();
        final ConcurrentLinkedQueue<Runnable> held = new ConcurrentLinkedQueue<>();
        private Executor delegate;

        Executor wrap(Executor compute) {
            delegate = compute;
            return task -> {
                if (holding.get()) {
                    held.add(task);
                } else {
                    compute.execute(task);
                }
            };
        }

        void releaseAll() {
            holding.set(false);
            Runnable task;
            while ((task = held.poll()) != null) {
                delegate.execute(task);
            }
        }
    }

    /** Counts HEADs and holds them while {@code hold}. */
    private static final class HeadGate extends ForwardingObjectStore {
        final AtomicBoolean hold = new AtomicBoolean();
        final AtomicInteger heads = new AtomicInteger();
        final ConcurrentLinkedQueue<CompletableFuture<Void>> held = new ConcurrentLinkedQueue<>();
        final AtomicBoolean holdAcks = new AtomicBoolean();
        final AtomicBoolean failHeads = new AtomicBoolean();
        final CompletableFuture<Void> ackRelease = new CompletableFuture<>();

        HeadGate(ObjectStore delegate) {
            super(delegate);
        }

        void releaseAll() {
            CompletableFuture<Void> f;
            while ((f = held.poll()) != null) {
                f.complete(null);
            }
        }

        @Override
        public CompletableFuture<Optional<ObjectInfo>> head(String key) {
            if (!key.contains("/wal/")) {
                return delegate.head(key);
            }
            heads.incrementAndGet();
            if (failHeads.get()) {
                return CompletableFuture.failedFuture(new IllegalStateException("bucket unreachable"));
            }
            if (!hold.get()) {
                return delegate.head(key);
            }
            CompletableFuture<Void> gate = new CompletableFuture<>();
            held.add(gate);
            return gate.thenCompose(ignored -> delegate.head(key));
        }

        @Override
        public CompletableFuture<Boolean> createIfAbsent(String key, byte[] data) {
            if (!holdAcks.get() || !key.contains("/wal/")) {
                return delegate.createIfAbsent(key, data);
            }
            // The object is created now; only the acknowledgement waits.
            return delegate.createIfAbsent(key, data).thenCombine(ackRelease, (created, ignored) -> created);
        }
    }
}
