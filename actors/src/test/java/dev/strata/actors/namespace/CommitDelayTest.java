package dev.strata.actors.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.actors.namespace.NamespaceProtocol.QueryRequest;
import dev.strata.actors.namespace.NamespaceProtocol.UpsertRow;
import dev.strata.actors.namespace.NamespaceProtocol.WriteRequest;
import dev.strata.actors.testing.IoPool;
import dev.strata.tiering.store.LocalDirectoryObjectStore;
import dev.strata.tiering.testing.ForwardingObjectStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writers that are answered together and write again at once share the next WAL object when a
 * commit waits (up to commit-delay) for as many writes as the previous one answered, instead of
 * splitting into groups that take turns; a lone writer never waits.
 */
class CommitDelayTest {

    private static final String NS = "closed-loop";
    private static final int WRITERS = 8;
    private static final int ROUNDS = 10;

    @TempDir
    Path dir;

    @RegisterExtension
    final IoPool io = new IoPool();

    /** Counts WAL creates and makes each take {@code latencyMs}, like a remote bucket. */
    private static final class SlowWal extends ForwardingObjectStore {
        final AtomicInteger walCreates = new AtomicInteger();

        SlowWal(LocalDirectoryObjectStore delegate) {
            super(delegate);
        }

        @Override
        public CompletableFuture<Boolean> createIfAbsent(String key, byte[] data) {
            if (!key.contains("/wal/")) {
                return super.createIfAbsent(key, data);
            }
            walCreates.incrementAndGet();
            return CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(30, TimeUnit.MILLISECONDS))
                    .thenCompose(ignored -> super.createIfAbsent(key, data));
        }
    }

    /** WAL objects created for {@code writerCount} closed-loop writers doing ROUNDS writes each. */
    private int walObjects(String commitDelay, int writerCount) throws Exception {
        SlowWal store = new SlowWal(io.local(dir.resolve(commitDelay + "-" + writerCount)));
        try (TestNode node = new TestNode(store, "strata.namespace.writes.commit-delay = " + commitDelay + "\n")) {
            node.writeOk(NS, write(WRITERS * ROUNDS)); // the first commit also publishes the metric
            store.walCreates.set(0);
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < writerCount; w++) {
                int writer = w;
                Thread t = new Thread(() -> {
                    for (int r = 0; r < ROUNDS; r++) {
                        node.writeOk(NS, write(writer * ROUNDS + r));
                    }
                });
                t.start();
                writers.add(t);
            }
            for (Thread t : writers) {
                t.join();
            }
            assertEquals(writerCount * ROUNDS + 1,
                    node.queryOk(NS, QueryRequest.nearest(new float[] {0, 1}, 1000)).rows().size());
            return store.walCreates.get();
        }
    }

    private static WriteRequest write(long id) {
        return WriteRequest.of(List.of(new UpsertRow(id, new float[] {id, 1f}, Map.of())), null, null,
                "euclidean_squared", false);
    }

    @Test
    void writersAnsweredTogetherShareTheNextCommit() throws Exception {
        // Writers get 50 ms to write again: generous on a loaded machine, short beside a commit.
        int delayed = walObjects("50ms", WRITERS);
        assertTrue(delayed <= ROUNDS * 3 / 2, delayed + " WAL objects for " + ROUNDS + " rounds of "
                + WRITERS + " writers");
        // Without the delay the writers take turns in groups: about two objects a round.
        int immediate = walObjects("0ms", WRITERS);
        assertTrue(immediate > delayed, immediate + " WAL objects without the delay, " + delayed + " with it");
    }

    @Test
    void aLoneWriterNeverWaits() throws Exception {
        // A commit waits only for as many writes as the last one answered: one here, which is
        // always there. Waiting the delay after each commit would take ROUNDS seconds.
        long start = System.nanoTime();
        assertEquals(ROUNDS, walObjects("1s", 1));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(millis < ROUNDS * 1000 / 2, ROUNDS + " writes of a lone writer took " + millis + " ms");
    }
}
