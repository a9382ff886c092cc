package dev.strata.actors.namespace;

import static dev.strata.actors.namespace.NamespaceEntityTest.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.strata.actors.namespace.NamespaceProtocol.Command;
import dev.strata.actors.namespace.NamespaceProtocol.Query;
import dev.strata.actors.namespace.NamespaceProtocol.QueryRequest;
import dev.strata.actors.namespace.NamespaceProtocol.QueryResult;
import dev.strata.actors.namespace.NamespaceProtocol.Row;
import dev.strata.actors.namespace.NamespaceProtocol.UpsertRow;
import dev.strata.actors.namespace.NamespaceProtocol.Write;
import dev.strata.actors.namespace.NamespaceProtocol.WriteRequest;
import dev.strata.actors.namespace.NamespaceProtocol.WriteResult;
import dev.strata.actors.storage.NamespaceLayout;
import dev.strata.actors.storage.NamespaceName;
import dev.strata.actors.storage.SequencedLog;
import dev.strata.actors.testing.IoPool;
import dev.strata.cache.PageGeometry;
import dev.strata.config.StrataThreads;
import dev.strata.index.doc.DocId;
import dev.strata.index.wal.WalOp;
import dev.strata.index.wal.WalReader;
import dev.strata.tiering.read.ObjectStorePageSource;
import dev.strata.tiering.read.RangeCoalescer;
import dev.strata.tiering.read.TieredReader;
import dev.strata.tiering.store.FaultInjectingObjectStore;
import dev.strata.tiering.store.FaultInjectingObjectStore.Faults;
import dev.strata.tiering.store.ObjectStore;
import dev.strata.tiering.store.S3ObjectStore;
import dev.strata.tiering.testing.S3ProxyServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two entities owning one namespace at once, as after a failover that left the old owner
 * running: the conditional WAL and manifest creates let exactly one of them commit each
 * sequence number, the other's callers get a retryable error, and nothing acknowledged is lost.
 */
class RacingOwnersTest {

    private static final NamespaceName NS = new NamespaceName("contested");
    private static final NamespaceLayout LAYOUT = new NamespaceLayout(NS);
    private static final int THREADS = 4;
    private static final int WRITES_PER_THREAD = 30;
    /** Small indexing thresholds: the owners race for manifest versions too. */
    private static final String CONFIG = "strata.namespace.indexing.after-ops = 40\n"
            + "strata.namespace.indexing.after-quiet = 1h\n";

    @TempDir
    Path dir;

    @RegisterExtension
    final IoPool io = new IoPool();

    private final ExecutorService compute = StrataThreads.newPool(StrataThreads.COMPUTE, 2);
    private final ExecutorService indexer = StrataThreads.newPool(StrataThreads.INDEXER, 1);

    @AfterEach
    void stopPools() {
        compute.shutdownNow();
        indexer.shutdownNow();
    }

    /** What an acknowledgement said: which owner, which WAL entry, which ids. */
    private record Ack(String owner, long sequence, List<Long> ids) {}

    private NamespaceEntity.Resources resources(ObjectStore store, Config config) {
        PageGeometry geometry = new PageGeometry(4096);
        TieredReader reader = new TieredReader(
                new ObjectStorePageSource(store, geometry, new RangeCoalescer(64 * 1024)), geometry);
        return new NamespaceEntity.Resources(store, reader, compute, indexer, NamespaceSettings.from(config));
    }

    /** Writes {@code ids} through {@code entity}, each row recording the owner it was sent to. */
    private static StatusReply<WriteResult> write(ActorTestKit kit, ActorRef<Command> entity, String owner, List<Long> ids) {
        List<UpsertRow> rows = ids.stream().map(id -> row(id, new float[] {id, 1}, "owner", owner, "t", id)).toList();
        TestProbe<StatusReply<WriteResult>> probe = kit.createTestProbe();
        entity.tell(new Write(WriteRequest.of(rows, null, null, "euclidean_squared", false), probe.getRef()));
        return probe.receiveMessage(TestNode.TIMEOUT);
    }

    private static StatusReply<QueryResult> query(ActorTestKit kit, ActorRef<Command> entity, QueryRequest request) {
        TestProbe<StatusReply<QueryResult>> probe = kit.createTestProbe();
        entity.tell(new Query(request, probe.getRef()));
        return probe.receiveMessage(TestNode.TIMEOUT);
    }

    /**
     * Two owners on S3 (S3Proxy) behind per-request latency, taking turns: one writes, then the
     * other, which has not seen that write, answers a strong query. Its check runs concurrently
     * with the query's reads of its stale state; the answer must still hold every write
     * acknowledged before the query, by either owner.
     */
    @Test
    void aStrongQueryOnEitherOwnerSeesTheOthersAcknowledgedWrites() throws Exception {
        Config config = ConfigFactory.parseString(CONFIG).withFallback(ConfigFactory.load());
        ActorTestKit kit = ActorTestKit.create("racing-strong", config);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try (S3ProxyServer server = S3ProxyServer.start("racing")) {
            ObjectStore store = new FaultInjectingObjectStore(new S3ObjectStore(server.settings(""), io.executor()),
                    Faults.none(5).withLatency(Duration.ofMillis(15), Duration.ofMillis(25)), timer, io.executor());
            NamespaceEntity.Resources resources = resources(store, config);
            List<ActorRef<Command>> owners = List.of(kit.spawn(NamespaceEntity.create(NS, null, resources), "owner-a"),
                    kit.spawn(NamespaceEntity.create(NS, null, resources), "owner-b"));
            QueryRequest everything = QueryRequest.orderBy("n", false, 1000);
            owners.forEach(o -> assertInstanceOf(NamespaceException.NotFound.class, query(kit, o, everything).getError()));
            List<Long> acknowledged = new ArrayList<>();
            for (int turn = 0; turn < 12; turn++) {
                ActorRef<Command> writer = owners.get(turn % 2);
                List<Long> ids = new ArrayList<>();
                for (long id = turn * 10L; id < turn * 10L + 5; id++) {
                    ids.add(id);
                }
                List<UpsertRow> rows = ids.stream().map(id -> row(id, new float[] {id, 1}, "n", id)).toList();
                // The writer is behind the other owner's last write: its first create fails and
                // fences it (a retryable error), the retry commits after its reload.
                StatusReply<WriteResult> reply = null;
                for (int attempt = 0; attempt < 5 && (reply == null || reply.isError()); attempt++) {
                    TestProbe<StatusReply<WriteResult>> probe = kit.createTestProbe();
                    writer.tell(new Write(WriteRequest.of(rows, null, null, "euclidean_squared", false), probe.getRef()));
                    reply = probe.receiveMessage(TestNode.TIMEOUT);
                }
                StatusReply<WriteResult> last = reply;
                assertTrue(last.isSuccess(), () -> "write failed: " + last);
                acknowledged.addAll(ids);
                StatusReply<QueryResult> read = query(kit, owners.get((turn + 1) % 2), everything);
                assertTrue(read.isSuccess(), () -> "query failed: " + read);
                assertEquals(acknowledged, read.getValue().rows().stream().map(Row::id).toList(), "turn " + turn);
            }
        } finally {
            kit.shutdownTestKit();
            timer.shutdownNow();
        }
    }

    @Test
    void exactlyOneOwnerCommitsEachWalEntryAndNoAcknowledgedWriteIsLost() throws Exception {
        Config config = ConfigFactory.parseString(CONFIG).withFallback(ConfigFactory.load());
        ActorTestKit kit = ActorTestKit.create("racing", config);
        ObjectStore store = io.local(dir);
        try {
            NamespaceEntity.Resources resources = resources(store, config);
            Map<String, ActorRef<Command>> owners = Map.of(
                    "a", kit.spawn(NamespaceEntity.create(NS, null, resources), "owner-a"),
                    "b", kit.spawn(NamespaceEntity.create(NS, null, resources), "owner-b"));
            // Both have loaded the empty namespace before anything is written, so their first
            // commits both aim at WAL entry 1.
            owners.values().forEach(o -> assertInstanceOf(NamespaceException.NotFound.class,
                    query(kit, o, QueryRequest.nearest(new float[] {0, 0}, 1)).getError()));

            List<Ack> acks = Collections.synchronizedList(new ArrayList<>());
            Set<Long> rejectedIds = ConcurrentHashMap.newKeySet();
            List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                threads.add(new Thread(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < WRITES_PER_THREAD; i++) {
                        // Alternate owners, each thread starting with a different one.
                        String owner = (i + thread) % 2 == 0 ? "a" : "b";
                        List<Long> ids = List.of(thread * 1000L + 2 * i, thread * 1000L + 2 * i + 1);
                        StatusReply<WriteResult> reply = write(kit, owners.get(owner), owner, ids);
                        if (reply.isSuccess()) {
                            acks.add(new Ack(owner, reply.getValue().walSequence(), ids));
                        } else {
                            errors.add(reply.getError());
                            rejectedIds.addAll(ids);
                        }
                    }
                }, "racing-writer-" + t));
            }
            threads.forEach(Thread::start);
            start.countDown();
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(60));
                assertTrue(!t.isAlive(), "writer finished");
            }

            // The race was real, and every refusal is the retryable "another owner" kind.
            assertTrue(!errors.isEmpty(), "the two owners never collided");
            for (Throwable e : errors) {
                assertInstanceOf(NamespaceException.Unavailable.class, e, e::toString);
                assertTrue(((NamespaceException) e).retryable());
            }
            assertEquals(THREADS * WRITES_PER_THREAD, acks.size() + errors.size());

            // Whichever owner lost the race (on a busy machine one can lose every collision), both
            // recover: a fenced owner reloads, and a caller retrying its refusal is acknowledged.
            long nextId = THREADS * 1000L;
            for (String owner : List.of("a", "b")) {
                List<Long> ids = List.of(nextId, nextId + 1);
                nextId += 2;
                StatusReply<WriteResult> reply = write(kit, owners.get(owner), owner, ids);
                for (int attempt = 0; reply.isError() && attempt < 100; attempt++) {
                    assertInstanceOf(NamespaceException.Unavailable.class, reply.getError());
                    Thread.sleep(100);
                    reply = write(kit, owners.get(owner), owner, ids);
                }
                StatusReply<WriteResult> last = reply;
                assertTrue(last.isSuccess(), () -> owner + " never recovered: " + last);
                acks.add(new Ack(owner, last.getValue().walSequence(), ids));
            }

            // No WAL entry was acknowledged by both owners, and each entry in the bucket holds
            // exactly the writes acknowledged with its sequence number.
            Map<Long, Set<String>> ownersOf = new HashMap<>();
            Map<Long, Set<Long>> idsOf = new HashMap<>();
            for (Ack a : acks) {
                ownersOf.computeIfAbsent(a.sequence(), s -> new TreeSet<>()).add(a.owner());
                idsOf.computeIfAbsent(a.sequence(), s -> new TreeSet<>()).addAll(a.ids());
            }
            ownersOf.forEach((seq, who) -> assertEquals(1, who.size(), () -> "WAL entry " + seq + " acknowledged by " + who));
            SequencedLog wal = new SequencedLog(store, LAYOUT.walPrefix());
            List<Long> sequences = wal.sequences().join();
            List<Long> contiguous = new ArrayList<>();
            for (long s = 1; s <= sequences.size(); s++) {
                contiguous.add(s);
            }
            assertEquals(contiguous, sequences, "WAL entries are 1..n without gaps");
            for (long s : sequences) {
                Set<Long> inObject = new TreeSet<>();
                for (WalOp op : WalReader.read(wal.read(s).join(), wal.key(s))) {
                    inObject.add(((DocId.U64) op.id()).value());
                }
                assertEquals(idsOf.getOrDefault(s, Set.of()), inObject, "WAL entry " + s);
            }

            // A third owner, loaded afterwards, sees every acknowledged write and no refused one.
            ActorRef<Command> third = kit.spawn(NamespaceEntity.create(NS, null, resources), "owner-c");
            QueryResult all = query(kit, third, QueryRequest.nearest(new float[] {0, 0}, 1000)
                    .withFilters(List.of("t", "Gte", 0L)).includingAll()).getValue();
            Set<Long> expected = new TreeSet<>();
            acks.forEach(a -> expected.addAll(a.ids()));
            Set<Long> found = new TreeSet<>();
            for (Row r : all.rows()) {
                found.add((Long) r.id());
            }
            assertEquals(expected, found);
            Set<Long> overlap = new HashSet<>(found);
            overlap.retainAll(rejectedIds);
            assertEquals(Set.of(), overlap, "a refused write must not be applied");
            // Which owner wrote each row agrees with the acknowledgement.
            Map<Long, String> ackedOwner = new HashMap<>();
            acks.forEach(a -> a.ids().forEach(id -> ackedOwner.put(id, a.owner())));
            all.rows().forEach(r -> assertEquals(ackedOwner.get((Long) r.id()), r.attributes().get("owner")));
        } finally {
            kit.shutdownTestKit();
            store.close();
        }
    }
}
