package dev.strata.tiering.store;

import dev.strata.index.io.ByteRange;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * An {@link ObjectStore} decorator that makes a healthy store behave like a flaky remote one:
 * each request waits a latency drawn from a {@link LatencyDistribution}, fails at a given rate
 * with a retryable {@link ObjectStoreException} (before reaching the wrapped store), and reads
 * return a truncated body at a given rate.
 *
 * <p>Deterministic: every request draws its latency, failure and truncation from one seeded
 * generator, in the order requests are issued, so the same seed and the same sequence of calls
 * give the same faults. Latency is applied by scheduling the request on the injected scheduler;
 * no thread sleeps. The scheduler only hands requests over: they run, and their futures
 * complete, on the I/O executor. {@link #getRanges} draws once per range. Invalid keys are
 * rejected at the call, as every store does.
 */
public final class FaultInjectingObjectStore implements ObjectStore {

    /**
     * What to inject: {@code errorRate} and {@code truncationRate} are probabilities per request
     * (truncation applies only to reads that did not fail), {@code latency} is added to every
     * request.
     */
    public record Faults(long seed, double errorRate, double truncationRate, LatencyDistribution latency) {

        public Faults {
            requireRate("errorRate", errorRate);
            requireRate("truncationRate", truncationRate);
            if (latency == null) {
                throw new IllegalArgumentException("latency must not be null (use LatencyDistribution.NONE)");
            }
        }

        /** No faults at all: a pass-through that still records its draws. */
        public static Faults none(long seed) {
            return new Faults(seed, 0, 0, LatencyDistribution.NONE);
        }

        public Faults withErrorRate(double rate) {
            return new Faults(seed, rate, truncationRate, latency);
        }

        public Faults withTruncationRate(double rate) {
            return new Faults(seed, errorRate, rate, latency);
        }

        public Faults withLatency(Duration p50, Duration p99) {
            return new Faults(seed, errorRate, truncationRate, new LatencyDistribution(p50, p99));
        }

        private static void requireRate(String name, double rate) {
            if (!(rate >= 0 && rate <= 1)) {
                throw new IllegalArgumentException(name + " must lie in [0, 1], got " + rate);
            }
        }
    }

    /** The faults chosen for one request; {@code truncateTo} is a fraction in [0, 1), or -1 for none. */
    private record Draw(long latencyNanos, boolean fail, double truncateTo) {}

    private final ObjectStore delegate;
    private final Faults faults;
    private final ScheduledExecutorService scheduler;
    private final Executor io;
    private final SplittableRandom random;
    private final LongAdder injectedErrors = new LongAdder();
    private final LongAdder injectedTruncations = new LongAdder();

    /**
     * Wraps {@code delegate}; {@code scheduler} times the latencies, {@code io} runs requests and
     * completes injected failures. Closing this store closes the delegate, not the executors.
     */
    public FaultInjectingObjectStore(ObjectStore delegate, Faults faults, ScheduledExecutorService scheduler, Executor io) {
        this.delegate = delegate;
        this.faults = faults;
        this.scheduler = scheduler;
        this.io = io;
        this.random = new SplittableRandom(faults.seed());
    }

    public Faults faults() {
        return faults;
    }

    /** How many requests failed by injection so far. */
    public long injectedErrors() {
        return injectedErrors.sum();
    }

    /** How many read bodies were cut short by injection so far. */
    public long injectedTruncations() {
        return injectedTruncations.sum();
    }

    @Override
    public CompletableFuture<byte[]> get(String key) {
        ObjectKeys.requireValid(key);
        Draw draw = draw();
        return inject(draw, key, null, () -> delegate.get(key), bytes -> truncate(bytes, draw));
    }

    @Override
    public CompletableFuture<byte[]> getRange(String key, ByteRange range) {
        ObjectKeys.requireValid(key);
        Draw draw = draw();
        return inject(draw, key, range, () -> delegate.getRange(key, range), bytes -> truncate(bytes, draw));
    }

    @Override
    public CompletableFuture<Void> put(String key, byte[] data) {
        ObjectKeys.requireValid(key);
        return inject(draw(), key, null, () -> delegate.put(key, data), Function.identity());
    }

    @Override
    public CompletableFuture<Boolean> createIfAbsent(String key, byte[] data) {
        ObjectKeys.requireValid(key);
        return inject(draw(), key, null, () -> delegate.createIfAbsent(key, data), Function.identity());
    }

    @Override
    public CompletableFuture<Optional<ObjectInfo>> head(String key) {
        ObjectKeys.requireValid(key);
        return inject(draw(), key, null, () -> delegate.head(key), Function.identity());
    }

    @Override
    public CompletableFuture<ListPage> list(String prefix, String continuationToken, int maxKeys) {
        ObjectKeys.requireValidPrefix(prefix);
        if (maxKeys <= 0) {
            throw new IllegalArgumentException("maxKeys must be positive, was " + maxKeys);
        }
        return inject(draw(), prefix, null, () -> delegate.list(prefix, continuationToken, maxKeys), Function.identity());
    }

    @Override
    public CompletableFuture<Void> delete(String key) {
        ObjectKeys.requireValid(key);
        return inject(draw(), key, null, () -> delegate.delete(key), Function.identity());
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
        return "FaultInjectingObjectStore[" + faults + ", " + delegate + "]";
    }

    private Draw draw() {
        // One lock keeps the draws of concurrent callers from interleaving inside a request:
        // each request takes its three numbers in a row, so runs are reproducible call by call.
        synchronized (random) {
            long latency = faults.latency().isZero() ? 0 : faults.latency().sampleNanos(random);
            boolean fail = random.nextDouble() < faults.errorRate();
            boolean truncate = random.nextDouble() < faults.truncationRate();
            double fraction = random.nextDouble();
            return new Draw(latency, fail, truncate ? fraction : -1);
        }
    }

    private <T> CompletableFuture<T> inject(Draw draw, String key, ByteRange range, Supplier<CompletableFuture<T>> call,
                                            Function<T, T> onSuccess) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Runnable start = () -> {
            if (draw.fail()) {
                injectedErrors.increment();
                result.completeExceptionally(new ObjectStoreException(delegate.describe(), key, range,
                        "injected fault", true, null));
                return;
            }
            try {
                // Runs where the delegate completes, which is an I/O thread for every store.
                call.get().whenComplete((value, error) -> {
                    if (error != null) {
                        result.completeExceptionally(error);
                    } else {
                        result.complete(onSuccess.apply(value));
                    }
                });
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        };
        if (draw.latencyNanos() == 0) {
            io.execute(start);
        } else {
            // The scheduler thread only hands over; the request itself runs on an I/O thread.
            scheduler.schedule(() -> io.execute(start), draw.latencyNanos(), TimeUnit.NANOSECONDS);
        }
        return result;
    }

    private byte[] truncate(byte[] bytes, Draw draw) {
        if (draw.truncateTo() < 0 || bytes.length == 0) {
            return bytes;
        }
        injectedTruncations.increment();
        // fraction < 1, so the body is always strictly shorter than the real one.
        return Arrays.copyOf(bytes, (int) (bytes.length * draw.truncateTo()));
    }
}
