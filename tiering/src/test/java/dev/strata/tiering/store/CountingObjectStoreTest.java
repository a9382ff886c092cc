package dev.strata.tiering.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.strata.config.StrataThreads;
import dev.strata.index.io.ByteRange;
import dev.strata.tiering.store.CountingObjectStore.Operation;
import dev.strata.tiering.store.CountingObjectStore.Request;
import dev.strata.tiering.store.CountingObjectStore.Timed;
import dev.strata.tiering.store.FaultInjectingObjectStore.Faults;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CountingObjectStoreTest {

    @TempDir
    Path root;

    private ExecutorService io;
    private CountingObjectStore store;

    @BeforeEach
    void setUp() {
        io = StrataThreads.newPool(StrataThreads.IO, 4);
        store = new CountingObjectStore(new LocalDirectoryObjectStore(root, io), io);
    }

    @AfterEach
    void tearDown() {
        io.shutdownNow();
    }

    @Test
    void recordsTheExactSequenceOfRequests() {
        byte[] data = new byte[100];
        store.put("a/1", data).join();
        store.createIfAbsent("a/1", new byte[7]).join();
        store.get("a/1").join();
        store.getRanges("a/1", List.of(new ByteRange(0, 10), new ByteRange(50, 51))).join();
        store.head("a/1").join();
        store.list("a/", null, 10).join();
        assertThrows(CompletionException.class, () -> store.get("a/missing").join());
        store.delete("a/1").join();

        List<Request> expected = new ArrayList<>(List.of(
                new Request(Operation.PUT, "a/1", null, 100, true),
                new Request(Operation.CREATE_IF_ABSENT, "a/1", null, 7, true),
                new Request(Operation.GET, "a/1", null, 100, true)));
        List<Request> ranges = List.of(
                new Request(Operation.GET_RANGE, "a/1", new ByteRange(0, 10), 10, true),
                new Request(Operation.GET_RANGE, "a/1", new ByteRange(50, 51), 1, true));
        List<Request> rest = List.of(
                new Request(Operation.HEAD, "a/1", null, 0, true),
                new Request(Operation.LIST, "a/", null, 0, true),
                new Request(Operation.GET, "a/missing", null, 0, false),
                new Request(Operation.DELETE, "a/1", null, 0, true));
        List<Request> actual = store.requests();
        assertEquals(expected, actual.subList(0, 3));
        // The two ranges run concurrently, so they may complete in either order.
        assertEquals(new java.util.HashSet<>(ranges), new java.util.HashSet<>(actual.subList(3, 5)));
        assertEquals(rest, actual.subList(5, 9));
        assertEquals(9, actual.size());

        assertEquals(2, store.count(Operation.GET));
        assertEquals(2, store.count(Operation.GET_RANGE));
        assertEquals(9, store.totalRequests());
        assertEquals(100 + 10 + 1, store.bytesRead());
        assertEquals(107, store.bytesWritten());

        store.reset();
        assertEquals(List.of(), store.requests());
        assertEquals(0, store.totalRequests());
        assertEquals(0, store.bytesRead() + store.bytesWritten());
    }

    @Test
    void aResetForgetsRequestsStillInFlight() {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try {
            store.put("k", new byte[64]).join();
            CountingObjectStore slow = new CountingObjectStore(new FaultInjectingObjectStore(store,
                    Faults.none(1).withLatency(Duration.ofMillis(200), Duration.ofMillis(210)), timer, io), io);
            CompletableFuture<byte[]> before = slow.get("k");
            slow.reset();
            CompletableFuture<byte[]> after = slow.getRange("k", new ByteRange(0, 8));
            assertEquals(64, before.join().length, "the caller still gets its answer");
            after.join();
            assertEquals(List.of(Operation.GET_RANGE), slow.requests().stream().map(Request::operation).toList());
            assertEquals(8, slow.bytesRead());
        } finally {
            timer.shutdownNow();
        }
    }

    @Test
    void countsConcurrentRequestsExactly() {
        store.put("k", new byte[64]).join();
        store.reset();
        List<CompletableFuture<byte[]>> reads = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            reads.add(store.getRange("k", new ByteRange(i % 64, 64)));
        }
        long expectedBytes = 0;
        for (int i = 0; i < 500; i++) {
            expectedBytes += reads.get(i).join().length;
        }
        assertEquals(500, store.count(Operation.GET_RANGE));
        assertEquals(500, store.requests().size());
        assertEquals(expectedBytes, store.bytesRead());
    }

    @Test
    void requestsSentTogetherShareARoundAndDependentOnesStartTheNext() {
        List<Timed> timed = List.of(
                at(0, 10),   // round 1
                at(12, 30),  // after the first: round 2
                at(13, 25),  // sent with it: round 2
                at(26, 40),  // after the 13..25 one only: round 3
                at(5, 50),   // sent before anything was answered: round 1
                at(51, 60)); // after everything: round 4
        int[] rounds = CountingObjectStore.rounds(timed);
        assertArrayEquals(new int[] {1, 2, 2, 3, 1, 4}, rounds);
        assertEquals(4, CountingObjectStore.deepestRound(timed, rounds, r -> true));
        Request third = timed.get(3).request();
        assertEquals(3, CountingObjectStore.deepestRound(timed, rounds, r -> r == third));
        assertEquals(0, CountingObjectStore.deepestRound(timed, rounds, r -> false));
    }

    private static Timed at(long sent, long answered) {
        return new Timed(new Request(Operation.GET, "k", null, 0, true), sent, answered);
    }
}
