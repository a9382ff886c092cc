package dev.strata.tiering.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.config.StrataThreads;
import dev.strata.index.io.ByteRange;
import dev.strata.tiering.store.MeteredObjectStore.Operation;
import dev.strata.tiering.store.MeteredObjectStore.Outcome;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every request through the decorator reaches the listener with its operation, outcome and bytes. */
class MeteredObjectStoreTest {

    record Event(Operation operation, Outcome outcome, long nanos, long bytes) {}

    @TempDir
    Path dir;

    private final ExecutorService io = StrataThreads.newPool(StrataThreads.IO, 2);
    private final ConcurrentLinkedQueue<Event> events = new ConcurrentLinkedQueue<>();

    @AfterEach
    void stop() {
        io.shutdownNow();
    }

    private ObjectStore store() {
        return new MeteredObjectStore(new LocalDirectoryObjectStore(dir, io), io,
                (operation, outcome, nanos, bytes) -> {
                    assertTrue(StrataThreads.onPool(StrataThreads.IO), "reported on an I/O thread");
                    events.add(new Event(operation, outcome, nanos, bytes));
                });
    }

    private Event last() {
        return List.copyOf(events).get(events.size() - 1);
    }

    @Test
    void reportsEachRequestBeforeItsCallerSeesTheResult() {
        ObjectStore store = store();
        store.put("a/b", new byte[100]).join();
        assertEquals(new Event(Operation.PUT, Outcome.SUCCESS, last().nanos(), 100), last());
        assertTrue(last().nanos() >= 0);

        assertEquals(100, store.get("a/b").join().length);
        assertEquals(Operation.GET, last().operation());
        assertEquals(100, last().bytes());

        assertEquals(2, store.getRanges("a/b", List.of(new ByteRange(0, 10), new ByteRange(50, 80))).join().size());
        List<Event> all = List.copyOf(events);
        List<Event> ranges = all.subList(all.size() - 2, all.size());
        assertTrue(ranges.stream().allMatch(e -> e.operation() == Operation.GET_RANGE && e.outcome() == Outcome.SUCCESS));
        assertEquals(40, ranges.stream().mapToLong(Event::bytes).sum());

        assertTrue(store.head("a/b").join().isPresent());
        assertEquals(Operation.HEAD, last().operation());
        store.list("a/", null, 10).join();
        assertEquals(Operation.LIST, last().operation());
        store.delete("a/b").join();
        assertEquals(new Event(Operation.DELETE, Outcome.SUCCESS, last().nanos(), 0), last());
    }

    @Test
    void tellsMissingKeysAndLostConditionalCreatesApartFromErrors() {
        ObjectStore store = store();
        CompletionException missing = assertThrows(CompletionException.class, () -> store.get("nope").join());
        assertInstanceOf(ObjectNotFoundException.class, missing.getCause());
        assertEquals(new Event(Operation.GET, Outcome.NOT_FOUND, last().nanos(), 0), last());

        assertTrue(store.createIfAbsent("wal/1", new byte[7]).join());
        assertEquals(new Event(Operation.CREATE_IF_ABSENT, Outcome.SUCCESS, last().nanos(), 7), last());
        assertFalse(store.createIfAbsent("wal/1", new byte[7]).join());
        assertEquals(new Event(Operation.CREATE_IF_ABSENT, Outcome.CONFLICT, last().nanos(), 7), last());

        store.put("small", new byte[10]).join();
        assertThrows(CompletionException.class, () -> store.getRange("small", new ByteRange(5, 50)).join());
        assertEquals(Operation.GET_RANGE, last().operation());
        assertEquals(Outcome.ERROR, last().outcome());
        assertEquals(0, last().bytes());
    }
}
