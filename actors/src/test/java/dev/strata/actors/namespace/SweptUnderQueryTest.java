package dev.strata.actors.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.actors.namespace.NamespaceProtocol.Query;
import dev.strata.actors.namespace.NamespaceProtocol.QueryRequest;
import dev.strata.actors.namespace.NamespaceProtocol.QueryResult;
import dev.strata.actors.namespace.NamespaceProtocol.UpsertRow;
import dev.strata.actors.namespace.NamespaceProtocol.WriteRequest;
import dev.strata.actors.storage.NamespaceLayout;
import dev.strata.actors.storage.NamespaceName;
import dev.strata.actors.storage.SequencedLog;
import dev.strata.actors.testing.IoPool;
import dev.strata.index.io.ByteRange;
import dev.strata.tiering.store.ObjectStore;
import dev.strata.tiering.testing.ForwardingObjectStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A query still reading a segment that compaction has replaced, when the sweep deletes the
 * segment's object under it (a garbage grace of 0): its caller gets a retryable error, not a
 * missing object, and the same query then answers from the current snapshot.
 */
class SweptUnderQueryTest {

    private static final String NS = "swept";
    private static final NamespaceLayout LAYOUT = new NamespaceLayout(new NamespaceName(NS));
    private static final int BATCH = 50;
    private static final String CONFIG = "strata.namespace.indexing.after-ops = " + BATCH + "\n"
            + "strata.namespace.indexing.after-quiet = 1h\n"
            + "strata.namespace.compaction.max-segments = 1\n"
            + "strata.namespace.compaction.merge-when-quiet = off\n"
            + "strata.namespace.garbage.grace = 0s\n"
            + "strata.namespace.garbage.keep-manifests = 1\n";
    private static final float[] Q = {1, 0, 0, 0, 0, 0, 0, 0};

    @TempDir
    Path dir;

    @RegisterExtension
    final IoPool io = new IoPool();

    /** Holds the first segment read after {@link #armed} is set, until released. */
    private static final class HoldingReads extends ForwardingObjectStore {
        final AtomicBoolean armed = new AtomicBoolean();
        final CompletableFuture<String> held = new CompletableFuture<>();
        final CompletableFuture<Void> release = new CompletableFuture<>();

        HoldingReads(ObjectStore delegate) {
            super(delegate);
        }

        @Override
        public CompletableFuture<byte[]> getRange(String key, ByteRange range) {
            if (key.contains("/segments/") && armed.compareAndSet(true, false)) {
                held.complete(key);
                return release.thenCompose(ignored -> super.getRange(key, range));
            }
            return super.getRange(key, range);
        }
    }

    private static WriteRequest rows(int from, int to) {
        Random random = new Random(from);
        List<UpsertRow> rows = new ArrayList<>();
        for (long id = from; id < to; id++) {
            float[] v = new float[Q.length];
            for (int d = 0; d < v.length; d++) {
                v[d] = (float) random.nextGaussian();
            }
            rows.add(NamespaceEntityTest.row(id, v));
        }
        return WriteRequest.of(rows, null, null, "euclidean_squared", false);
    }

    private Manifest latestManifest(ObjectStore store) {
        SequencedLog manifests = new SequencedLog(store, LAYOUT.manifestPrefix());
        long version = manifests.latest().join();
        return version < 0 ? Manifest.empty(new NamespaceName(NS))
                : ManifestCodec.decode(manifests.read(version).join(), "manifest " + version);
    }

    @Test
    void aQueryWhoseSegmentIsSweptUnderItGetsARetryableError() throws Exception {
        HoldingReads store = new HoldingReads(io.local(dir));
        try (TestNode node = new TestNode(store, CONFIG)) {
            node.writeOk(NS, rows(0, BATCH));
            node.kit.createTestProbe().awaitAssert(TestNode.TIMEOUT, () -> {
                assertEquals(1, latestManifest(store).segments().size());
                return null;
            });

            store.armed.set(true);
            TestProbe<StatusReply<QueryResult>> probe = node.kit.createTestProbe();
            node.region.tell(new ShardingEnvelope<>(NS, new Query(QueryRequest.nearest(Q, 10).eventually(),
                    probe.getRef())));
            String segment = store.held.get(10, TimeUnit.SECONDS);

            // A second segment: more than max-segments, so the two are merged into one, and the
            // sweep deletes both originals, the one the held query reads among them.
            node.writeOk(NS, rows(BATCH, 2 * BATCH));
            node.kit.createTestProbe().awaitAssert(TestNode.TIMEOUT, () -> {
                assertTrue(store.head(segment).join().isEmpty(), segment + " is swept");
                return null;
            });
            store.release.complete(null);

            StatusReply<QueryResult> reply = probe.receiveMessage(TestNode.TIMEOUT);
            assertTrue(reply.isError(), reply::toString);
            NamespaceException error = assertInstanceOf(NamespaceException.Unavailable.class, reply.getError(),
                    reply.getError()::toString);
            assertTrue(error.retryable());

            assertEquals(2 * BATCH, node.queryOk(NS, QueryRequest.nearest(Q, 1000).eventually()).rows().size());
        }
    }
}
