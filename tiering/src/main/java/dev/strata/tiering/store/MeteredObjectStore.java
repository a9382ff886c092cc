package dev.strata.tiering.store;

import dev.strata.index.io.ByteRange;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.ToLongFunction;

/**
 * An {@link ObjectStore} decorator that reports every request it passes on to a
 * {@link Listener}: the operation, its outcome, how long it took and how many bytes moved. The
 * node's metrics (request rate, latency, bytes, errors and a cost estimate per operation) are
 * built on it. Unlike {@link CountingObjectStore} it keeps nothing itself, so it can stay in
 * front of a store for the life of a node.
 */
public final class MeteredObjectStore implements ObjectStore {

    /** The kinds of request; {@code getRanges} reports one {@link #GET_RANGE} per range. */
    public enum Operation {
        GET, GET_RANGE, PUT, CREATE_IF_ABSENT, HEAD, LIST, DELETE;

        /** The lower-case name used as a metric label, e.g. {@code get_range}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** How a request ended. */
    public enum Outcome {
        /** It succeeded (a {@code head} of a missing key included: it answers "absent"). */
        SUCCESS,
        /** The key did not exist. */
        NOT_FOUND,
        /** A conditional create found the key already there (the fencing case, not a failure). */
        CONFLICT,
        /** It failed: network, throttling, server error, timeout, bad range. */
        ERROR;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Receives one call per completed request, on the I/O thread that completed it, before the
     * caller's future completes. Implementations must be thread-safe and must not block.
     */
    @FunctionalInterface
    public interface Listener {

        /** A listener that ignores everything. */
        Listener NONE = (operation, outcome, nanos, bytes) -> { };

        /**
         * @param nanos time from issuing the request to its completion
         * @param bytes bytes read by a successful read, or sent by a write (also a lost conditional create)
         */
        void completed(Operation operation, Outcome outcome, long nanos, long bytes);
    }

    private final ObjectStore delegate;
    private final Executor io;
    private final Listener listener;

    /** Reports the requests passed to {@code delegate}; {@code io} is where results are handed back. */
    public MeteredObjectStore(ObjectStore delegate, Executor io, Listener listener) {
        this.delegate = delegate;
        this.io = io;
        this.listener = listener;
    }

    @Override
    public CompletableFuture<byte[]> get(String key) {
        long start = System.nanoTime();
        return record(delegate.get(key), Operation.GET, start, bytes -> bytes.length);
    }

    @Override
    public CompletableFuture<byte[]> getRange(String key, ByteRange range) {
        long start = System.nanoTime();
        return record(delegate.getRange(key, range), Operation.GET_RANGE, start, bytes -> bytes.length);
    }

    @Override
    public CompletableFuture<List<byte[]>> getRanges(String key, List<ByteRange> ranges) {
        // Through this decorator's getRange, so every range is one reported request even when
        // the delegate has its own batching.
        return ObjectStore.super.getRanges(key, ranges);
    }

    @Override
    public CompletableFuture<Void> put(String key, byte[] data) {
        long start = System.nanoTime();
        return record(delegate.put(key, data), Operation.PUT, start, ignored -> data.length);
    }

    @Override
    public CompletableFuture<Boolean> createIfAbsent(String key, byte[] data) {
        long start = System.nanoTime();
        return IoCompletion.relay(delegate.createIfAbsent(key, data), io, (created, error) -> {
            Outcome outcome = error != null ? outcomeOf(error) : created ? Outcome.SUCCESS : Outcome.CONFLICT;
            listener.completed(Operation.CREATE_IF_ABSENT, outcome, System.nanoTime() - start,
                    error == null ? data.length : 0);
            return rethrowOr(created, error);
        });
    }

    @Override
    public CompletableFuture<Optional<ObjectInfo>> head(String key) {
        long start = System.nanoTime();
        return record(delegate.head(key), Operation.HEAD, start, ignored -> 0);
    }

    @Override
    public CompletableFuture<ListPage> list(String prefix, String continuationToken, int maxKeys) {
        long start = System.nanoTime();
        return record(delegate.list(prefix, continuationToken, maxKeys), Operation.LIST, start, ignored -> 0);
    }

    @Override
    public CompletableFuture<Void> delete(String key) {
        long start = System.nanoTime();
        return record(delegate.delete(key), Operation.DELETE, start, ignored -> 0);
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
        return "MeteredObjectStore[" + delegate + "]";
    }

    private <T> CompletableFuture<T> record(CompletableFuture<T> call, Operation operation, long start,
                                            ToLongFunction<T> bytesOf) {
        // Reported before the caller's future completes, so a caller that has its result can
        // already see the request in the metrics.
        return IoCompletion.relay(call, io, (value, error) -> {
            listener.completed(operation, error == null ? Outcome.SUCCESS : outcomeOf(error),
                    System.nanoTime() - start, error == null ? bytesOf.applyAsLong(value) : 0);
            return rethrowOr(value, error);
        });
    }

    private static Outcome outcomeOf(Throwable error) {
        return error instanceof ObjectNotFoundException ? Outcome.NOT_FOUND : Outcome.ERROR;
    }

    private static <T> T rethrowOr(T value, Throwable error) {
        if (error != null) {
            throw error instanceof RuntimeException e ? e : new CompletionException(error);
        }
        return value;
    }
}
