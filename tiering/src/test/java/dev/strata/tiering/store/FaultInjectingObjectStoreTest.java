package dev.strata.tiering.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.config.StrataThreads;
import dev.strata.index.io.ByteRange;
import dev.strata.tiering.store.FaultInjectingObjectStore.Faults;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FaultInjectingObjectStoreTest {

    private static final String KEY = "segments/s1";

    @TempDir
    Path root;

    private ExecutorService io;
    private RecordingScheduler scheduler;
    private ObjectStore healthy;
    private byte[] data;

    @BeforeEach
    void setUp() {
        io = StrataThreads.newPool(StrataThreads.IO, 4);
        scheduler = new RecordingScheduler();
        healthy = new LocalDirectoryObjectStore(root, io);
        data = new byte[4096];
        new Random(42).nextBytes(data);
        healthy.put(KEY, data).join();
    }

    @AfterEach
    void tearDown() {
        scheduler.shutdownNow();
        io.shutdownNow();
    }

    @Test
    void theSameSeedGivesTheSameFaults() {
        Faults faults = new Faults(7, 0.3, 0.3, new LatencyDistribution(Duration.ofMillis(5), Duration.ofMillis(50)));
        List<String> first = outcomes(faults, 400);
        List<String> second = outcomes(faults, 400);
        assertEquals(first, second);
        List<Long> firstDelays = new ArrayList<>(scheduler.delays);
        assertEquals(800, firstDelays.size(), "each request is scheduled once");
        assertEquals(firstDelays.subList(0, 400), firstDelays.subList(400, 800));
        assertNotEquals(first, outcomes(new Faults(8, 0.3, 0.3, faults.latency()), 400));
    }

    @Test
    void ratesComeOutRoughlyAsConfigured() {
        int calls = 4000;
        FaultInjectingObjectStore store = faulty(new Faults(11, 0.2, 0.1, LatencyDistribution.NONE));
        int errors = 0;
        int truncated = 0;
        for (int i = 0; i < calls; i++) {
            try {
                byte[] got = store.getRange(KEY, new ByteRange(0, 1000)).join();
                if (got.length < 1000) {
                    truncated++;
                }
            } catch (CompletionException e) {
                errors++;
            }
        }
        // Binomial: 800 +- 25 errors and 320 +- 17 truncations expected; allow five deviations.
        assertTrue(Math.abs(errors - 800) < 125, "errors " + errors);
        assertTrue(Math.abs(truncated - 320) < 85, "truncations " + truncated);
        assertEquals(errors, store.injectedErrors());
        assertEquals(truncated, store.injectedTruncations());
        assertEquals(List.of(), List.copyOf(scheduler.delays), "no latency configured, nothing scheduled");
    }

    @Test
    void injectedErrorsAreRetryableAndNameTheKeyAndRange() {
        FaultInjectingObjectStore store = faulty(Faults.none(1).withErrorRate(1));
        ByteRange range = new ByteRange(3, 9);
        CompletionException e = assertThrows(CompletionException.class, () -> store.getRange(KEY, range).join());
        ObjectStoreException error = assertInstanceOf(ObjectStoreException.class, e.getCause());
        assertTrue(error.retryable());
        assertEquals(KEY, error.key());
        assertEquals(range, error.range());
        assertThrows(CompletionException.class, () -> store.put("other", new byte[1]).join());
        assertEquals(java.util.Optional.empty(), healthy.head("other").join(), "a failed put never reached the store");
    }

    @Test
    void truncationReturnsAStrictPrefixOfTheBody() {
        FaultInjectingObjectStore store = faulty(Faults.none(3).withTruncationRate(1));
        for (int i = 0; i < 200; i++) {
            byte[] whole = store.get(KEY).join();
            assertTrue(whole.length < data.length, "length " + whole.length);
            assertArrayEquals(Arrays.copyOf(data, whole.length), whole);
            ByteRange range = new ByteRange(100, 300);
            byte[] part = store.getRange(KEY, range).join();
            assertTrue(part.length < 200, "length " + part.length);
            assertArrayEquals(Arrays.copyOfRange(data, 100, 100 + part.length), part);
        }
        assertEquals(0, store.getRange(KEY, new ByteRange(5, 5)).join().length);
    }

    @Test
    void latencyIsScheduledNotSleptAndFollowsTheDistribution() {
        LatencyDistribution latency = new LatencyDistribution(Duration.ofMillis(20), Duration.ofMillis(200));
        FaultInjectingObjectStore store = faulty(new Faults(5, 0, 0, latency));
        for (int i = 0; i < 3000; i++) {
            assertArrayEquals(data, store.get(KEY).join());
        }
        long[] delays = scheduler.delays.stream().mapToLong(Long::longValue).sorted().toArray();
        assertEquals(3000, delays.length);
        assertWithin(20e6, delays[1500], 0.15, "p50");
        assertWithin(200e6, delays[2970], 0.35, "p99");
    }

    @Test
    void theDistributionHitsItsQuantiles() {
        LatencyDistribution latency = new LatencyDistribution(Duration.ofMillis(8), Duration.ofMillis(120));
        SplittableRandom random = new SplittableRandom(99);
        long[] samples = new long[200_000];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = latency.sampleNanos(random);
        }
        Arrays.sort(samples);
        assertWithin(8e6, samples[100_000], 0.03, "p50");
        assertWithin(120e6, samples[198_000], 0.06, "p99");
        assertEquals(Duration.ofMillis(3).toNanos(),
                new LatencyDistribution(Duration.ofMillis(3), Duration.ofMillis(3)).sampleNanos(random));
        assertThrows(IllegalArgumentException.class, () -> new LatencyDistribution(Duration.ofMillis(5), Duration.ofMillis(4)));
        assertThrows(IllegalArgumentException.class, () -> new LatencyDistribution(Duration.ZERO, Duration.ofMillis(4)));
        assertThrows(IllegalArgumentException.class, () -> new Faults(1, 1.5, 0, LatencyDistribution.NONE));
    }

    private static void assertWithin(double expected, double actual, double relative, String what) {
        assertTrue(Math.abs(actual - expected) <= relative * expected,
                what + ": expected " + expected + " +- " + (relative * 100) + "% but was " + actual);
    }

    /** What each of {@code calls} range reads saw: the body length, or "error". */
    private List<String> outcomes(Faults faults, int calls) {
        FaultInjectingObjectStore store = faulty(faults);
        List<String> outcomes = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            CompletableFuture<byte[]> read = store.getRange(KEY, new ByteRange(i % 100, 1000 + i % 100));
            try {
                outcomes.add(Integer.toString(read.join().length));
            } catch (CompletionException e) {
                outcomes.add("error");
            }
        }
        return outcomes;
    }

    private FaultInjectingObjectStore faulty(Faults faults) {
        return new FaultInjectingObjectStore(healthy, faults, scheduler, io);
    }

    /**
     * A scheduler that notes each requested delay and runs the task at once, so tests see the
     * latencies the injector asked for without waiting for them.
     */
    private static final class RecordingScheduler extends ScheduledThreadPoolExecutor {
        final ConcurrentLinkedQueue<Long> delays = new ConcurrentLinkedQueue<>();

        RecordingScheduler() {
            super(1);
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            delays.add(unit.toNanos(delay));
            return super.schedule(command, 0, unit);
        }
    }
}
