package dev.strata.actors.namespace;

import static dev.strata.actors.namespace.NamespaceEntityTest.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.strata.actors.namespace.NamespaceProtocol.Explain;
import dev.strata.actors.namespace.NamespaceProtocol.QueryRequest;
import dev.strata.actors.namespace.NamespaceProtocol.QueryResult;
import dev.strata.actors.namespace.NamespaceProtocol.Row;
import dev.strata.actors.namespace.NamespaceProtocol.UpsertRow;
import dev.strata.actors.namespace.NamespaceProtocol.WriteRequest;
import dev.strata.actors.storage.NamespaceLayout;
import dev.strata.actors.storage.NamespaceName;
import dev.strata.actors.storage.SequencedLog;
import dev.strata.actors.testing.IoPool;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Merging a quiet namespace's segments into one ({@code compaction.merge-when-quiet}): a
 * namespace folded into several segments while writes keep coming is merged once no write has
 * come for the quiet period and its tail is indexed; it answers exactly as the segments did,
 * takes writes while the merge runs, and keeps its segments when the setting is off. The
 * queries use a filter that allows every document, so segments answer by exact scoring and
 * answers compare exactly.
 */
class QuietMergeTest {

    private static final String NS = "quiet";
    private static final NamespaceLayout LAYOUT = new NamespaceLayout(new NamespaceName(NS));
    private static final int DIMS = 8;
    /** Writes cycle over this many ids, so newer segments supersede documents of older ones. */
    private static final int IDS = 300;
    private static final int AFTER_OPS = 20;
    private static final float[] Q = {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f};

    @TempDir
    Path dir;

    @RegisterExtension
    final IoPool io = new IoPool();

    private final Random random = new Random(11);
    /** The model: each live document's vector. */
    private final Map<Long, float[]> model = new TreeMap<>();
    private long nextId;
    private long writes;
    private long lastSequence;

    /** Every write of {@link #AFTER_OPS} operations starts a fold; only a quiet period merges. */
    private static String config(boolean mergeWhenQuiet) {
        return "strata.namespace.indexing.after-quiet = 300ms\n"
                + "strata.namespace.indexing.after-ops = " + AFTER_OPS + "\n"
                + "strata.namespace.compaction.max-segments = 100\n"
                + "strata.namespace.compaction.merge-when-quiet = " + mergeWhenQuiet + "\n";
    }

    // ---- writes that keep the model in step

    /** Upserts {@code count} documents of the cycling ids; every fifth write also deletes one. */
    private void write(TestNode node, int count) {
        List<UpsertRow> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long id = nextId++ % IDS;
            float[] v = new float[DIMS];
            for (int d = 0; d < DIMS; d++) {
                v[d] = random.nextFloat();
            }
            rows.add(row(id, v, "n", id));
            model.put(id, v);
        }
        List<Object> deletes = new ArrayList<>();
        if (++writes % 5 == 0) {
            long id = model.keySet().stream().skip(random.nextInt(model.size())).findFirst().orElseThrow();
            rows.removeIf(r -> r.id().equals(id));
            model.remove(id);
            deletes.add(id);
        }
        lastSequence = node.writeOk(NS, WriteRequest.of(rows, null, deletes, "euclidean_squared", false)).walSequence();
    }

    /**
     * Writes without a pause (each write as soon as the previous is acknowledged, so the
     * namespace never goes quiet) until the newest manifest lists at least {@code segments}.
     */
    private void writeUntilSegments(TestNode node, int segments) {
        long deadline = System.nanoTime() + TestNode.TIMEOUT.toNanos();
        do {
            write(node, AFTER_OPS);
            if (System.nanoTime() > deadline) {
                fail("still " + latestManifest().segments().size() + " segments after " + writes + " writes");
            }
        } while (latestManifest().segments().size() < segments);
    }

    // ---- what the namespace answers and holds

    private static QueryResult everything(TestNode node) {
        return node.queryOk(NS, QueryRequest.nearest(Q, 2 * IDS).withFilters(List.of("n", "Gte", 0L))
                .including(List.of("n")));
    }

    private static double distance(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            sum += d * d;
        }
        return sum;
    }

    /** Every live document once, nearest first, at its distance in the model. */
    private void assertMatchesModel(QueryResult result) {
        List<Long> expected = model.keySet().stream()
                .sorted(Comparator.comparingDouble(id -> distance(Q, model.get(id)))).toList();
        assertEquals(expected, result.rows().stream().map(Row::id).toList());
        for (Row r : result.rows()) {
            assertEquals(distance(Q, model.get((Long) r.id())), r.dist(), 1e-4, () -> "distance of " + r.id());
            assertEquals(Map.of("n", r.id()), r.attributes());
        }
    }

    private Manifest latestManifest() {
        SequencedLog manifests = new SequencedLog(io.local(dir), LAYOUT.manifestPrefix());
        long version = manifests.latest().join();
        return ManifestCodec.decode(manifests.read(version).join(), "manifest " + version);
    }

    /** The entity's own view: segments it searches and unindexed documents, from its query plan. */
    private record Plan(long segments, boolean tailEmpty) {}

    private static Plan plan(TestNode node) {
        TestProbe<StatusReply<String>> probe = node.kit.createTestProbe();
        node.region.tell(new ShardingEnvelope<>(NS, new Explain(QueryRequest.nearest(Q, 1), probe.getRef())));
        String text = probe.receiveMessage(TestNode.TIMEOUT).getValue();
        return new Plan(text.lines().filter(l -> l.startsWith("segment ")).count(),
                text.contains("tail: exact scan of 0 unindexed documents in 0 WAL entries"));
    }

    private static void eventually(TestNode node, Runnable check) {
        node.kit.createTestProbe().awaitAssert(TestNode.TIMEOUT, () -> {
            check.run();
            return null;
        });
    }

    /**
     * Waits until the entity searches one segment and no tail, then checks that nothing else
     * started: a job starts, if at all, in the same step that swaps in the merged segment.
     */
    private void assertSettledInOneSegment(TestNode node) {
        eventually(node, () -> assertEquals(new Plan(1, true), plan(node)));
        assertEquals(0, node.metrics.indexingBacklog.get(), "no build runs after the merge");
        Manifest m = latestManifest();
        assertEquals(1, m.segments().size());
        assertEquals(lastSequence, m.indexedThrough());
        assertEquals(model.size(), m.segments().get(0).documents());
        assertEquals(0, m.segments().get(0).deletes());
    }

    /**
     * A store that holds the merged segment's write once {@code armed}. An indexing pass names
     * its segment after the last WAL entry it folds, newer than every earlier segment's; a merge
     * names it after the newest entry of the segments it merges, which one of them already bears.
     */
    private HoldingObjectStore holdingTheMerge(AtomicBoolean armed) {
        AtomicLong newest = new AtomicLong();
        return HoldingObjectStore.holdingFirst(io.local(dir), (key, bytes) -> {
            if (!key.startsWith(LAYOUT.segmentPrefix()) || key.endsWith(".deletes")) {
                return false;
            }
            long walLast = Long.parseLong(key.substring(LAYOUT.segmentPrefix().length()).substring(0, 20));
            boolean merge = walLast <= newest.get();
            newest.accumulateAndGet(walLast, Math::max);
            return armed.get() && merge;
        });
    }

    // ---- tests

    @Test
    void aQuietNamespaceIsMergedIntoOneSegmentThatAnswersAsItsSegmentsDid() throws Exception {
        AtomicBoolean armed = new AtomicBoolean();
        HoldingObjectStore held = holdingTheMerge(armed);
        try (TestNode node = new TestNode(held, config(true))) {
            writeUntilSegments(node, 3);
            armed.set(true);

            // The writes stop: after the quiet period the rest of the tail is indexed, then merged.
            held.entered.get(20, TimeUnit.SECONDS);
            Manifest before = latestManifest();
            assertTrue(before.segments().size() >= 3, () -> before.segments().size() + " segments");
            assertEquals(lastSequence, before.indexedThrough(), "the tail is indexed before the merge");
            QueryResult separate = everything(node);
            assertMatchesModel(separate);

            held.release.complete(null);
            assertSettledInOneSegment(node);
            assertEquals(separate.rows(), everything(node).rows(), "the same rows at the same distances");
        }
        try (TestNode node = new TestNode(io.local(dir), config(true))) {
            assertMatchesModel(everything(node));
            assertEquals(new Plan(1, true), plan(node));
        }
    }

    @Test
    void writesDuringAMergeAreTakenAndMergedAtTheNextQuietPeriod() throws Exception {
        AtomicBoolean armed = new AtomicBoolean();
        HoldingObjectStore held = holdingTheMerge(armed);
        try (TestNode node = new TestNode(held, config(true))) {
            writeUntilSegments(node, 3);
            armed.set(true);
            held.entered.get(20, TimeUnit.SECONDS);

            // The merge is under way; writes are acknowledged (within the node's timeout) and seen.
            write(node, AFTER_OPS / 2);
            write(node, 3);
            assertMatchesModel(everything(node));

            // The merged segment is published with the newer writes still in the tail, which
            // supersede its copies; the next quiet period indexes them and merges again.
            held.release.complete(null);
            assertSettledInOneSegment(node);
            assertMatchesModel(everything(node));
        }
        try (TestNode node = new TestNode(io.local(dir), config(true))) {
            assertMatchesModel(everything(node));
        }
    }

    @Test
    void withMergeWhenQuietOffTheSegmentsStay() {
        try (TestNode node = new TestNode(io.local(dir), config(false))) {
            writeUntilSegments(node, 3);
            eventually(node, () -> assertEquals(true, plan(node).tailEmpty()));
            int segments = latestManifest().segments().size();

            // Fewer operations than after-ops: only a quiet period indexes them, and the merge,
            // were it on, would start in the same step that publishes them.
            write(node, 3);
            eventually(node, () -> assertEquals(new Plan(segments + 1, true), plan(node)));
            assertEquals(0, node.metrics.indexingBacklog.get(), "no merge runs");
            assertEquals(0, node.metrics.compactions.get(), "no merge ran");
            assertEquals(segments + 1, latestManifest().segments().size());
            assertMatchesModel(everything(node));
        }
    }
}
