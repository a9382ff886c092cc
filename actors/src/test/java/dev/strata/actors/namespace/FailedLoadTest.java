package dev.strata.actors.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.actors.namespace.NamespaceProtocol.QueryRequest;
import dev.strata.actors.namespace.NamespaceProtocol.UpsertRow;
import dev.strata.actors.namespace.NamespaceProtocol.WriteRequest;
import dev.strata.actors.namespace.NamespaceProtocol.WriteResult;
import dev.strata.actors.testing.IoPool;
import dev.strata.tiering.store.ListPage;
import dev.strata.tiering.store.LocalDirectoryObjectStore;
import dev.strata.tiering.testing.ForwardingObjectStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A namespace whose load fails answers every request sent while it fails, with a retryable
 * error, and loads again for the next one: no request is left without a reply.
 */
class FailedLoadTest {

    private static final String NS = "failing";
    /** Far below the test node's ask timeout: a reply this late means a request was dropped. */
    private static final Duration PROMPT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    @RegisterExtension
    final IoPool io = new IoPool();

    /** Fails the first {@code failures} listings of the namespace's manifests, so its loads fail. */
    private static final class FailingLoads extends ForwardingObjectStore {
        final AtomicInteger failures;

        FailingLoads(LocalDirectoryObjectStore delegate, int failures) {
            super(delegate);
            this.failures = new AtomicInteger(failures);
        }

        @Override
        public CompletableFuture<ListPage> list(String prefix, String continuationToken, int maxKeys) {
            if (prefix.contains("/manifest/") && failures.getAndDecrement() > 0) {
                return CompletableFuture.failedFuture(new IllegalStateException("injected listing failure"));
            }
            return super.list(prefix, continuationToken, maxKeys);
        }
    }

    private static WriteRequest upsert(long id) {
        return WriteRequest.of(List.of(new UpsertRow(id, new float[] {id, 1f}, Map.of())), null, null,
                "euclidean_squared", false);
    }

    @Test
    void everyRequestSentWhileLoadsFailGetsAPromptReply() throws Exception {
        FailingLoads store = new FailingLoads(io.local(dir), 20);
        try (TestNode node = new TestNode(store)) {
            // Requests arrive throughout: before, during and after each failed load.
            List<TestProbe<StatusReply<WriteResult>>> probes = new ArrayList<>();
            for (int i = 0; i < 5_000 && store.failures.get() > 0; i++) {
                probes.add(node.sendWrite(NS, upsert(i)));
                Thread.sleep(1);
            }
            int acknowledged = 0;
            for (TestProbe<StatusReply<WriteResult>> probe : probes) {
                StatusReply<WriteResult> reply = probe.receiveMessage(PROMPT);
                if (reply.isSuccess()) {
                    acknowledged++;
                } else {
                    assertInstanceOf(NamespaceException.Unavailable.class, reply.getError());
                    assertTrue(reply.getError().getMessage().contains("failed to load"), reply.getError().getMessage());
                }
            }
            assertTrue(store.failures.get() <= 0, "every injected failure met requests");
            assertTrue(probes.size() > acknowledged, "some requests met a failed load");

            // Loads succeed again: the namespace serves, with what was acknowledged. The entity
            // of the last failed load answers with the same retryable error until its shard has
            // stopped it, so a write sent now may need a retry, as any client's would.
            StatusReply<WriteResult> last = null;
            for (int attempt = 0; attempt < 100 && (last == null || last.isError()); attempt++) {
                if (last != null) {
                    assertInstanceOf(NamespaceException.Unavailable.class, last.getError());
                    Thread.sleep(50);
                }
                last = node.sendWrite(NS, upsert(1_000)).receiveMessage(PROMPT);
            }
            assertTrue(last.isSuccess(), "the namespace loads again once the failures stop: " + last);
            assertEquals(acknowledged + 1,
                    node.queryOk(NS, QueryRequest.nearest(new float[] {0, 1}, 1_000)).rows().size());
        }
    }
}
