package dev.strata.actors.namespace;

import static dev.strata.actors.namespace.NamespaceEntityTest.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.actors.namespace.NamespaceProtocol.PatchByFilter;
import dev.strata.actors.namespace.NamespaceProtocol.PatchRow;
import dev.strata.actors.namespace.NamespaceProtocol.QueryRequest;
import dev.strata.actors.namespace.NamespaceProtocol.Row;
import dev.strata.actors.namespace.NamespaceProtocol.UpsertRow;
import dev.strata.actors.namespace.NamespaceProtocol.WriteRequest;
import dev.strata.actors.namespace.NamespaceProtocol.WriteResult;
import dev.strata.actors.testing.IoPool;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Filter-based and conditional writes ({@code delete_by_filter}, {@code patch_by_filter},
 * {@code *_condition} with {@code $ref_new}) and {@code return_affected_ids}, over documents in
 * segments and in the unindexed tail, checked against a model of the namespace's documents.
 */
class WriteFeaturesTest {

    private static final String NS = "filter-writes";
    private static final float[] Q = {0.5f, 0.5f};
    /** 20 operations make a segment; the quiet period never fires during a test. */
    private static final String CONFIG = "strata.namespace.indexing.after-ops = 20\n"
            + "strata.namespace.indexing.after-quiet = 1h\n"
            + "strata.namespace.writes.max-delete-by-filter = 8\n"
            + "strata.namespace.writes.max-patch-by-filter = 8\n";

    @TempDir
    Path dir;

    @RegisterExtension
    final IoPool io = new IoPool();

    /** The model: each live document's attributes (every document has the vector Q-ish). */
    private final Map<Long, Map<String, Object>> model = new TreeMap<>();

    private static WriteRequest write(List<UpsertRow> upserts, List<PatchRow> patches, List<Object> deletes,
                                      Object deleteByFilter, PatchByFilter patchByFilter, boolean allowPartial,
                                      Object upsertCondition, Object patchCondition, Object deleteCondition) {
        return new WriteRequest(upserts, patches, deletes, deleteByFilter, patchByFilter, allowPartial, upsertCondition,
                patchCondition, deleteCondition, null, "euclidean_squared", false, true);
    }

    private static UpsertRow doc(long id, Object... keyValues) {
        return row(id, new float[] {id / 100f, 1f}, keyValues);
    }

    /** Upserts ids [from, to) with version 1 and bucket id % 3, in one write; mirrors them in the model. */
    private void seed(TestNode node, long from, long to) {
        List<UpsertRow> rows = new ArrayList<>();
        for (long id = from; id < to; id++) {
            rows.add(doc(id, "version", 1L, "bucket", id % 3, "tag", "t"));
            model.put(id, new HashMap<>(Map.of("version", 1L, "bucket", id % 3, "tag", "t")));
        }
        node.writeOk(NS, WriteRequest.of(rows, null, null, "euclidean_squared", false));
    }

    /** Seeds 0..19 into a segment (the 20th operation starts indexing) and 20..29 into the tail. */
    private void seedSegmentAndTail(TestNode node) {
        seed(node, 0, 20);
        node.kit.createTestProbe().awaitAssert(TestNode.TIMEOUT, () -> {
            assertEquals(0, node.queryOk(NS, QueryRequest.nearest(Q, 1)).exhaustiveSearchCount(), "indexed");
            return null;
        });
        seed(node, 20, 30);
        assertEquals(10, node.queryOk(NS, QueryRequest.nearest(Q, 1)).exhaustiveSearchCount(), "tail");
    }

    private void assertMatchesModel(TestNode node) {
        List<Row> rows = node.queryOk(NS, QueryRequest.orderBy("id", false, 1000).includingAll()).rows();
        Map<Long, Map<String, Object>> actual = new TreeMap<>();
        rows.forEach(r -> {
            Map<String, Object> attributes = new HashMap<>(r.attributes());
            attributes.remove("vector"); // the model tracks attributes; vectors are never patched
            actual.put((Long) r.id(), attributes);
        });
        assertEquals(model, actual);
    }

    private static void assertBadRequest(StatusReply<?> reply, String fragment) {
        assertTrue(reply.isError(), () -> "expected an error, got " + reply);
        assertInstanceOf(NamespaceException.BadRequest.class, reply.getError());
        assertTrue(reply.getError().getMessage().contains(fragment), reply.getError().getMessage());
    }

    @Test
    void conditionalWritesWithRefNewOverSegmentsAndTail() {
        try (TestNode node = new TestNode(io.local(dir), CONFIG)) {
            seedSegmentAndTail(node);
            List<Object> refNewVersion = List.of("version", "Lt", Map.of("$ref_new", "version"));
            // 0 (segment) and 20 (tail) are older: applied; 1 and 21 are newer: skipped; 100 is new: applied.
            WriteResult r = node.writeOk(NS, write(List.of(doc(0, "version", 2L), doc(1, "version", 0L),
                    doc(20, "version", 2L), doc(21, "version", 0L), doc(100, "version", 5L)),
                    null, null, null, null, false, refNewVersion, null, null));
            assertEquals(3, r.upserted());
            assertEquals(List.of(0L, 20L, 100L), r.upsertedIds());
            model.put(0L, new HashMap<>(Map.of("version", 2L)));
            model.put(20L, new HashMap<>(Map.of("version", 2L)));
            model.put(100L, new HashMap<>(Map.of("version", 5L)));
            assertMatchesModel(node);

            // Insert-only: ["id", "Eq", null] holds for no existing document.
            r = node.writeOk(NS, write(List.of(doc(0, "version", 9L), doc(101, "version", 1L)), null, null,
                    null, null, false, java.util.Arrays.asList("id", "Eq", null), null, null));
            assertEquals(List.of(101L), r.upsertedIds());
            model.put(101L, new HashMap<>(Map.of("version", 1L)));

            // Conditional patches: 2 (segment) and 22 (tail) hold, 20 fails, 555 is missing and is not created.
            r = node.writeOk(NS, write(null, List.of(new PatchRow(2L, Map.of("tag", "p")),
                    new PatchRow(22L, Map.of("tag", "p")), new PatchRow(20L, Map.of("tag", "p")),
                    new PatchRow(555L, Map.of("tag", "p"))), null, null, null, false, null,
                    List.of("version", "Eq", 1L), null));
            assertEquals(2, r.patched());
            assertEquals(List.of(2L, 22L), r.patchedIds());
            model.get(2L).put("tag", "p");
            model.get(22L).put("tag", "p");

            // Conditional deletes: 0 holds (version 2), 3 fails, 999 is missing (nothing to delete).
            r = node.writeOk(NS, write(null, null, List.of(0L, 3L, 999L), null, null, false, null, null,
                    List.of("version", "Gte", 2L)));
            assertEquals(List.of(0L), r.deletedIds());
            assertEquals(1, r.deleted());
            model.remove(0L);
            assertMatchesModel(node);

            assertBadRequest(node.write(NS, write(null, null, List.of(1L), null, null, false, null, null,
                    List.of("version", "Eq", Map.of("$ref_new", "version")))), "$ref_new");
            assertBadRequest(node.write(NS, write(List.of(doc(1, "version", 3L)), null, null, null, null, false,
                    List.of("nope", "Eq", 1L), null, null)), "unknown attribute");
            assertMatchesModel(node);
        }
        // Everything above is durable: a new owner loads the same documents.
        try (TestNode node = new TestNode(io.local(dir), CONFIG)) {
            assertMatchesModel(node);
        }
    }

    @Test
    void deleteAndPatchByFilterOverSegmentsAndTail() {
        try (TestNode node = new TestNode(io.local(dir), "strata.namespace.indexing.after-ops = 20\n"
                + "strata.namespace.indexing.after-quiet = 1h\n")) {
            seedSegmentAndTail(node);
            // delete_by_filter first, then patch_by_filter, then the upsert that brings 3 back.
            WriteResult r = node.writeOk(NS, write(List.of(doc(3, "bucket", 0L, "tag", "back")), null, null,
                    List.of("bucket", "Eq", 0L),
                    new PatchByFilter(List.of("bucket", "Eq", 1L), Map.of("tag", "p", "extra", 7L)), false,
                    null, null, null));
            List<Object> bucket0 = new ArrayList<>();
            List<Object> bucket1 = new ArrayList<>();
            model.forEach((id, attrs) -> (attrs.get("bucket").equals(0L) ? bucket0 : attrs.get("bucket").equals(1L)
                    ? bucket1 : new ArrayList<>()).add(id));
            assertEquals(bucket0, r.deletedIds());
            assertEquals(bucket1, r.patchedIds());
            assertEquals(List.of(3L), r.upsertedIds());
            assertEquals(10, r.deleted());
            assertEquals(10, r.patched());
            bucket0.forEach(model::remove);
            bucket1.forEach(id -> {
                model.get(id).put("tag", "p");
                model.get(id).put("extra", 7L);
            });
            model.put(3L, new HashMap<>(Map.of("bucket", 0L, "tag", "back")));
            assertMatchesModel(node);

            // A patch_by_filter matching documents the same request deletes patches only the others.
            r = node.writeOk(NS, write(null, null, null, List.of("tag", "Eq", "back"),
                    new PatchByFilter(List.of("bucket", "In", List.of(0L, 2L)), Map.of("tag", "q")), false,
                    null, null, null));
            assertEquals(List.of(3L), r.deletedIds());
            List<Object> bucket2 = model.entrySet().stream().filter(e -> e.getValue().get("bucket").equals(2L))
                    .map(e -> (Object) e.getKey()).toList();
            assertEquals(bucket2, r.patchedIds());
            model.remove(3L);
            bucket2.forEach(id -> model.get(id).put("tag", "q"));
            assertMatchesModel(node);

            // A filter that matches nothing changes nothing, and says so.
            r = node.writeOk(NS, write(null, null, null, List.of("tag", "Eq", "none"), null, false, null, null, null));
            assertEquals(0, r.affected());
            assertMatchesModel(node);

            // An attribute the segment's documents lack: they match Eq null, and only the tail doc has it.
            node.writeOk(NS, WriteRequest.of(List.of(doc(300, "late", 1L)), null, null, null, false));
            model.put(300L, new HashMap<>(Map.of("late", 1L)));
            r = node.writeOk(NS, write(null, null, null, List.of("late", "Eq", 1L),
                    new PatchByFilter(java.util.Arrays.asList("late", "Eq", null), Map.of("late", 2L)), false,
                    null, null, null));
            assertEquals(List.of(300L), r.deletedIds());
            assertEquals(new ArrayList<>(model.keySet()).subList(0, model.size() - 1), r.patchedIds());
            model.remove(300L);
            model.values().forEach(attrs -> attrs.put("late", 2L));
            assertMatchesModel(node);
        }
        try (TestNode node = new TestNode(io.local(dir))) {
            assertMatchesModel(node);
        }
    }

    @Test
    void byFilterOperationsAreBoundedAndAllOrNothing() {
        try (TestNode node = new TestNode(io.local(dir), CONFIG)) {
            seed(node, 0, 12);
            // 12 matches > 8: refused, and the request's upsert is not applied either.
            assertBadRequest(node.write(NS, write(List.of(doc(50, "version", 1L)), null, null,
                    List.of("version", "Eq", 1L), null, false, null, null, null)), "limit of 8");
            assertBadRequest(node.write(NS, write(null, null, null, null,
                    new PatchByFilter(List.of("version", "Eq", 1L), Map.of("tag", "x", "fresh", "s")), false,
                    null, null, null)), "limit of 8");
            assertMatchesModel(node);
            assertEquals(null, NamespaceAdminTest.describeOk(node, NS).schema().get("fresh"),
                    "a refused write leaves no attribute behind");
            node.writeOk(NS, WriteRequest.of(List.of(doc(60, "fresh", 5L)), null, null, null, false));
            model.put(60L, new HashMap<>(Map.of("fresh", 5L)));
            // allow_partial: the 8 smallest ids.
            WriteResult r = node.writeOk(NS, write(null, null, null, List.of("version", "Eq", 1L), null, true,
                    null, null, null));
            assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L), r.deletedIds());
            for (long id = 0; id < 8; id++) {
                model.remove(id);
            }
            assertMatchesModel(node);
            // Vectors cannot be patched by filter either.
            assertBadRequest(node.write(NS, write(null, null, null, null,
                    new PatchByFilter(List.of("version", "Eq", 1L), Map.of("vector", List.of(1.0, 2.0))), false,
                    null, null, null)), "vectors cannot be patched");
        }
    }

    @Test
    void filterWritesSeeEveryEarlierWriteAndNoLaterOne() {
        try (TestNode node = new TestNode(io.local(dir), CONFIG)) {
            seedSegmentAndTail(node);
            // Sent back to back, without waiting: each must see exactly the writes before it.
            List<UpsertRow> fresh = new ArrayList<>();
            for (long id = 200; id < 205; id++) {
                fresh.add(doc(id, "tag", "new", "version", 1L));
            }
            TestProbe<StatusReply<WriteResult>> first = node.sendWrite(NS,
                    WriteRequest.of(fresh, List.of(new PatchRow(5L, Map.of("tag", "new"))), null, "euclidean_squared",
                            false));
            TestProbe<StatusReply<WriteResult>> second = node.sendWrite(NS, write(null, null, null,
                    List.of("tag", "Eq", "new"), null, false, null, null, null));
            TestProbe<StatusReply<WriteResult>> third = node.sendWrite(NS, write(List.of(doc(202, "tag", "new")),
                    null, null, null, null, false, null, null, null));
            TestProbe<StatusReply<WriteResult>> fourth = node.sendWrite(NS, write(List.of(doc(202, "tag", "newest")),
                    null, null, null, null, false, List.of("tag", "Eq", "new"), null, null));
            assertEquals(6, first.receiveMessage(TestNode.TIMEOUT).getValue().affected());
            assertEquals(List.of(5L, 200L, 201L, 202L, 203L, 204L),
                    second.receiveMessage(TestNode.TIMEOUT).getValue().deletedIds());
            assertEquals(List.of(202L), third.receiveMessage(TestNode.TIMEOUT).getValue().upsertedIds());
            assertEquals(List.of(202L), fourth.receiveMessage(TestNode.TIMEOUT).getValue().upsertedIds());
            model.remove(5L);
            model.put(202L, new HashMap<>(Map.of("tag", "newest")));
            assertMatchesModel(node);
        }
    }

    @Test
    void queriesSeeAFilterWriteWholeOrNotAtAll() {
        try (TestNode node = new TestNode(io.local(dir), CONFIG.replace("max-delete-by-filter = 8", "max-delete-by-filter = 100")
                .replace("max-patch-by-filter = 8", "max-patch-by-filter = 100"))) {
            seedSegmentAndTail(node);
            TestProbe<StatusReply<WriteResult>> write = node.sendWrite(NS, write(null, null, null,
                    List.of("bucket", "Eq", 0L), new PatchByFilter(List.of("bucket", "Eq", 1L), Map.of("tag", "p")),
                    false, null, null, null));
            List<TestProbe<StatusReply<NamespaceProtocol.QueryResult>>> queries = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                TestProbe<StatusReply<NamespaceProtocol.QueryResult>> probe = node.kit.createTestProbe();
                node.region.tell(new org.apache.pekko.cluster.sharding.typed.ShardingEnvelope<>(NS,
                        new NamespaceProtocol.Query(QueryRequest.orderBy("id", false, 1000).including(List.of("tag")),
                                probe.getRef())));
                queries.add(probe);
            }
            assertEquals(20, write.receiveMessage(TestNode.TIMEOUT).getValue().affected());
            for (TestProbe<StatusReply<NamespaceProtocol.QueryResult>> probe : queries) {
                List<Row> rows = probe.receiveMessage(TestNode.TIMEOUT).getValue().rows();
                long patched = rows.stream().filter(r -> "p".equals(r.attributes().get("tag"))).count();
                assertTrue((rows.size() == 30 && patched == 0) || (rows.size() == 20 && patched == 10),
                        () -> rows.size() + " rows, " + patched + " patched: a partial write was visible");
            }
        }
    }

    @Test
    void affectedIdsOnlyWhenAskedAndPatchesOfDeletedRowsAreIgnored() {
        try (TestNode node = new TestNode(io.local(dir), CONFIG)) {
            seed(node, 0, 3);
            // Patch 1 and delete 1 in one request: the patch is ignored; 2's patch applies.
            WriteResult r = node.writeOk(NS, WriteRequest.of(List.of(doc(7, "tag", "x")),
                    List.of(new PatchRow(1L, Map.of("tag", "p")), new PatchRow(2L, Map.of("tag", "p"))),
                    List.of(1L, 42L), "euclidean_squared", false));
            assertEquals(1, r.upserted());
            assertEquals(1, r.patched());
            assertEquals(1, r.deleted(), "42 did not exist");
            assertTrue(r.upsertedIds().isEmpty() && r.patchedIds().isEmpty() && r.deletedIds().isEmpty());
            model.remove(1L);
            model.get(2L).put("tag", "p");
            model.put(7L, new HashMap<>(Map.of("tag", "x")));
            assertMatchesModel(node);
        }
    }

    @Test
    void writesDeclareSchema() {
        Map<String, NamespaceProtocol.AttributeSpec> declared = new LinkedHashMap<>();
        declared.put("title", new NamespaceProtocol.AttributeSpec("string", false, false));
        declared.put("when", new NamespaceProtocol.AttributeSpec("datetime", null, false));
        declared.put("vector", new NamespaceProtocol.AttributeSpec("[2]f32", null, true));
        try (TestNode node = new TestNode(io.local(dir), CONFIG)) {
            node.writeOk(NS, new WriteRequest(List.of(doc(1, "n", 1L)), null, null, null, null, false, null, null, null,
                    declared, "euclidean_squared", false, false));
            NamespaceProtocol.NamespaceMetadata m = NamespaceAdminTest.describeOk(node, NS);
            assertEquals(new NamespaceProtocol.AttributeSpec("string", false, false), m.schema().get("title"));
            assertEquals(new NamespaceProtocol.AttributeSpec("datetime", true, false), m.schema().get("when"));
            assertEquals(new NamespaceProtocol.AttributeSpec("[2]f32", null, true), m.schema().get("vector"));
            // A declared datetime takes ISO strings; filters on a non-filterable attribute are refused.
            node.writeOk(NS, WriteRequest.of(List.of(doc(2, "when", "2026-01-02T03:04:05Z", "title", "a")), null, null,
                    null, false));
            assertTrue(node.query(NS, QueryRequest.nearest(Q, 5).withFilters(List.of("title", "Eq", "a"))).isError());
            // Conflicts with the schema are refused, and nothing of the request is applied.
            assertBadRequest(node.write(NS, new WriteRequest(List.of(doc(3)), null, null, null, null, false, null, null,
                    null, Map.of("n", new NamespaceProtocol.AttributeSpec("string", null, false)), null, false, false)),
                    "n");
            assertBadRequest(node.write(NS, new WriteRequest(List.of(doc(3)), null, null, null, null, false, null, null,
                    null, Map.of("vector", new NamespaceProtocol.AttributeSpec("[3]f32", null, true)), null, false,
                    false)), "vector");
            assertBadRequest(node.write(NS, new WriteRequest(List.of(doc(3)), null, null, null, null, false, null, null,
                    null, Map.of("x", new NamespaceProtocol.AttributeSpec("[]nope", null, false)), null, false,
                    false)), "unknown type");
            assertEquals(2, node.queryOk(NS, QueryRequest.orderBy("id", false, 10)).rows().size());
        }
        // The declarations are durable: a new owner reads them from the manifest.
        try (TestNode node = new TestNode(io.local(dir), CONFIG)) {
            NamespaceProtocol.NamespaceMetadata m = NamespaceAdminTest.describeOk(node, NS);
            assertEquals(new NamespaceProtocol.AttributeSpec("string", false, false), m.schema().get("title"));
            assertEquals(new NamespaceProtocol.AttributeSpec("datetime", true, false), m.schema().get("when"));
        }
    }
    /**
     * Random requests mixing every write feature, while the tail is folded into segments and
     * compacted, checked after each request against an oracle that applies turbopuffer's rules
     * to a plain map; then a new owner loads the same documents.
     */
    @Test
    void randomFilterAndConditionalWritesMatchAnOracle() {
        java.util.Random random = new java.util.Random(11);
        String config = "strata.namespace.indexing.after-ops = 25\n"
                + "strata.namespace.indexing.after-quiet = 1h\n"
                + "strata.namespace.compaction.max-segments = 2\n";
        try (TestNode node = new TestNode(io.local(dir), config)) {
            for (int step = 0; step < 40; step++) {
                List<UpsertRow> upserts = new ArrayList<>();
                List<PatchRow> patches = new ArrayList<>();
                List<Object> deletes = new ArrayList<>();
                for (long id : distinct(random, 1 + random.nextInt(6))) {
                    upserts.add(doc(id, "g", (long) random.nextInt(4), "v", (long) random.nextInt(6)));
                }
                for (long id : distinct(random, random.nextInt(4))) {
                    patches.add(new PatchRow(id, Map.of("g", (long) random.nextInt(4))));
                }
                for (long id : distinct(random, random.nextInt(3))) {
                    deletes.add(id);
                }
                Object deleteByFilter = random.nextInt(4) == 0 ? List.of("g", "Eq", (long) random.nextInt(4)) : null;
                PatchByFilter patchByFilter = random.nextInt(4) == 0
                        ? new PatchByFilter(List.of("g", "Eq", (long) random.nextInt(4)), Map.of("v", 100L + step)) : null;
                Object upsertCondition = random.nextBoolean() ? List.of("v", "Lt", Map.of("$ref_new", "v")) : null;
                Object patchCondition = random.nextBoolean() ? List.of("g", "NotEq", (long) random.nextInt(4)) : null;
                Object deleteCondition = random.nextBoolean() ? List.of("v", "Gte", (long) random.nextInt(6)) : null;
                WriteResult r = node.writeOk(NS, write(upserts, patches, deletes, deleteByFilter, patchByFilter, false,
                        upsertCondition, patchCondition, deleteCondition));
                Oracle expected = Oracle.apply(model, upserts, patches, deletes, (List<?>) deleteByFilter, patchByFilter,
                        upsertCondition != null, (List<?>) patchCondition, (List<?>) deleteCondition);
                int s = step;
                assertEquals(expected.upserted(), r.upsertedIds(), () -> "upserted at step " + s);
                assertEquals(expected.patched(), r.patchedIds(), () -> "patched at step " + s);
                assertEquals(expected.deleted(), r.deletedIds(), () -> "deleted at step " + s);
                assertMatchesModel(node);
            }
            assertTrue(node.queryOk(NS, QueryRequest.nearest(Q, 1)).exhaustiveSearchCount() < 40, "segments were built");
        }
        try (TestNode node = new TestNode(io.local(dir), config)) {
            assertMatchesModel(node);
        }
    }

    private static List<Long> distinct(java.util.Random random, int n) {
        java.util.Set<Long> ids = new java.util.LinkedHashSet<>();
        while (ids.size() < n) {
            ids.add((long) random.nextInt(30));
        }
        return new ArrayList<>(ids);
    }

    /** The oracle: turbopuffer's write rules on a map of id → attributes (ids of what was applied). */
    private record Oracle(List<Object> upserted, List<Object> patched, List<Object> deleted) {

        static Oracle apply(Map<Long, Map<String, Object>> model, List<UpsertRow> upserts, List<PatchRow> patches,
                            List<Object> deletes, List<?> deleteByFilter, PatchByFilter patchByFilter,
                            boolean upsertIfNewer, List<?> patchCondition, List<?> deleteCondition) {
            List<Object> upserted = new ArrayList<>();
            List<Object> patched = new ArrayList<>();
            List<Object> deleted = new ArrayList<>();
            if (deleteByFilter != null) {
                for (Long id : new ArrayList<>(model.keySet())) {
                    if (model.get(id).get("g").equals(deleteByFilter.get(2))) {
                        model.remove(id);
                        deleted.add(id);
                    }
                }
            }
            if (patchByFilter != null) {
                Object g = ((List<?>) patchByFilter.filters()).get(2);
                model.forEach((id, attrs) -> {
                    if (attrs.get("g").equals(g)) {
                        attrs.putAll(patchByFilter.patch());
                        patched.add(id);
                    }
                });
            }
            for (UpsertRow row : upserts) {
                Map<String, Object> current = model.get((Long) row.id());
                if (current == null || !upsertIfNewer || (Long) current.get("v") < (Long) row.attributes().get("v")) {
                    model.put((Long) row.id(), new HashMap<>(row.attributes()));
                    upserted.add(row.id());
                }
            }
            for (PatchRow row : patches) {
                Map<String, Object> current = model.get((Long) row.id());
                if (current == null || deletes.contains(row.id())
                        || (patchCondition != null && current.get("g").equals(patchCondition.get(2)))) {
                    continue;
                }
                current.putAll(row.attributes());
                patched.add(row.id());
            }
            for (Object id : deletes) {
                Map<String, Object> current = model.get((Long) id);
                if (current == null) {
                    continue; // nothing to delete, nothing counted
                }
                if (deleteCondition == null || (Long) current.get("v") >= (Long) deleteCondition.get(2)) {
                    model.remove((Long) id);
                    deleted.add(id);
                }
            }
            return new Oracle(upserted, patched, deleted);
        }
    }
}
