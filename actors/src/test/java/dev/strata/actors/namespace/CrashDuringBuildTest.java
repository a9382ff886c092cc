package dev.strata.actors.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.actors.namespace.NamespaceProtocol.QueryRequest;
import dev.strata.actors.namespace.NamespaceProtocol.Row;
import dev.strata.actors.storage.NamespaceLayout;
import dev.strata.actors.storage.NamespaceName;
import dev.strata.actors.storage.SequencedLog;
import dev.strata.actors.testing.IoPool;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node that dies in the middle of a background build: while an indexing pass writes its
 * segment, while compaction writes the merged segment, and while compaction's manifest is
 * being created. The node is stopped with the write still held, so it never reaches the
 * bucket; a new node must find every acknowledged write, answer completely, and finish the
 * interrupted work itself.
 */
class CrashDuringBuildTest {

    private static final String NS = "crash";
    private static final NamespaceLayout LAYOUT = new NamespaceLayout(new NamespaceName(NS));
    /**
     * Each quiet tail becomes one segment; three segments are compacted into one (not two, as
     * merging when quiet would: the crash points below count the segments before compaction's).
     */
    private static final String CONFIG = "strata.namespace.indexing.after-quiet = 150ms\n"
            + "strata.namespace.compaction.max-segments = 2\n"
            + "strata.namespace.compaction.merge-when-quiet = false\n"
            + "strata.namespace.garbage.grace = 0s\n"
            + "strata.namespace.garbage.keep-manifests = 1\n";

    @TempDir
    Path dir;

    @RegisterExtension
    final IoPool io = new IoPool();

    /** Requests of StormPlan writer 0 acknowledged so far. */
    private int written;

    private void write(TestNode node, int requests) {
        for (int i = 0; i < requests; i++) {
            node.writeOk(NS, StormPlan.request(0, written));
            written++;
        }
    }

    private Map<Long, Row> rows(TestNode node) {
        return StormPlan.byWriter(node.queryOk(NS, StormPlan.everything())).getOrDefault(0, Map.of());
    }

    private void assertComplete(TestNode node) {
        assertNull(StormPlan.difference(StormPlan.model(0, written), rows(node)), "after " + written + " requests");
    }

    private static long scanned(TestNode node) {
        return node.queryOk(NS, QueryRequest.nearest(StormPlan.ORIGIN, 1)).exhaustiveSearchCount();
    }

    private static void eventually(TestNode node, Runnable check) {
        node.kit.createTestProbe().awaitAssert(TestNode.TIMEOUT, () -> {
            check.run();
            return null;
        });
    }

    private void writeAndIndex(TestNode node, int requests) {
        write(node, requests);
        eventually(node, () -> assertEquals(0, scanned(node)));
    }

    private Manifest latestManifest() {
        SequencedLog manifests = new SequencedLog(io.local(dir), LAYOUT.manifestPrefix());
        long version = manifests.latest().join();
        return ManifestCodec.decode(manifests.read(version).join(), "manifest " + version);
    }

    /** A new node on the clean bucket: complete at once, complete once it has indexed, and writable. */
    private void reopenAndCheck() {
        try (TestNode node = new TestNode(io.local(dir), CONFIG)) {
            assertComplete(node);
            eventually(node, () -> assertEquals(0, scanned(node)));
            eventually(node, () -> assertTrue(latestManifest().segments().size() <= 2));
            assertComplete(node);
            write(node, 2);
            assertComplete(node);
        }
        try (TestNode node = new TestNode(io.local(dir), CONFIG)) {
            assertComplete(node);
        }
    }

    private static boolean segmentData(String key) {
        return key.contains("/segments/") && !key.endsWith(".deletes");
    }

    @Test
    void crashWhileAnIndexingPassWritesItsSegment() throws Exception {
        AtomicBoolean armed = new AtomicBoolean();
        HoldingObjectStore held = HoldingObjectStore.holdingFirst(io.local(dir), (key, bytes) -> armed.get() && segmentData(key));
        TestNode crashed = new TestNode(held, CONFIG);
        try {
            writeAndIndex(crashed, 3);
            armed.set(true);
            write(crashed, 3);
            held.entered.get(20, TimeUnit.SECONDS);
            // Writes go on while the segment is in flight, to documents it is folding.
            write(crashed, 4);
            assertComplete(crashed);
        } finally {
            crashed.close();
        }
        reopenAndCheck();
    }

    @Test
    void crashWhileCompactionWritesTheMergedSegment() throws Exception {
        AtomicInteger segmentsWritten = new AtomicInteger();
        // Three indexing passes write segments 1..3; the fourth segment is compaction's.
        BiPredicate<String, byte[]> compactionSegment = (key, bytes) ->
                segmentData(key) && segmentsWritten.incrementAndGet() == 4;
        HoldingObjectStore held = HoldingObjectStore.holdingFirst(io.local(dir), compactionSegment);
        TestNode crashed = new TestNode(held, CONFIG);
        try {
            for (int pass = 0; pass < 3; pass++) {
                writeAndIndex(crashed, 2);
            }
            held.entered.get(20, TimeUnit.SECONDS);
            assertEquals(3, latestManifest().segments().size());
            write(crashed, 4);
            assertComplete(crashed);
        } finally {
            crashed.close();
        }
        reopenAndCheck();
    }

    @Test
    void crashWhileCompactionCreatesItsManifest() throws Exception {
        AtomicInteger previousSegments = new AtomicInteger();
        BiPredicate<String, byte[]> compactionManifest = (key, bytes) -> {
            if (!key.contains("/manifest/")) {
                return false;
            }
            int segments = ManifestCodec.decode(bytes, key).segments().size();
            return previousSegments.getAndSet(segments) > 2 && segments == 1;
        };
        HoldingObjectStore held = HoldingObjectStore.holdingFirst(io.local(dir), compactionManifest);
        TestNode crashed = new TestNode(held, CONFIG);
        try {
            for (int pass = 0; pass < 3; pass++) {
                writeAndIndex(crashed, 2);
            }
            held.entered.get(20, TimeUnit.SECONDS);
            assertComplete(crashed);
            // (Writes sent now would wait behind the manifest create, and the node could not
            // stop cleanly with them pending; the crash point is what matters here.)
        } finally {
            crashed.close();
        }
        reopenAndCheck();
    }
}
