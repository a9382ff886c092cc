package dev.strata.actors.namespace;

import static dev.strata.actors.namespace.NamespaceEntityTest.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.actors.namespace.NamespaceProtocol.PatchRow;
import dev.strata.actors.namespace.NamespaceProtocol.QueryRequest;
import dev.strata.actors.namespace.NamespaceProtocol.QueryResult;
import dev.strata.actors.namespace.NamespaceProtocol.Row;
import dev.strata.actors.namespace.NamespaceProtocol.UpsertRow;
import dev.strata.actors.namespace.NamespaceProtocol.WriteRequest;
import dev.strata.actors.storage.NamespaceLayout;
import dev.strata.actors.storage.NamespaceName;
import dev.strata.actors.storage.SequencedLog;
import dev.strata.actors.testing.IoPool;
import dev.strata.config.StrataThreads;
import dev.strata.tiering.store.ListPage;
import dev.strata.tiering.store.ObjectInfo;
import dev.strata.tiering.store.ObjectStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Indexing, compaction and garbage collection by the namespace entity, checked against a model
 * of the namespace's documents (exact answers: the queries use filters that allow every
 * document, so segments answer by exact rerank, as the tail does).
 */
class IndexingTest {

    private static final String NS = "indexing";
    private static final NamespaceLayout LAYOUT = new NamespaceLayout(new NamespaceName(NS));
    private static final float[] Q = {0.5f, 0.5f, 0.5f, 0.5f};
    private static final String FAST = "strata.namespace.indexing.after-quiet = 1h\n"
            + "strata.namespace.garbage.grace = 0s\n"
            + "strata.namespace.garbage.keep-manifests = 1\n";

    @TempDir
    Path dir;

    @RegisterExtension
    final IoPool io = new IoPool();

    private final ExecutorService indexer = StrataThreads.newPool(StrataThreads.INDEXER, 1);
    private final Random random = new Random(7);
    /** The model: each live document's vector and attributes. */
    private final Map<Long, Doc> model = new TreeMap<>();

    private record Doc(float[] vector, Map<String, Object> attributes) {}

    @AfterEach
    void stopPools() {
        indexer.shutdownNow();
    }

    private static String config(int afterOps, int maxSegments) {
        return FAST + "strata.namespace.indexing.after-ops = " + afterOps + "\n"
                + "strata.namespace.compaction.max-segments = " + maxSegments + "\n";
    }

    // ---- writes that keep the model in step

    private void upsert(TestNode node, long... ids) {
        List<UpsertRow> rows = new ArrayList<>();
        for (long id : ids) {
            float[] v = {random.nextFloat(), random.nextFloat(), random.nextFloat(), random.nextFloat()};
            Map<String, Object> attributes = new LinkedHashMap<>();
            attributes.put("n", id);
            attributes.put("parity", id % 2 == 0 ? "even" : "odd");
            rows.add(row(id, v, "n", id, "parity", attributes.get("parity")));
            model.put(id, new Doc(v, attributes));
        }
        node.writeOk(NS, WriteRequest.of(rows, null, null, "euclidean_squared", false));
    }

    private void range(TestNode node, long from, long to) {
        upsert(node, java.util.stream.LongStream.range(from, to).toArray());
    }

    /** One write: patches (parity := value) of some ids, deletes of others. */
    private long patchAndDelete(TestNode node, String parity, List<Long> patched, List<Long> deleted) {
        List<PatchRow> patches = new ArrayList<>();
        for (long id : patched) {
            patches.add(new PatchRow(id, Map.of("parity", parity)));
            model.get(id).attributes().put("parity", parity);
        }
        deleted.forEach(model::remove);
        return node.writeOk(NS, WriteRequest.of(null, patches, new ArrayList<>(deleted), null, false)).walSequence();
    }

    // ---- the oracle

    private static double distance(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            sum += d * d;
        }
        return sum;
    }

    /** Every live document once, exactly as the model has it; also ordering and a narrow filter. */
    private QueryResult assertMatchesModel(TestNode node) {
        QueryResult all = node.queryOk(NS, QueryRequest.nearest(Q, 1000)
                .withFilters(List.of("n", "Gte", 0L)).includingAll());
        List<Long> expected = model.keySet().stream()
                .sorted(Comparator.comparingDouble(id -> distance(Q, model.get(id).vector()))).toList();
        assertEquals(expected, all.rows().stream().map(Row::id).toList());
        for (Row r : all.rows()) {
            Doc d = model.get((Long) r.id());
            Map<String, Object> attributes = new HashMap<>(r.attributes());
            assertEquals(QueryExecution.vectorJson(d.vector()), attributes.remove("vector"), () -> "vector of " + r.id());
            assertEquals(d.attributes(), attributes, () -> "attributes of " + r.id());
            assertEquals(distance(Q, d.vector()), r.dist(), 1e-4, () -> "distance of " + r.id());
        }
        List<Long> byN = model.keySet().stream().sorted(Comparator.reverseOrder()).limit(7).toList();
        assertEquals(byN, node.queryOk(NS, QueryRequest.orderBy("n", true, 7)).rows().stream().map(Row::id).toList());
        List<Long> patched = expected.stream().filter(id -> model.get(id).attributes().get("parity").equals("patched"))
                .limit(3).toList();
        assertEquals(patched, node.queryOk(NS, QueryRequest.nearest(Q, 3).withFilters(List.of("parity", "Eq", "patched")))
                .rows().stream().map(Row::id).toList());
        return all;
    }

    // ---- the bucket

    private static List<String> keys(ObjectStore store, String prefix) {
        List<String> out = new ArrayList<>();
        String token = null;
        do {
            ListPage page = store.list(prefix, token, 1000).join();
            page.objects().stream().map(ObjectInfo::key).forEach(out::add);
            token = page.hasMore() ? page.nextToken() : null;
        } while (token != null);
        return out;
    }

    private List<Long> walSequences() {
        return new SequencedLog(io.local(dir), LAYOUT.walPrefix()).sequences().join();
    }

    private Manifest latestManifest() {
        SequencedLog manifests = new SequencedLog(io.local(dir), LAYOUT.manifestPrefix());
        long version = manifests.latest().join();
        return ManifestCodec.decode(manifests.read(version).join(), "manifest " + version);
    }

    private static void eventually(TestNode node, Runnable check) {
        node.kit.createTestProbe().awaitAssert(TestNode.TIMEOUT, () -> {
            check.run();
            return null;
        });
    }

    private static long scanned(TestNode node) {
        return node.queryOk(NS, QueryRequest.nearest(Q, 1)).exhaustiveSearchCount();
    }

    // ---- tests

    @Test
    void theTailBecomesASegmentWhileQueriesAndWritesGoOn() throws Exception {
        GatedExecutor gate = new GatedExecutor(indexer);
        try (TestNode node = new TestNode(io.local(dir), config(40, 100), gate)) {
            for (int b = 0; b < 3; b++) {
                range(node, b * 10L, b * 10L + 10);
            }
            assertMatchesModel(node);

            gate.arm();
            range(node, 30, 40); // the tail reaches 40 operations: indexing starts and is held
            gate.entered.get(20, TimeUnit.SECONDS);
            assertMatchesModel(node);
            assertEquals(40, scanned(node));
            // Writes keep flowing during the build, to documents the build is folding.
            upsert(node, 0L);
            assertEquals(6, patchAndDelete(node, "patched", List.of(2L), List.of(1L)));
            assertMatchesModel(node);
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), walSequences(), "no WAL object is deleted before its manifest");
            assertEquals(1, latestManifest().version(), "only the metric's manifest so far");

            gate.release.complete(null);
            eventually(node, () -> assertEquals(2, scanned(node), "only the writes after S stay in the tail"));
            Manifest m = latestManifest();
            assertEquals(2, m.version());
            assertEquals(4, m.indexedThrough());
            assertEquals(1, m.segments().size());
            assertEquals(40, m.segments().get(0).documents());
            assertMatchesModel(node);
            // The sweep deletes the covered WAL objects and the superseded manifest.
            eventually(node, () -> assertEquals(List.of(5L, 6L), walSequences()));
            eventually(node, () -> assertEquals(List.of(LAYOUT.manifestPrefix() + NamespaceLayout.sequence(2)),
                    keys(io.local(dir), LAYOUT.manifestPrefix())));
        }
        try (TestNode node = new TestNode(io.local(dir), config(40, 100))) {
            assertMatchesModel(node);
            assertEquals(2, scanned(node));
        }
    }

    @Test
    void deletesAndPatchesOfIndexedDocumentsSurviveMorePassesReloadsAndCompaction() {
        try (TestNode node = new TestNode(io.local(dir), config(20, 2))) {
            range(node, 0, 10);
            range(node, 10, 20);
            eventually(node, () -> assertEquals(0, scanned(node)));
            assertMatchesModel(node);

            // Deletes and patches of documents that now live in the first segment.
            patchAndDelete(node, "patched", List.of(5L, 6L, 7L, 8L, 9L), List.of(0L, 1L, 2L, 3L, 4L));
            range(node, 20, 30);
            eventually(node, () -> assertEquals(0, scanned(node)));
            Manifest m = latestManifest();
            assertEquals(2, m.segments().size());
            assertEquals(5, m.segments().get(1).deletes());
            assertEquals(4, m.indexedThrough());
            assertMatchesModel(node);
        }
        try (TestNode node = new TestNode(io.local(dir), config(20, 2))) {
            assertMatchesModel(node);
            assertEquals(0, scanned(node));
            // A third pass (deletes and patches over both segments) makes three segments: compaction.
            patchAndDelete(node, "patched", List.of(15L, 22L), List.of(10L, 11L, 12L, 13L, 14L, 20L, 21L));
            range(node, 30, 41);
            eventually(node, () -> assertEquals(1, latestManifest().segments().size()));
            eventually(node, () -> assertEquals(0, scanned(node)));
            Manifest m = latestManifest();
            assertEquals(model.size(), m.segments().get(0).documents());
            assertEquals(0, m.segments().get(0).deletes());
            assertMatchesModel(node);
            // Replaced segments and their deletes objects are swept; only the merged one stays.
            eventually(node, () -> assertEquals(List.of(m.segments().get(0).key()), keys(io.local(dir), LAYOUT.segmentPrefix())));
            eventually(node, () -> assertEquals(List.of(), walSequences()));
        }
        try (TestNode node = new TestNode(io.local(dir), config(20, 2))) {
            assertMatchesModel(node);
        }
    }

    @Test
    void aQuietTailIsIndexedBelowTheThresholds() {
        try (TestNode node = new TestNode(io.local(dir), config(1000, 100) + "strata.namespace.indexing.after-quiet = 200ms\n")) {
            range(node, 0, 3);
            eventually(node, () -> assertEquals(0, scanned(node)));
            assertEquals(1, latestManifest().segments().size());
            assertMatchesModel(node);
        }
    }

    @Test
    void indexingRelievesBackpressure() throws Exception {
        GatedExecutor gate = new GatedExecutor(indexer);
        try (TestNode node = new TestNode(io.local(dir), config(20, 100)
                + "strata.namespace.backpressure.max-unindexed-ops = 30\n", gate)) {
            gate.arm();
            range(node, 0, 20);
            gate.entered.get(20, TimeUnit.SECONDS);
            range(node, 20, 30);
            WriteRequest more = WriteRequest.of(List.of(row(30L, Q, "n", 30L, "parity", "even")), null, null, null, false);
            StatusReply<NamespaceProtocol.WriteResult> refused = node.write(NS, more);
            assertTrue(refused.isError() && refused.getError() instanceof NamespaceException.TooManyRequests,
                    refused::toString);
            gate.release.complete(null);
            eventually(node, () -> assertEquals(10, scanned(node)));
            node.writeOk(NS, more);
            model.put(30L, new Doc(Q, new LinkedHashMap<>(Map.of("n", 30L, "parity", "even"))));
            assertMatchesModel(node);
        }
    }

    @Test
    void aPassOfOnlyDeletesWritesAnEmptySegmentThatStillDeletes() {
        try (TestNode node = new TestNode(io.local(dir), config(5, 100))) {
            range(node, 0, 5);
            eventually(node, () -> assertEquals(0, scanned(node)));
            patchAndDelete(node, "patched", List.of(), List.of(0L, 1L, 2L, 3L, 4L));
            eventually(node, () -> assertEquals(2, latestManifest().segments().size()));
            Manifest m = latestManifest();
            assertEquals(0, m.segments().get(1).documents());
            assertEquals(5, m.segments().get(1).deletes());
            eventually(node, () -> assertEquals(List.of(), walSequences()));
            assertMatchesModel(node);
        }
        try (TestNode node = new TestNode(io.local(dir), config(5, 100))) {
            assertMatchesModel(node);
            range(node, 10, 12);
            assertMatchesModel(node);
        }
    }

    @Test
    void aCrashBetweenTheSegmentAndItsManifestLosesNothing() throws Exception {
        HoldingObjectStore held = new HoldingObjectStore(io.local(dir), "/manifest/");
        TestNode crashed = new TestNode(held, config(20, 100));
        try {
            range(crashed, 0, 10); // also publishes the metric's manifest, not held
            held.arm();
            range(crashed, 10, 20);
            assertTrue(held.entered.get(20, TimeUnit.SECONDS).endsWith(NamespaceLayout.sequence(2)));
            // The segment is written, its manifest is not: the WAL it covers must all be there.
            assertEquals(1, keys(io.local(dir), LAYOUT.segmentPrefix()).size());
            assertEquals(List.of(1L, 2L), walSequences());
            assertEquals(1, latestManifest().version());
        } finally {
            crashed.close(); // the process dies with the manifest create still pending
        }
        try (TestNode node = new TestNode(io.local(dir), config(1000, 100))) {
            assertMatchesModel(node);
            assertEquals(20, scanned(node));
            // The unpublished segment is garbage and is swept; the WAL stays, nothing covers it.
            eventually(node, () -> assertEquals(List.of(), keys(io.local(dir), LAYOUT.segmentPrefix())));
            assertEquals(List.of(1L, 2L), walSequences());
            assertMatchesModel(node);
        }
        try (TestNode node = new TestNode(io.local(dir), config(20, 100))) {
            eventually(node, () -> assertEquals(0, scanned(node)));
            assertMatchesModel(node);
            eventually(node, () -> assertEquals(List.of(), walSequences()));
        }
    }

    @Test
    void losingTheManifestRaceFencesTheEntity() throws Exception {
        HoldingObjectStore held = new HoldingObjectStore(io.local(dir), "/segments/");
        try (TestNode node = new TestNode(held, config(20, 100) + "strata.namespace.garbage.keep-manifests = 10\n")) {
            range(node, 0, 10);
            held.arm();
            range(node, 10, 20);
            String lost = held.entered.get(20, TimeUnit.SECONDS);

            // Another owner publishes manifest 2 first.
            Manifest first = latestManifest();
            Manifest theirs = first.next(first.schema(), first.metricOrNull());
            assertTrue(new SequencedLog(io.local(dir), LAYOUT.manifestPrefix()).create(2, ManifestCodec.encode(theirs)).join());
            held.release.complete(null);

            // The entity's create of version 2 fails: it reloads over the other owner's manifest
            // and indexes its tail again, as version 3.
            eventually(node, () -> assertEquals(3, latestManifest().version()));
            Manifest ours = latestManifest();
            assertEquals(1, ours.segments().size());
            assertNotEquals(lost, ours.segments().get(0).key());
            eventually(node, () -> assertEquals(0, scanned(node)));
            assertMatchesModel(node);
            // The lost build's segment is referenced by no manifest and is swept.
            eventually(node, () -> assertFalse(keys(io.local(dir), LAYOUT.segmentPrefix()).contains(lost)));
            assertEquals(List.of(ours.segments().get(0).key()), keys(io.local(dir), LAYOUT.segmentPrefix()));
        }
    }
}
