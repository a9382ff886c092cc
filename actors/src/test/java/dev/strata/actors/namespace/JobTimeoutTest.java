package dev.strata.actors.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.actors.namespace.NamespaceProtocol.UpsertRow;
import dev.strata.actors.namespace.NamespaceProtocol.WriteRequest;
import dev.strata.actors.storage.NamespaceLayout;
import dev.strata.actors.storage.NamespaceName;
import dev.strata.actors.storage.SequencedLog;
import dev.strata.actors.testing.IoPool;
import dev.strata.tiering.store.ObjectStore;
import dev.strata.tiering.testing.ForwardingObjectStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A background job whose request never answers is failed after the job timeout, and the
 * namespace indexes on: here the first segment upload hangs forever, and the build is tried
 * again and published. Without the timeout the entity would wait for that upload for good.
 */
class JobTimeoutTest {

    private static final String NS = "job-timeout";
    private static final NamespaceLayout LAYOUT = new NamespaceLayout(new NamespaceName(NS));
    private static final String CONFIG = """
            strata.namespace.indexing.after-quiet = 300ms
            strata.namespace.indexing.job-timeout = 1s
            strata.namespace.compaction.merge-when-quiet = false
            """;

    @TempDir
    Path dir;

    @RegisterExtension
    final IoPool io = new IoPool();

    /** Never answers the first upload of a segment; passes everything else through. */
    private static final class FirstSegmentPutHangs extends ForwardingObjectStore {
        final AtomicBoolean hung = new AtomicBoolean();

        FirstSegmentPutHangs(ObjectStore delegate) {
            super(delegate);
        }

        @Override
        public CompletableFuture<Void> put(String key, byte[] data) {
            if (key.contains("/segments/") && hung.compareAndSet(false, true)) {
                return new CompletableFuture<>();
            }
            return super.put(key, data);
        }
    }

    @Test
    void aBuildWhoseUploadNeverAnswersIsFailedAndTriedAgain() throws Exception {
        ObjectStore local = io.local(dir);
        FirstSegmentPutHangs store = new FirstSegmentPutHangs(local);
        List<UpsertRow> rows = new ArrayList<>();
        for (long id = 0; id < 50; id++) {
            rows.add(NamespaceEntityTest.row(id, new float[] {id, 1, 2, 3}));
        }
        try (TestNode node = new TestNode(store, CONFIG)) {
            long sequence = node.writeOk(NS, WriteRequest.of(rows, null, null, "euclidean_squared", false))
                    .walSequence();
            node.kit.createTestProbe().awaitAssert(TestNode.TIMEOUT, () -> {
                Manifest m = manifest(local);
                assertTrue(m.indexedThrough() >= sequence, "not indexed yet: " + m.indexedThrough());
                assertEquals(1, m.segments().size());
                return null;
            });
            assertTrue(store.hung.get(), "the first segment upload was never attempted");
        }
    }

    private static Manifest manifest(ObjectStore store) {
        SequencedLog manifests = new SequencedLog(store, LAYOUT.manifestPrefix());
        long version = manifests.latest().join();
        return version < 0 ? Manifest.empty(new NamespaceName(NS))
                : ManifestCodec.decode(manifests.read(version).join(), "manifest " + version);
    }
}
