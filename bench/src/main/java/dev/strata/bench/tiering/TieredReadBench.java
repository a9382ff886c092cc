package dev.strata.bench.tiering;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.strata.bench.Percentiles;
import dev.strata.bench.data.EmbedCorpus;
import dev.strata.bench.data.VectorFiles;
import dev.strata.cache.MemoryPageCache;
import dev.strata.cache.ObjectId;
import dev.strata.cache.PageGeometry;
import dev.strata.cache.PageSource;
import dev.strata.cache.SsdPageCache;
import dev.strata.config.StrataThreads;
import dev.strata.index.io.ByteRange;
import dev.strata.index.io.RangeSource;
import dev.strata.index.ivf.IvfBuildParams;
import dev.strata.index.ivf.IvfReader;
import dev.strata.index.ivf.IvfWriter;
import dev.strata.index.ivf.SearchParams;
import dev.strata.index.vector.Metric;
import dev.strata.tiering.read.ObjectStorePageSource;
import dev.strata.tiering.read.RangeCoalescer;
import dev.strata.tiering.read.ReadStats;
import dev.strata.tiering.read.TieredReader;
import dev.strata.tiering.store.CountingObjectStore;
import dev.strata.tiering.store.FaultInjectingObjectStore;
import dev.strata.tiering.store.FaultInjectingObjectStore.Faults;
import dev.strata.tiering.store.ObjectStore;
import dev.strata.tiering.store.S3ObjectStore;
import dev.strata.tiering.testing.S3ProxyServer;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The tiered read path against S3Proxy behind injected per-request latency (log-normal, p50
 * 60 ms, p99 80 ms): latency and throughput of 4 KiB range reads served by each tier, and the
 * requests and bytes that range coalescing saves on the read trace of real IVF queries.
 *
 * <p>Usage: {@code TieredReadBench [workDir=bench/work]}; the coalescing part needs the corpus
 * embedded (EmbedCorpus) for at least 100,000 documents.
 */
public final class TieredReadBench {

    private static final int PAGE = 4096;
    private static final PageGeometry GEOMETRY = new PageGeometry(PAGE);
    private static final int OBJECT_BYTES = 64 << 20;

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args.length > 0 ? args[0] : "bench/work");
        ExecutorService io = StrataThreads.newPool(StrataThreads.IO, 32);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try (S3ProxyServer proxy = S3ProxyServer.start("strata-bench");
                S3ObjectStore s3 = new S3ObjectStore(proxy.settings("bench"), io)) {
            ObjectStore slow = new FaultInjectingObjectStore(s3,
                    Faults.none(42).withLatency(Duration.ofMillis(60), Duration.ofMillis(80)), timer, io);
            CountingObjectStore store = new CountingObjectStore(slow, io);
            System.out.printf(Locale.ROOT, "# TieredReadBench: S3Proxy on loopback, injected latency p50 60 ms / p99 80 ms, "
                    + "%d processors, page %d B%n", Runtime.getRuntime().availableProcessors(), PAGE);
            tiers(work, store, s3, io);
            coalescing(work, store, s3);
        } finally {
            timer.shutdownNow();
            io.shutdownNow();
        }
    }

    private static void tiers(Path work, CountingObjectStore store, S3ObjectStore s3, ExecutorService io) throws Exception {
        byte[] data = new byte[OBJECT_BYTES];
        new Random(1).nextBytes(data);
        ObjectId object = new ObjectId("objects/random-64m", data.length);
        s3.put(object.key(), data).join();

        PageSource cold = new ObjectStorePageSource(store, GEOMETRY, new RangeCoalescer(256 << 10));
        Path ssdDir = Files.createDirectories(work.resolve("ssd-bench"));
        System.out.printf(Locale.ROOT, "%n| tier serving a 4 KiB range read | reads | p50 µs | p99 µs | reads/s (one thread) |%n|---|---|---|---|---|%n");
        try (SsdPageCache ssd = new SsdPageCache(ssdDir, 2L * OBJECT_BYTES, 4 << 20, GEOMETRY, cold, io)) {
            MemoryPageCache memory = new MemoryPageCache(ssd, 2L * OBJECT_BYTES, io, Ticker.systemTicker());
            TieredReader hot = new TieredReader(memory, GEOMETRY);
            // Fill both tiers: one read of the whole object (coalesced into large GETs).
            hot.read(object, List.of(new ByteRange(0, data.length)), new ReadStats()).join();
            awaitSsdWrites(ssd, data.length);
            report("memory", hot, object, 200_000, 20_000);
            TieredReader warm = new TieredReader(new MemoryPageCache(ssd, 0, io, Ticker.systemTicker()), GEOMETRY);
            report("SSD (memory tier off)", warm, object, 50_000, 5_000);
        }
        report("object store (no cache)", new TieredReader(cold, GEOMETRY), object, 200, 10);
    }

    /** Waits (bounded) until the SSD tier has written {@code bytes}: its writes land after the reply. */
    private static void awaitSsdWrites(SsdPageCache ssd, long bytes) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (ssd.stats().bytesWritten() < bytes) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the SSD tier wrote only " + ssd.stats() + " of " + bytes + " bytes");
            }
            Thread.onSpinWait();
        }
    }

    private static void report(String tier, TieredReader reader, ObjectId object, int reads, int warmup) {
        Random random = new Random(7);
        long[] nanos = new long[reads];
        for (int i = -warmup; i < reads; i++) {
            long start = random.nextInt((int) object.length() - PAGE);
            long t = System.nanoTime();
            List<ByteBuffer> got = reader.read(object, List.of(ByteRange.ofLength(start, PAGE)), new ReadStats()).join();
            long elapsed = System.nanoTime() - t;
            if (got.get(0).remaining() != PAGE) {
                throw new IllegalStateException("short read");
            }
            if (i >= 0) {
                nanos[i] = elapsed;
            }
        }
        Percentiles p = Percentiles.of(nanos);
        double total = java.util.Arrays.stream(nanos).sum() / 1e9;
        System.out.printf(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.0f |%n", tier, reads, p.p50Micros(), p.p99Micros(), reads / total);
    }

    /**
     * Replays the range reads of real IVF queries (100k corpus documents, default search
     * settings) against the object store with no cache, once per coalescing window.
     */
    private static void coalescing(Path work, CountingObjectStore store, S3ObjectStore s3) {
        int n = 100_000;
        int dims = EmbedCorpus.DIMENSIONS;
        float[] docs = VectorFiles.readFloats(work.resolve("documents.f32"), n, dims);
        float[] queries = VectorFiles.readFloats(work.resolve("queries.f32"), 100, dims);
        ExecutorService build = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
        IvfWriter writer = IvfWriter.build(docs, dims, IvfBuildParams.defaults(Metric.COSINE_DISTANCE), build);
        build.shutdown();
        byte[] section = writer.toByteArray();
        ObjectId object = new ObjectId("objects/ivf-100k", section.length);
        s3.put(object.key(), section).join();

        // Record every read the searcher issues: the trace is a list of reads, each a list of ranges.
        List<List<ByteRange>> trace = Collections.synchronizedList(new ArrayList<>());
        RangeSource heap = RangeSource.of(section);
        RangeSource recording = new RangeSource() {
            @Override
            public long length() {
                return heap.length();
            }

            @Override
            public CompletableFuture<List<ByteBuffer>> read(List<ByteRange> ranges) {
                trace.add(List.copyOf(ranges));
                return heap.read(ranges);
            }
        };
        IvfReader reader = IvfReader.open("trace", recording, 0, section.length, Runnable::run).join();
        trace.clear(); // the header and centroids are read once at open, not per query
        float[] q = new float[dims];
        for (int i = 0; i < 100; i++) {
            System.arraycopy(queries, i * dims, q, 0, dims);
            reader.search(q, 10, SearchParams.DEFAULT, null).join();
        }

        System.out.printf(Locale.ROOT, "%n%d IVF queries (100k × 384, %d partitions, default nprobe %d) = %d reads, %d ranges%n",
                100, reader.partitions(), SearchParams.DEFAULT.nprobeFor(reader.partitions()), trace.size(),
                trace.stream().mapToInt(List::size).sum());
        System.out.printf(Locale.ROOT, "%n| window | GET requests | vs window 0 | bytes read | extra bytes vs window 0 | p50 ms per read | p99 ms per read |%n"
                + "|---|---|---|---|---|---|---|%n");
        long baseRequests = 0;
        long baseBytes = 0;
        for (int window : new int[] {0, 16 << 10, 64 << 10, 256 << 10, 1 << 20}) {
            TieredReader uncached = new TieredReader(new ObjectStorePageSource(store, GEOMETRY, new RangeCoalescer(window)), GEOMETRY);
            store.reset();
            long[] nanos = new long[trace.size()];
            for (int i = 0; i < trace.size(); i++) {
                long t = System.nanoTime();
                uncached.read(object, trace.get(i), new ReadStats()).join();
                nanos[i] = System.nanoTime() - t;
            }
            long requests = store.totalRequests();
            long bytes = store.bytesRead();
            if (window == 0) {
                baseRequests = requests;
                baseBytes = bytes;
            }
            Percentiles p = Percentiles.of(nanos);
            System.out.printf(Locale.ROOT, "| %s | %d | %+.1f%% | %d | %+.1f%% | %.1f | %.1f |%n", window == 0 ? "0" : (window >> 10) + " KiB",
                    requests, 100.0 * (requests - baseRequests) / baseRequests, bytes,
                    100.0 * (bytes - baseBytes) / baseBytes, p.p50Millis(), p.p99Millis());
        }
    }

    private TieredReadBench() {}
}
