package dev.strata.bench.actors;

import com.typesafe.config.Config;
import dev.strata.actors.namespace.Manifest;
import dev.strata.actors.namespace.NamespaceEntity;
import dev.strata.actors.namespace.NamespaceProtocol.UpsertRow;
import dev.strata.actors.namespace.NamespaceProtocol.Write;
import dev.strata.actors.namespace.NamespaceProtocol.WriteRequest;
import dev.strata.actors.namespace.NamespaceProtocol.WriteResult;
import dev.strata.actors.namespace.NamespaceSettings;
import dev.strata.actors.storage.NamespaceLayout;
import dev.strata.actors.storage.NamespaceName;
import dev.strata.bench.Percentiles;
import dev.strata.bench.data.VectorFiles;
import dev.strata.cache.PageGeometry;
import dev.strata.config.StrataThreads;
import dev.strata.tiering.read.ObjectStorePageSource;
import dev.strata.tiering.read.RangeCoalescer;
import dev.strata.tiering.read.TieredReader;
import dev.strata.tiering.store.FaultInjectingObjectStore;
import dev.strata.tiering.store.FaultInjectingObjectStore.Faults;
import dev.strata.tiering.store.ObjectStore;
import dev.strata.tiering.store.S3ObjectStore;
import dev.strata.tiering.testing.S3ProxyServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Write throughput and latency through the namespace entity's actor protocol, on S3Proxy behind
 * injected per-request latency (log-normal, p50 60 ms, p99 80 ms, as TieredReadBench): closed-loop
 * writers each send one upsert batch at a time for a fixed duration. Reports rows acknowledged per
 * second, acknowledgement latency p50/p99 next to the store's own create-if-absent latency, and
 * the time from a write's acknowledgement until a published manifest covers it (the bucket's
 * manifests are polled every 50 ms through the store without injected latency).
 *
 * <p>Usage: {@code WriteBench [workDir=bench/work] [seconds=15] [runs=3] [setups=1x8x100,1x8x1000,4x4x1000]}
 * (namespaces x writers per namespace x rows per write). Vectors are the
 * corpus's 384-d embeddings ({@code documents.f32}) when present, else random unit vectors.
 */
public final class WriteBench {

    private static final int DIMS = 384;

    /** One configuration: namespaces written at once, writers per namespace, rows per write. */
    record Setup(int namespaces, int writersPerNamespace, int batch) {}

    record Result(double rowsPerSecond, Percentiles ack, Percentiles indexLag, long writes, long unindexed,
                  long walObjects, long walMedianBytes, Percentiles put) {}

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args.length > 0 ? args[0] : "bench/work");
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        float[] vectors = vectors(work.resolve("documents.f32"), 200_000);
        ExecutorService io = StrataThreads.newPool(StrataThreads.IO, 32);
        ExecutorService compute = StrataThreads.newPool(StrataThreads.COMPUTE, Runtime.getRuntime().availableProcessors());
        ExecutorService indexer = StrataThreads.newPool(StrataThreads.INDEXER, 1);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        List<Setup> setups = args.length > 3 ? parse(args[3])
                : List.of(new Setup(1, 8, 100), new Setup(1, 8, 1000), new Setup(4, 4, 1000));
        // The default quiet period (30 s) would dominate the lag of a run's last writes.
        Config config = BenchNode.config("strata.namespace.indexing.after-quiet = 2s");
        NamespaceSettings settings = NamespaceSettings.from(config);
        System.out.printf(Locale.ROOT, "# WriteBench: S3Proxy on loopback, injected latency p50 60 ms / p99 80 ms, "
                + "%d processors, %d s per run, %d runs, vectors %s; indexing after %d operations or %d bytes or %s quiet%n",
                Runtime.getRuntime().availableProcessors(), seconds, runs,
                Files.exists(work.resolve("documents.f32")) ? "documents.f32" : "random",
                settings.indexAfterOps(), settings.indexAfterBytes(), settings.indexAfterQuiet());
        try {
            int round = 0;
            for (Setup setup : setups) {
                List<Result> results = new ArrayList<>();
                for (int r = 0; r < runs; r++) {
                    // A fresh bucket and node per run: S3Proxy keeps objects in memory.
                    try (S3ProxyServer proxy = S3ProxyServer.start("strata-bench");
                         S3ObjectStore s3 = new S3ObjectStore(proxy.settings("writes"), io)) {
                        ObjectStore slow = new FaultInjectingObjectStore(s3,
                                Faults.none(42).withLatency(Duration.ofMillis(60), Duration.ofMillis(80)), timer, io);
                        PageGeometry geometry = new PageGeometry(4096);
                        TieredReader reader = new TieredReader(
                                new ObjectStorePageSource(slow, geometry, new RangeCoalescer(256 * 1024)), geometry);
                        try (BenchNode node = new BenchNode(config,
                                new NamespaceEntity.Resources(slow, reader, compute, indexer, settings))) {
                            results.add(run(node, s3, slow, vectors, setup, seconds, "r" + (round++)));
                        }
                    }
                }
                report(setup, results);
            }
        } finally {
            timer.shutdownNow();
            io.shutdownNow();
            compute.shutdownNow();
            indexer.shutdownNow();
        }
    }

    /** Setups as {@code namespaces x writersPerNamespace x batch}, comma-separated: {@code 1x8x100,4x4x1000}. */
    private static List<Setup> parse(String spec) {
        List<Setup> out = new ArrayList<>();
        for (String one : spec.split(",")) {
            String[] p = one.split("x");
            out.add(new Setup(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2])));
        }
        return out;
    }

    private static float[] vectors(Path file, int rows) {
        if (Files.exists(file)) {
            return VectorFiles.readFloats(file, rows, DIMS);
        }
        Random random = new Random(3);
        float[] out = new float[rows * DIMS];
        for (int i = 0; i < rows; i++) {
            double norm = 0;
            for (int j = 0; j < DIMS; j++) {
                out[i * DIMS + j] = (float) random.nextGaussian();
                norm += out[i * DIMS + j] * out[i * DIMS + j];
            }
            for (int j = 0; j < DIMS; j++) {
                out[i * DIMS + j] /= (float) Math.sqrt(norm);
            }
        }
        return out;
    }

    /** The store's create-if-absent latency for objects of {@code bytes}, one at a time. */
    private static Percentiles putLatency(ObjectStore store, int bytes) {
        byte[] body = new byte[bytes];
        long[] nanos = new long[20];
        for (int i = 0; i < nanos.length; i++) {
            long start = System.nanoTime();
            store.createIfAbsent("probe/put-" + bytes + "-" + i, body).join();
            nanos[i] = System.nanoTime() - start;
        }
        return Percentiles.of(nanos);
    }

    private static Result run(BenchNode node, ObjectStore plain, ObjectStore slow, float[] vectors, Setup setup,
                              int seconds, String tag) throws Exception {
        int rowsAvailable = vectors.length / DIMS;
        AtomicLong rows = new AtomicLong();
        List<Long> ackNanos = Collections.synchronizedList(new ArrayList<>());
        // Per namespace: WAL sequence -> when it was first acknowledged.
        Map<String, Map<Long, Long>> acked = new ConcurrentHashMap<>();
        List<CompletableFuture<Void>> writers = new ArrayList<>();
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        for (int n = 0; n < setup.namespaces(); n++) {
            String ns = "bench-" + tag + "-" + n;
            acked.put(ns, new ConcurrentHashMap<>());
            for (int w = 0; w < setup.writersPerNamespace(); w++) {
                int writer = n * setup.writersPerNamespace() + w;
                writers.add(loop(node, ns, vectors, rowsAvailable, setup.batch(), writer, 0, end, rows,
                        ackNanos, acked.get(ns)));
            }
        }
        // Poll each namespace's newest manifest until it covers the last acknowledged write.
        List<Long> lags = Collections.synchronizedList(new ArrayList<>());
        Map<String, Long> covered = new ConcurrentHashMap<>();
        CompletableFuture<Void> all = CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new));
        long elapsed = 0;
        long pollUntil = Long.MAX_VALUE;
        while (true) {
            for (String ns : acked.keySet()) {
                long through = indexedThrough(plain, ns);
                long before = covered.getOrDefault(ns, 0L);
                if (through > before) {
                    long now = System.nanoTime();
                    acked.get(ns).forEach((seq, at) -> {
                        if (seq > before && seq <= through) {
                            lags.add(now - at);
                        }
                    });
                    covered.put(ns, through);
                }
            }
            if (all.isDone() && elapsed == 0) {
                elapsed = System.nanoTime() - start;
                // Indexing of the last writes: default thresholds may wait for the quiet period.
                pollUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
            }
            boolean done = all.isDone() && acked.entrySet().stream().allMatch(e ->
                    e.getValue().keySet().stream().mapToLong(Long::longValue).max().orElse(0) <= covered.getOrDefault(e.getKey(), 0L));
            if (done || System.nanoTime() > pollUntil) {
                break;
            }
            Thread.sleep(50);
        }
        all.join();
        long unindexed = acked.entrySet().stream().mapToLong(e -> e.getValue().keySet().stream()
                .filter(s -> s > covered.getOrDefault(e.getKey(), 0L)).count()).sum();
        double rate = rows.get() / (elapsed / 1e9);
        // The WAL objects the run wrote (none is swept within the default grace period), and the
        // store's own create latency at their median size, measured now on the same store.
        List<Long> sizes = new ArrayList<>();
        for (String ns : acked.keySet()) {
            String prefix = new NamespaceLayout(new NamespaceName(ns)).walPrefix();
            String token = null;
            do {
                dev.strata.tiering.store.ListPage page = plain.list(prefix, token, 1000).join();
                page.objects().forEach(o -> sizes.add(o.size()));
                token = page.hasMore() ? page.nextToken() : null;
            } while (token != null);
        }
        Collections.sort(sizes);
        long walMedian = sizes.isEmpty() ? 0 : sizes.get(sizes.size() / 2);
        Percentiles put = putLatency(slow, (int) Math.max(1, walMedian));
        Result result = new Result(rate, Percentiles.of(ackNanos.stream().mapToLong(Long::longValue).toArray()),
                lags.isEmpty() ? null : Percentiles.of(lags.stream().mapToLong(Long::longValue).toArray()),
                ackNanos.size(), unindexed, sizes.size(), walMedian, put);
        System.out.printf(Locale.ROOT, "  run %s: %,.0f rows/s, %d writes in %d WAL objects (median %,d B; store create "
                        + "of that size p50 %.1f ms), ack p50 %.1f ms p99 %.1f ms, "
                        + "ack->indexed p50 %s p99 %s (%d WAL entries never covered)%n", tag, rate, ackNanos.size(),
                sizes.size(), walMedian, put.p50Millis(),
                result.ack().p50Millis(), result.ack().p99Millis(),
                result.indexLag() == null ? "-" : String.format(Locale.ROOT, "%.0f ms", result.indexLag().p50Millis()),
                result.indexLag() == null ? "-" : String.format(Locale.ROOT, "%.0f ms", result.indexLag().p99Millis()),
                unindexed);
        return result;
    }

    private static CompletableFuture<Void> loop(BenchNode node, String ns, float[] vectors, int rowsAvailable,
                                                int batch, int writer,
                                                long counter, long end, AtomicLong rows, List<Long> ackNanos,
                                                Map<Long, Long> acked) {
        if (System.nanoTime() >= end) {
            return CompletableFuture.completedFuture(null);
        }
        List<UpsertRow> upserts = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
            long id = ((long) writer << 32) | (counter * batch + i);
            int row = (int) ((writer * 7919L + counter * batch + i) % rowsAvailable);
            float[] v = new float[DIMS];
            System.arraycopy(vectors, row * DIMS, v, 0, DIMS);
            upserts.add(new UpsertRow(id, v, Map.of("writer", (long) writer)));
        }
        WriteRequest request = WriteRequest.of(upserts, null, null, "cosine_distance", true);
        long sent = System.nanoTime();
        return node.<WriteResult>ask(ns, replyTo -> new Write(request, replyTo))
                .thenCompose(reply -> {
                    long now = System.nanoTime();
                    if (reply.isError()) {
                        throw new IllegalStateException("write failed: " + reply.getError(), reply.getError());
                    }
                    ackNanos.add(now - sent);
                    acked.putIfAbsent(reply.getValue().walSequence(), now);
                    rows.addAndGet(batch);
                    return loop(node, ns, vectors, rowsAvailable, batch, writer, counter + 1, end, rows,
                            ackNanos, acked);
                });
    }

    private static long indexedThrough(ObjectStore store, String ns) {
        Manifest m = BenchNode.newestManifest(store, ns);
        return m == null ? 0 : m.indexedThrough();
    }

    private static void report(Setup setup, List<Result> results) {
        double[] rates = results.stream().mapToDouble(Result::rowsPerSecond).sorted().toArray();
        double[] p50 = results.stream().mapToDouble(r -> r.ack().p50Millis()).sorted().toArray();
        double[] p99 = results.stream().mapToDouble(r -> r.ack().p99Millis()).sorted().toArray();
        double[] lag50 = results.stream().filter(r -> r.indexLag() != null).mapToDouble(r -> r.indexLag().p50Millis())
                .sorted().toArray();
        double[] lag99 = results.stream().filter(r -> r.indexLag() != null).mapToDouble(r -> r.indexLag().p99Millis())
                .sorted().toArray();
        double[] put = results.stream().mapToDouble(r -> r.put().p50Millis()).sorted().toArray();
        double[] ratio = results.stream().mapToDouble(r -> r.ack().p50Millis() / r.put().p50Millis()).sorted().toArray();
        System.out.printf(Locale.ROOT, "RESULT namespaces=%d writers/ns=%d batch=%d: median %,.0f rows/s "
                        + "(%,.0f per namespace), ack p50 %.1f ms, p99 %.1f ms, store create p50 at WAL size %.1f ms "
                        + "(ack p50 / create p50 = %.2f), ack->indexed p50 %s, p99 %s%n",
                setup.namespaces(), setup.writersPerNamespace(), setup.batch(), median(rates),
                median(rates) / setup.namespaces(), median(p50), median(p99), median(put), median(ratio),
                lag50.length == 0 ? "-" : String.format(Locale.ROOT, "%.0f ms", median(lag50)),
                lag99.length == 0 ? "-" : String.format(Locale.ROOT, "%.0f ms", median(lag99)));
    }

    private static double median(double[] sorted) {
        return sorted.length == 0 ? Double.NaN : sorted[sorted.length / 2];
    }
}
