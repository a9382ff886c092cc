package dev.strata.tiering.store;

import dev.strata.index.io.ByteRange;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * An {@link ObjectStore} decorator that records every request it passes on: which operation, on
 * which key and range, how many bytes moved, and whether it succeeded. Access-count tests assert
 * exact request sequences with it; benchmarks report requests and bytes.
 *
 * <p>A request is recorded when it completes, before the caller's future completes, so after a
 * {@code join()} the request is visible. Requests issued concurrently appear in completion order.
 * Recording is thread-safe; {@link #reset()} is meant for quiet moments between phases of a test
 * or benchmark (a request completing during a reset may land on either side of it).
 */
public final class CountingObjectStore implements ObjectStore {

    /** The kinds of request, one per {@link ObjectStore} method ({@code getRanges} counts its ranges). */
    public enum Operation { GET, GET_RANGE, PUT, CREATE_IF_ABSENT, HEAD, LIST, DELETE }

    /**
     * One completed request. {@code key} is the prefix for {@link Operation#LIST}; {@code range}
     * is null except for {@link Operation#GET_RANGE}; {@code bytes} is what was read or, for
     * writes, sent; it is 0 for failed requests and for the other operations.
     */
    public record Request(Operation operation, String key, ByteRange range, long bytes, boolean succeeded) {

        public Request {
            if (operation == null || key == null) {
                throw new IllegalArgumentException("a request needs an operation and a key");
            }
            if (bytes < 0) {
                throw new IllegalArgumentException("bytes must not be negative: " + bytes);
            }
        }
    }

    /** A recorded request with when it was sent and answered ({@link System#nanoTime()}). */
    public record Timed(Request request, long sentNanos, long answeredNanos) {}

    /**
     * The sequential round trip of each request: 1 + the deepest round among the requests
     * answered before it was sent, so requests issued together share a round.
     */
    public static int[] rounds(List<Timed> timed) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < timed.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingLong(i -> timed.get(i).sentNanos()));
        int[] depth = new int[timed.size()];
        for (int i : order) {
            int before = 0;
            for (int j : order) {
                if (timed.get(j).answeredNanos() <= timed.get(i).sentNanos()) {
                    before = Math.max(before, depth[j]);
                }
            }
            depth[i] = before + 1;
        }
        return depth;
    }

    /**
     * The deepest of {@code rounds} (from {@link #rounds}) among the requests {@code which}
     * accepts; 0 when it accepts none.
     */
    public static int deepestRound(List<Timed> timed, int[] rounds, Predicate<Request> which) {
        int deepest = 0;
        for (int i = 0; i < timed.size(); i++) {
            if (which.test(timed.get(i).request())) {
                deepest = Math.max(deepest, rounds[i]);
            }
        }
        return deepest;
    }

    private final ObjectStore delegate;
    private final Executor io;
    private final ConcurrentLinkedQueue<Timed> timed = new ConcurrentLinkedQueue<>();
    private final Map<Operation, LongAdder> counts = new EnumMap<>(Operation.class);
    private final LongAdder bytesRead = new LongAdder();
    private final LongAdder bytesWritten = new LongAdder();
    /** Requests sent before this time (the last {@link #reset}) are not recorded. */
    private volatile long since = System.nanoTime();

    /** Counts the requests passed to {@code delegate}; {@code io} is where results are handed back. */
    public CountingObjectStore(ObjectStore delegate, Executor io) {
        this.delegate = delegate;
        this.io = io;
        for (Operation operation : Operation.values()) {
            counts.put(operation, new LongAdder());
        }
    }

    /** Every recorded request, oldest first. */
    public List<Request> requests() {
        return timed.stream().map(Timed::request).toList();
    }

    /** Every recorded request with its timing, in the order they were answered. */
    public List<Timed> timed() {
        return List.copyOf(timed);
    }

    /** How many requests of this kind completed (successfully or not). */
    public long count(Operation operation) {
        return counts.get(operation).sum();
    }

    /** All completed requests. */
    public long totalRequests() {
        long total = 0;
        for (LongAdder count : counts.values()) {
            total += count.sum();
        }
        return total;
    }

    /** Bytes returned by successful reads. */
    public long bytesRead() {
        return bytesRead.sum();
    }

    /** Bytes sent by writes that succeeded (a lost {@code createIfAbsent} race included). */
    public long bytesWritten() {
        return bytesWritten.sum();
    }

    /**
     * Forgets everything recorded so far, and the requests still in flight: from now on only
     * requests sent after this call are recorded.
     */
    public void reset() {
        since = System.nanoTime();
        timed.clear();
        counts.values().forEach(LongAdder::reset);
        bytesRead.reset();
        bytesWritten.reset();
    }

    @Override
    public CompletableFuture<byte[]> get(String key) {
        return record(delegate.get(key), Operation.GET, key, null, bytes -> bytes.length);
    }

    @Override
    public CompletableFuture<byte[]> getRange(String key, ByteRange range) {
        return record(delegate.getRange(key, range), Operation.GET_RANGE, key, range, bytes -> bytes.length);
    }

    @Override
    public CompletableFuture<Void> put(String key, byte[] data) {
        return record(delegate.put(key, data), Operation.PUT, key, null, ignored -> data.length);
    }

    @Override
    public CompletableFuture<Boolean> createIfAbsent(String key, byte[] data) {
        // A lost race still sent the body, so it counts as written bytes.
        return record(delegate.createIfAbsent(key, data), Operation.CREATE_IF_ABSENT, key, null, ignored -> data.length);
    }

    @Override
    public CompletableFuture<Optional<ObjectInfo>> head(String key) {
        return record(delegate.head(key), Operation.HEAD, key, null, ignored -> 0);
    }

    @Override
    public CompletableFuture<ListPage> list(String prefix, String continuationToken, int maxKeys) {
        return record(delegate.list(prefix, continuationToken, maxKeys), Operation.LIST, prefix, null, ignored -> 0);
    }

    @Override
    public CompletableFuture<Void> delete(String key) {
        return record(delegate.delete(key), Operation.DELETE, key, null, ignored -> 0);
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public String toString() {
        return "CountingObjectStore[" + delegate + "]";
    }

    private <T> CompletableFuture<T> record(CompletableFuture<T> call, Operation operation, String key, ByteRange range,
                                            ToLongFunction<T> bytesOf) {
        // Recorded before the caller's future completes, so callers never see a result whose
        // request is not yet counted.
        long sent = System.nanoTime();
        return IoCompletion.relay(call, io, (value, error) -> {
            // A request sent before the last reset is not part of what is counted now.
            if (sent - since >= 0) {
                long bytes = error == null ? bytesOf.applyAsLong(value) : 0;
                counts.get(operation).increment();
                if (error == null) {
                    boolean write = operation == Operation.PUT || operation == Operation.CREATE_IF_ABSENT;
                    (write ? bytesWritten : bytesRead).add(bytes);
                }
                timed.add(new Timed(new Request(operation, key, range, bytes, error == null), sent, System.nanoTime()));
            }
            if (error != null) {
                throw error instanceof RuntimeException e ? e : new CompletionException(error);
            }
            return value;
        });
    }
}
