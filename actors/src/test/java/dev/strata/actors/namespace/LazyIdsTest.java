package dev.strata.actors.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.actors.namespace.NamespaceProtocol.QueryRequest;
import dev.strata.actors.namespace.NamespaceProtocol.QueryResult;
import dev.strata.actors.namespace.NamespaceProtocol.UpsertRow;
import dev.strata.actors.namespace.NamespaceProtocol.Write;
import dev.strata.actors.namespace.NamespaceProtocol.WriteRequest;
import dev.strata.actors.namespace.NamespaceProtocol.WriteResult;
import dev.strata.actors.storage.NamespaceLayout;
import dev.strata.actors.storage.NamespaceName;
import dev.strata.actors.storage.SequencedLog;
import dev.strata.actors.testing.IoPool;
import dev.strata.index.io.ByteRange;
import dev.strata.index.search.SegmentLayout;
import dev.strata.index.segment.SectionInfo;
import dev.strata.index.segment.SegmentFormat;
import dev.strata.tiering.store.ObjectStore;
import dev.strata.tiering.testing.ForwardingObjectStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A namespace of one segment and no tail loads without the segment's id column: its queries
 * name their hits from the vector records they rerank and never read the ids. The first write
 * loads them, waits for them, and then commits as usual, superseding the segment's documents.
 */
class LazyIdsTest {

    private static final String NS = "lazy-ids";
    private static final NamespaceLayout LAYOUT = new NamespaceLayout(new NamespaceName(NS));
    private static final int DIMS = 16;
    /** Enough documents that the vectors lie further apart than the reader coalesces reads. */
    private static final int DOCS = 4_000;
    private static final String CONFIG = "strata.namespace.indexing.after-ops = " + DOCS + "\n"
            + "strata.namespace.indexing.after-quiet = 1h\n";

    @TempDir
    Path dir;

    @RegisterExtension
    final IoPool io = new IoPool();

    /** Holds every read of the segment's ids section until released. */
    private static final class HoldingIds extends ForwardingObjectStore {
        final ByteRange ids;
        final CompletableFuture<Void> idsHeld = new CompletableFuture<>();
        final CompletableFuture<Void> release = new CompletableFuture<>();

        HoldingIds(ObjectStore delegate, ByteRange ids) {
            super(delegate);
            this.ids = ids;
        }

        @Override
        public CompletableFuture<byte[]> getRange(String key, ByteRange range) {
            if (key.contains("/segments/") && range.start() < ids.end() && ids.start() < range.end()) {
                idsHeld.complete(null);
                return release.thenCompose(ignored -> super.getRange(key, range));
            }
            return super.getRange(key, range);
        }
    }

    private static float[] vector(Random random) {
        float[] v = new float[DIMS];
        for (int d = 0; d < DIMS; d++) {
            v[d] = (float) random.nextGaussian();
        }
        return v;
    }

    @Test
    void queriesDoNotReadTheIdsAndTheFirstWriteWaitsForThem() throws Exception {
        ObjectStore local = io.local(dir);
        Random random = new Random(7);
        List<UpsertRow> rows = new ArrayList<>();
        for (long id = 0; id < DOCS; id++) {
            rows.add(NamespaceEntityTest.row(id, vector(random)));
        }
        float[] q = vector(random);
        QueryRequest nearest = QueryRequest.nearest(q, 10).eventually();
        List<Object> expected;
        try (TestNode node = new TestNode(local, CONFIG)) {
            node.writeOk(NS, WriteRequest.of(rows, null, null, "euclidean_squared", false));
            node.kit.createTestProbe().awaitAssert(TestNode.TIMEOUT, () -> {
                assertEquals(1, manifest(local).segments().size());
                return null;
            });
            expected = node.queryOk(NS, nearest).rows().stream().map(NamespaceProtocol.Row::id).toList();
        }

        SegmentLayout layout = manifest(local).segments().get(0).layoutOrNull();
        SectionInfo ids = layout.directory().sections().stream()
                .filter(s -> s.name().equals(SegmentFormat.IDS)).findFirst().orElseThrow();
        HoldingIds store = new HoldingIds(local, ids.range());

        try (TestNode node = new TestNode(store, CONFIG)) {
            // Eventual and strong queries answer without the ids.
            assertEquals(expected, ids(node.queryOk(NS, nearest)));
            assertEquals(expected, ids(node.queryOk(NS, QueryRequest.nearest(q, 10))));
            assertFalse(store.idsHeld.isDone(), "a query read the ids");

            // A write: the query vector itself as a new document (now the nearest), and the
            // nearest old document moved far away (its segment copy must be superseded).
            float[] far = q.clone();
            for (int d = 0; d < DIMS; d++) {
                far[d] += 1_000;
            }
            long moved = ((Number) expected.get(0)).longValue();
            TestProbe<StatusReply<WriteResult>> write = node.kit.createTestProbe();
            node.region.tell(new ShardingEnvelope<>(NS, new Write(WriteRequest.of(
                    List.of(NamespaceEntityTest.row((long) DOCS, q), NamespaceEntityTest.row(moved, far)),
                    null, null, "euclidean_squared", false), write.getRef())));
            store.idsHeld.get(10, TimeUnit.SECONDS);
            write.expectNoMessage(Duration.ofMillis(200));
            // Queries still run while the write waits.
            assertEquals(expected, ids(node.queryOk(NS, nearest)));

            store.release.complete(null);
            StatusReply<WriteResult> written = write.receiveMessage(TestNode.TIMEOUT);
            assertTrue(written.isSuccess(), written::toString);

            List<Object> after = ids(node.queryOk(NS, QueryRequest.nearest(q, 10)));
            assertEquals((long) DOCS, ((Number) after.get(0)).longValue());
            assertFalse(after.contains(expected.get(0)), "the moved document's old copy is still found");
            assertEquals(10, new java.util.HashSet<>(after).size());
            List<Object> atFar = ids(node.queryOk(NS, QueryRequest.nearest(far, 2)));
            assertEquals(moved, ((Number) atFar.get(0)).longValue());
            assertFalse(atFar.get(1).equals(atFar.get(0)));
        }
    }

    private static List<Object> ids(QueryResult result) {
        return result.rows().stream().map(NamespaceProtocol.Row::id).toList();
    }

    private static Manifest manifest(ObjectStore store) {
        SequencedLog manifests = new SequencedLog(store, LAYOUT.manifestPrefix());
        long version = manifests.latest().join();
        return version < 0 ? Manifest.empty(new NamespaceName(NS))
                : ManifestCodec.decode(manifests.read(version).join(), "manifest " + version);
    }
}
