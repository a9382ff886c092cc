package dev.strata.actors.namespace;

import dev.strata.actors.namespace.NamespaceProtocol.PatchRow;
import dev.strata.actors.namespace.NamespaceProtocol.QueryRequest;
import dev.strata.actors.namespace.NamespaceProtocol.Row;
import dev.strata.actors.namespace.NamespaceProtocol.WriteRequest;
import dev.strata.actors.namespace.NamespaceProtocol.WriteResult;
import dev.strata.actors.storage.NamespaceLayout;
import dev.strata.actors.storage.NamespaceName;
import dev.strata.actors.storage.SequencedLog;
import dev.strata.actors.testing.IoPool;
import dev.strata.config.StrataThreads;
import dev.strata.index.io.ByteRange;
import dev.strata.tiering.store.ObjectStore;
import dev.strata.tiering.testing.ForwardingObjectStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import static dev.strata.actors.namespace.NamespaceEntityTest.row;
import static org.junit.jupiter.api.Assertions.assertEquals;


/**
 * Regression: one write patches a document that lives in a segment (so its base must be read
 * first) and one that lives in the tail. While the segment read is under way, an indexing pass
 * folds the tail into a new segment, so the second document is no longer in the tail when the
 * write resolves. It must then be read from the new segment; it used to be taken for missing,
 * and the acknowledged patch was silently dropped (found by {@link FaultInjectionTest}).
 */
class PatchBaseRaceTest {

    private static final String NS = "race";
    private static final NamespaceLayout LAYOUT = new NamespaceLayout(new NamespaceName(NS));
    private static final float[] V = {1, 0};

    @TempDir
    Path dir;

    @RegisterExtension
    final IoPool io = new IoPool();

    private final ExecutorService indexer = StrataThreads.newPool(StrataThreads.INDEXER, 1);

    @AfterEach
    void stopPools() {
        indexer.shutdownNow();
    }

    /** Holds every read of one key, once armed, until released. */
    private static final class HoldReads extends ForwardingObjectStore {
        volatile String key;
        final CompletableFuture<Void> entered = new CompletableFuture<>();
        final CompletableFuture<Void> release = new CompletableFuture<>();

        HoldReads(ObjectStore delegate) {
            super(delegate);
        }

        private <T> CompletableFuture<T> maybeHold(String k, java.util.function.Supplier<CompletableFuture<T>> read) {
            if (k.equals(key)) {
                entered.complete(null);
                return release.thenCompose(ignored -> read.get());
            }
            return read.get();
        }

        @Override
        public CompletableFuture<byte[]> get(String k) {
            return maybeHold(k, () -> delegate.get(k));
        }

        @Override
        public CompletableFuture<byte[]> getRange(String k, ByteRange range) {
            return maybeHold(k, () -> delegate.getRange(k, range));
        }
    }

    private Manifest latestManifest() {
        SequencedLog manifests = new SequencedLog(io.local(dir), LAYOUT.manifestPrefix());
        long version = manifests.latest().join();
        return ManifestCodec.decode(manifests.read(version).join(), "manifest " + version);
    }

    @Test
    void aPatchWhoseTailDocumentIsIndexedWhileItWaitsIsNotLost() throws Exception {
        String config = "strata.namespace.indexing.after-quiet = 1h\n"
                + "strata.namespace.garbage.grace = 1h\n";
        // Documents 1 and 2 in a segment, document 3 in the tail.
        try (TestNode node = new TestNode(io.local(dir),
                config + "strata.namespace.indexing.after-ops = 2\n")) {
            node.writeOk(NS, WriteRequest.of(List.of(row(1L, V, "n", 1L), row(2L, V, "n", 2L)), null, null,
                    "euclidean_squared", false));
            node.kit.createTestProbe().awaitAssert(TestNode.TIMEOUT, () -> {
                assertEquals(1, latestManifest().segments().size());
                return null;
            });
            node.writeOk(NS, WriteRequest.of(List.of(row(3L, V, "n", 3L)), null, null, null, false));
        }
        String segment = latestManifest().segments().get(0).key();

        // A new node indexes its one-operation tail as soon as it loads; the build is held.
        GatedExecutor gate = new GatedExecutor(indexer);
        gate.arm();
        HoldReads store = new HoldReads(io.local(dir));
        try (TestNode node = new TestNode(store, config + "strata.namespace.indexing.after-ops = 1\n", gate)) {
            node.queryOk(NS, QueryRequest.nearest(V, 1)); // loaded
            gate.entered.get(20, TimeUnit.SECONDS);
            store.key = segment;
            TestProbe<StatusReply<WriteResult>> write = node.sendWrite(NS, WriteRequest.of(null,
                    List.of(new PatchRow(2L, Map.of("p", "two")), new PatchRow(3L, Map.of("p", "three"))), null, null,
                    false));
            store.entered.get(20, TimeUnit.SECONDS); // document 2's base is being read
            gate.release.complete(null); // the tail (document 3) becomes segment 2
            node.kit.createTestProbe().awaitAssert(TestNode.TIMEOUT, () -> {
                assertEquals(2, latestManifest().segments().size());
                return null;
            });
            store.release.complete(null);

            StatusReply<WriteResult> reply = write.receiveMessage(TestNode.TIMEOUT);
            assertEquals(2, reply.getValue().patched(), reply::toString);
            Map<Object, Object> p = node.queryOk(NS, QueryRequest.nearest(V, 10)
                            .withFilters(List.of("n", "Gte", 0L)).includingAll())
                    .rows().stream().filter(r -> r.attributes().containsKey("p"))
                    .collect(Collectors.toMap(Row::id, r -> r.attributes().get("p")));
            assertEquals(Map.of(2L, "two", 3L, "three"), p);
        }
    }
}
