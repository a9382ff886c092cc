package dev.strata.bench.actors;

import com.typesafe.config.Config;
import dev.strata.actors.namespace.Manifest;
import dev.strata.actors.namespace.NamespaceEntity;
import dev.strata.actors.namespace.NamespaceProtocol.Describe;
import dev.strata.actors.namespace.NamespaceProtocol.NamespaceMetadata;
import dev.strata.actors.namespace.NamespaceProtocol.Query;
import dev.strata.actors.namespace.NamespaceProtocol.QueryRequest;
import dev.strata.actors.namespace.NamespaceProtocol.QueryResult;
import dev.strata.actors.namespace.NamespaceProtocol.UpsertRow;
import dev.strata.actors.namespace.NamespaceProtocol.Write;
import dev.strata.actors.namespace.NamespaceProtocol.WriteRequest;
import dev.strata.actors.namespace.NamespaceProtocol.WriteResult;
import dev.strata.actors.namespace.NamespaceSettings;
import dev.strata.actors.storage.NamespaceLayout;
import dev.strata.actors.storage.NamespaceName;
import dev.strata.actors.storage.SequencedLog;
import dev.strata.bench.Percentiles;
import dev.strata.bench.http.LoopbackClient;
import dev.strata.bench.http.QueryBodies;
import dev.strata.bench.http.ServerConfig;
import dev.strata.bench.data.GroundTruth;
import dev.strata.bench.data.VectorFiles;
import dev.strata.config.CacheSettings;
import dev.strata.config.StrataThreads;
import dev.strata.http.StrataServer;
import dev.strata.index.vector.Metric;
import dev.strata.tiering.read.TieredStorage;
import dev.strata.tiering.store.CountingObjectStore;
import dev.strata.tiering.store.FaultInjectingObjectStore;
import dev.strata.tiering.store.FaultInjectingObjectStore.Faults;
import dev.strata.tiering.store.ObjectStore;
import dev.strata.tiering.store.S3ObjectStore;
import dev.strata.tiering.testing.S3ProxyServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.pattern.StatusReply;
import tools.jackson.databind.JsonNode;

/**
 * Query latency of one namespace by the tier that serves it, through the namespace entity, on
 * S3Proxy (objects on local disk) behind injected per-request latency (log-normal, p50 60 ms,
 * p99 80 ms): hot (the memory tier holds everything read), warm (a memory tier too small, the SSD
 * tier holds it) and cold (a fresh node with empty caches for every query, so each query also
 * loads the namespace; the node first answers a request for another namespace, so that the
 * shard region's start is not charged to the cold query). Cold queries also report object-store
 * requests, bytes and sequential round trips: a request's round is one more than the deepest
 * request answered before it was sent, so requests issued together share a round.
 *
 * <p>The namespace is loaded first through the entity without injected latency (the first
 * {@code n} corpus documents, 384-d, cosine distance, batches of 1,000 rows from four writers),
 * which also measures ingest: rows acknowledged per second and the time from the last
 * acknowledgement until a published manifest covers it (in one segment, when quiet namespaces
 * are merged). A bucket directory already holding the whole namespace is reused, merged first
 * if it is not yet. Top 10; each tier is measured with strong consistency (the default:
 * every query checks the bucket for newer writes, one HEAD) and with eventual consistency.
 *
 * <p>With {@code through=http} every measured node is instead a whole Strata server
 * ({@code StrataServer}: cluster sharding, the HTTP API, the node's own S3 client configured from
 * its settings) with the same latency injected between it and S3Proxy, queried through HTTP as
 * the official clients send queries: issue 8's scenario 3.
 *
 * <p>Usage: {@code QueryTierBench [workDir=bench/work] [n=100000] [queries=200] [coldTrials=20]
 * [through=entity|http]}; {@code -Dquerytier.cold-only=true} measures only the cold tier,
 * {@code -Dquerytier.consistency=strong} or {@code eventual} only that consistency.
 */
public final class QueryTierBench {

    private static final int DIMS = 384;
    private static final int K = 10;
    private static final int BATCH = 1000;
    private static final int WRITERS = 4;
    private static final Metric METRIC = Metric.COSINE_DISTANCE;
    /** Where the namespace's objects live in the bucket. */
    private static final String PREFIX = "tiers";
    /** The object-store tier's coalescing window ({@code -Dquerytier.coalesce-window}, bytes). */
    private static final int WINDOW = Integer.getInteger("querytier.coalesce-window", 64 << 10);
    /** {@code -Dquerytier.cold-only=true} measures only the cold tier. */
    private static final boolean COLD_ONLY = Boolean.getBoolean("querytier.cold-only");
    /** {@code -Dquerytier.consistency=strong} or {@code eventual} measures only that; both by default. */
    private static final boolean[] CONSISTENCIES = switch (System.getProperty("querytier.consistency", "both")) {
        case "strong" -> new boolean[] {false};
        case "eventual" -> new boolean[] {true};
        default -> new boolean[] {false, true};
    };

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args.length > 0 ? args[0] : "bench/work");
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        int queryCount = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        int coldTrials = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        boolean http = args.length > 4 && switch (args[4]) {
            case "http" -> true;
            case "entity" -> false;
            default -> throw new IllegalArgumentException("through must be entity or http, not " + args[4]);
        };
        float[] queries = VectorFiles.readFloats(work.resolve("queries.f32"), queryCount, DIMS);
        int[] truth = VectorFiles.readInts(GroundTruth.file(work, n, 10_000, METRIC));
        String ns = "tiers-" + n;
        ExecutorService io = StrataThreads.newPool(StrataThreads.IO, 32);
        ExecutorService compute = StrataThreads.newPool(StrataThreads.COMPUTE, Runtime.getRuntime().availableProcessors());
        ExecutorService indexer = StrataThreads.newPool(StrataThreads.INDEXER, 1);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        Config config = BenchNode.config("strata.namespace.indexing.after-quiet = 2s");
        NamespaceSettings settings = NamespaceSettings.from(config);
        System.out.printf(Locale.ROOT, "# QueryTierBench: %,d documents, %d queries (hot, warm), %d cold trials, "
                        + "%d processors, injected latency p50 60 ms / p99 80 ms, coalescing window %,d B, through %s%n",
                n, queryCount, coldTrials, Runtime.getRuntime().availableProcessors(), WINDOW,
                http ? "HTTP" : "the entity");
        Path bucket = Files.createDirectories(work.resolve("tier-bucket-" + n));
        try (S3ProxyServer proxy = S3ProxyServer.startOnDisk("strata-bench", bucket)) {
            Nodes nodes = new Nodes(proxy, config, settings, io, compute, indexer, timer, http);
            load(nodes, work, ns, n);

            Path ssd = Files.createTempDirectory(work, "tier-ssd");
            CacheSettings hot = new CacheSettings(4096, 3L << 30, 256L << 20, ssd, 0, 4 << 20, WINDOW);
            CacheSettings warm = new CacheSettings(4096, 16L << 20, 0, ssd, 6L << 30, 4 << 20, WINDOW);
            CacheSettings cold = new CacheSettings(4096, 512L << 20, 256L << 20, ssd, 0, 4 << 20, WINDOW);
            firstColdQuery(nodes, cold, ns, queries, CONSISTENCIES[0]);
            for (boolean eventual : CONSISTENCIES) {
                String consistency = eventual ? " eventual" : " strong";
                if (!COLD_ONLY) {
                    report("hot" + consistency, repeated(nodes, hot, ns, queries, truth, eventual));
                    if (eventual) {
                        // The same, without the decoded cache: every search copies, verifies and
                        // decodes its code blocks from memory-tier pages.
                        CacheSettings pagesOnly = new CacheSettings(4096, 3L << 30, 0, ssd, 0, 4 << 20, WINDOW);
                        report("hot eventual, pages only", repeated(nodes, pagesOnly, ns, queries, truth, true));
                    }
                    report("warm" + consistency, repeated(nodes, warm, ns, queries, truth, eventual));
                }
                report("cold" + consistency, coldTrials(nodes, cold, ns, queries, truth, coldTrials, eventual));
            }
        } finally {
            timer.shutdownNow();
            io.shutdownNow();
            compute.shutdownNow();
            indexer.shutdownNow();
        }
    }

    /** How to make a node over the bucket: with or without injected latency, with given caches. */
    private record Nodes(S3ProxyServer proxy, Config config, NamespaceSettings settings, ExecutorService io,
                         ExecutorService compute, ExecutorService indexer, ScheduledExecutorService timer,
                         boolean http) {

        /** A node to measure, of the kind {@code http} chooses; {@code slow} adds the injected latency. */
        Node start(CacheSettings cache, boolean slow) throws Exception {
            return http ? server(cache, slow) : entity(cache, slow);
        }

        EntityNode entity(CacheSettings cache, boolean slow) {
            CountingObjectStore counting = counted(new S3ObjectStore(proxy.settings(PREFIX), io), slow);
            TieredStorage storage = TieredStorage.over(counting, cache, io);
            BenchNode node = new BenchNode(config, new NamespaceEntity.Resources(storage.store(), storage.reader(),
                    compute, indexer, settings));
            return new EntityNode(node, storage, counting);
        }

        ServerNode server(CacheSettings cache, boolean slow) throws Exception {
            StringBuilder hocon = new StringBuilder();
            proxy.nodeSettings(PREFIX).forEach((k, v) -> hocon.append(k).append(" = \"").append(v).append("\"\n"));
            hocon.append("""
                    strata.http.host = "127.0.0.1"
                    strata.http.port = 0
                    strata.cache.memory.size = %d
                    strata.cache.memory.decoded-size = %d
                    strata.cache.ssd.directory = "%s"
                    strata.cache.ssd.size = %d
                    strata.cache.coalesce-window = %d
                    strata.namespace.indexing.after-quiet = 2s
                    pekko.remote.artery.canonical.hostname = "127.0.0.1"
                    pekko.remote.artery.canonical.port = 0
                    pekko.management.http.port = 0
                    pekko.loglevel = WARNING
                    """.formatted(cache.memoryBytes(), cache.decodedBytes(), cache.ssdDirectory(), cache.ssdBytes(),
                    cache.coalesceWindow()));
            AtomicReference<CountingObjectStore> counting = new AtomicReference<>();
            StrataServer server = StrataServer.start(ServerConfig.of(hocon.toString()), s3 -> {
                counting.set(counted(s3, slow));
                return counting.get();
            }).toCompletableFuture().get(60, TimeUnit.SECONDS);
            server.memberUp().toCompletableFuture().get(60, TimeUnit.SECONDS);
            return new ServerNode(server, counting.get(), new LoopbackClient("127.0.0.1", server.port()));
        }

        private CountingObjectStore counted(ObjectStore s3, boolean slow) {
            ObjectStore store = slow ? new FaultInjectingObjectStore(s3,
                    Faults.none(7).withLatency(Duration.ofMillis(60), Duration.ofMillis(80)), timer, io) : s3;
            return new CountingObjectStore(store, io);
        }
    }

    /** What a query answered: the ids of its rows and the tier that served it. */
    private record Answer(int[] ids, String temperature) {}

    /** A node to measure, and the store it counts requests on. */
    private interface Node extends AutoCloseable {
        Answer query(String ns, float[] vector, boolean eventual) throws Exception;

        /** Has the node serve a request for {@code ns} (and so start its shard region's work). */
        void touch(String ns) throws Exception;

        CountingObjectStore counting();

        @Override
        void close();
    }

    /** The namespace entity through a cluster-sharding ask, with no HTTP. */
    private record EntityNode(BenchNode node, TieredStorage storage, CountingObjectStore counting) implements Node {
        @Override
        public Answer query(String ns, float[] vector, boolean eventual) {
            QueryRequest request = eventual ? QueryRequest.nearest(vector, K).eventually() : QueryRequest.nearest(vector, K);
            StatusReply<QueryResult> reply = node.<QueryResult>ask(ns, r -> new Query(request, r)).join();
            if (reply.isError()) {
                throw new IllegalStateException("query failed: " + reply.getError(), reply.getError());
            }
            QueryResult result = reply.getValue();
            return new Answer(result.rows().stream().mapToInt(r -> ((Number) r.id()).intValue()).toArray(),
                    result.cacheTemperature());
        }

        @Override
        public void touch(String ns) {
            node.<NamespaceMetadata>ask(ns, Describe::new).join();
        }

        @Override
        public void close() {
            node.close();
            storage.close();
        }
    }

    /**
     * A whole server, queried through HTTP with the body the official clients send, by a lean
     * HTTP/1.1 client on one keep-alive connection (so the client's own thread hand-offs, which
     * the JDK's client adds, are not charged to the server).
     */
    private record ServerNode(StrataServer server, CountingObjectStore counting, LoopbackClient client) implements Node {
        @Override
        public Answer query(String ns, float[] vector, boolean eventual) throws Exception {
            LoopbackClient.Response r = client.post("/v2/namespaces/" + ns + "/query",
                    QueryBodies.nearest(vector, K, eventual).getBytes(StandardCharsets.UTF_8));
            JsonNode answer = QueryBodies.answer(r.status(), r.body());
            return new Answer(QueryBodies.ids(answer), answer.get("performance").get("cache_temperature").asString());
        }

        @Override
        public void touch(String ns) throws Exception {
            client.get("/v2/namespaces/" + ns + "/metadata");
        }

        @Override
        public void close() {
            try {
                client.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                server.close();
            }
        }
    }

    /** One tier's figures. */
    private record Tier(Percentiles latency, Map<String, Integer> temperatures, double recall, Percentiles requests,
                        Percentiles bytes, Percentiles rounds, Percentiles roundsAfterManifest) {}

    // ---- loading

    private static void load(Nodes nodes, Path work, String ns, int n) throws Exception {
        try (EntityNode node = nodes.entity(new CacheSettings(4096, 256L << 20, 0, work, 0, 4 << 20, WINDOW), false)) {
            ObjectStore store = node.storage().store();
            Manifest existing = BenchNode.newestManifest(store, ns);
            if (existing != null && existing.indexedThrough() > 0 && !hasUnindexedWal(store, ns, existing)) {
                if (!settled(existing, existing.indexedThrough(), nodes.settings())) {
                    // Loaded before quiet namespaces were merged: its owner merges it once loaded,
                    // which must not happen on a node being measured.
                    node.node().<NamespaceMetadata>ask(ns, Describe::new).join();
                    existing = awaitSettled(store, ns, existing.indexedThrough(), nodes.settings());
                }
                System.out.printf(Locale.ROOT, "# reusing the loaded namespace: manifest %d, %d segments%n",
                        existing.version(), existing.segments().size());
                return;
            }
            float[] docs = VectorFiles.readFloats(work.resolve("documents.f32"), n, DIMS);
            AtomicLong next = new AtomicLong();
            AtomicLong lastSequence = new AtomicLong();
            AtomicLong retries = new AtomicLong();
            long start = System.nanoTime();
            List<CompletableFuture<Void>> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                writers.add(CompletableFuture.runAsync(() -> {
                    for (long from = next.getAndAdd(BATCH); from < n; from = next.getAndAdd(BATCH)) {
                        write(node.node(), ns, docs, (int) from, (int) Math.min(n, from + BATCH), lastSequence, retries);
                    }
                }));
            }
            CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).join();
            long acked = System.nanoTime();
            System.out.printf(Locale.ROOT, "# ingest: %,d rows acknowledged in %.1f s = %,.0f rows/s (%d writers x %d rows, "
                            + "%d backpressure retries)%n", n, (acked - start) / 1e9, n / ((acked - start) / 1e9),
                    WRITERS, BATCH, retries.get());
            Manifest m = awaitSettled(store, ns, lastSequence.get(), nodes.settings());
            System.out.printf(Locale.ROOT, "# indexed%s %.1f s after the last acknowledgement: manifest %d, "
                            + "%d segments%n", nodes.settings().mergeWhenQuiet() ? " and merged" : "",
                    (System.nanoTime() - acked) / 1e9, m.version(), m.segments().size());
        }
    }

    /**
     * Whether a manifest is searchable from the index alone and compaction is done with it: it
     * covers WAL entry {@code through}, and its segments are within the configured bound, which
     * is one when quiet namespaces are merged.
     */
    private static boolean settled(Manifest m, long through, NamespaceSettings settings) {
        int bound = settings.mergeWhenQuiet() ? 1 : settings.maxSegments();
        return m != null && m.indexedThrough() >= through && m.segments().size() <= bound;
    }

    private static Manifest awaitSettled(ObjectStore store, String ns, long through, NamespaceSettings settings)
            throws InterruptedException {
        while (true) {
            Manifest m = BenchNode.newestManifest(store, ns);
            if (settled(m, through, settings)) {
                return m;
            }
            Thread.sleep(200);
        }
    }

    private static void write(BenchNode node, String ns, float[] docs, int from, int to, AtomicLong lastSequence,
                              AtomicLong retries) {
        List<UpsertRow> rows = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            float[] v = new float[DIMS];
            System.arraycopy(docs, i * DIMS, v, 0, DIMS);
            rows.add(new UpsertRow((long) i, v, Map.of()));
        }
        WriteRequest request = WriteRequest.of(rows, null, null, METRIC.apiName(), false);
        while (true) {
            StatusReply<WriteResult> reply = node.<WriteResult>ask(ns, r -> new Write(request, r)).join();
            if (reply.isSuccess()) {
                lastSequence.accumulateAndGet(reply.getValue().walSequence(), Math::max);
                return;
            }
            // Backpressure (indexing behind): wait and send again, as a client would.
            retries.incrementAndGet();
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private static boolean hasUnindexedWal(ObjectStore store, String ns, Manifest m) {
        SequencedLog wal = new SequencedLog(store, new NamespaceLayout(new NamespaceName(ns)).walPrefix());
        return wal.latest().join() > m.indexedThrough();
    }

    // ---- measuring

    /** One node: every query once to fill its caches, then every query again, measured. */
    private static Tier repeated(Nodes nodes, CacheSettings cache, String ns, float[] queries, int[] truth,
                                 boolean eventual) throws Exception {
        int count = queries.length / DIMS;
        try (Node node = nodes.start(cache, true)) {
            for (int q = 0; q < count; q++) {
                node.query(ns, query(queries, q), eventual);
            }
            long[] nanos = new long[count];
            Map<String, Integer> temperatures = new TreeMap<>();
            double recall = 0;
            for (int q = 0; q < count; q++) {
                long start = System.nanoTime();
                Answer answer = node.query(ns, query(queries, q), eventual);
                nanos[q] = System.nanoTime() - start;
                temperatures.merge(answer.temperature(), 1, Integer::sum);
                recall += GroundTruth.recall(truth, q, K, answer.ids());
            }
            return new Tier(Percentiles.of(nanos), temperatures, recall / count, null, null, null, null);
        }
    }

    /**
     * The process's first cold query, untimed, its latency printed apart: it runs before the JIT
     * has compiled the load and the search, which a node that has served other namespaces has
     * done, and it would otherwise be every run's p99. It asks the last query; the trials ask
     * the first ones.
     */
    private static void firstColdQuery(Nodes nodes, CacheSettings cache, String ns, float[] queries,
                                       boolean eventual) throws Exception {
        try (Node node = nodes.start(cache, true)) {
            node.touch(ns + "-other");
            long start = System.nanoTime();
            node.query(ns, query(queries, queries.length / DIMS - 1), eventual);
            System.out.printf(Locale.ROOT, "# the process's first cold query (not counted): %.0f ms%n",
                    (System.nanoTime() - start) / 1e6);
        }
    }

    /** A fresh node with empty caches for each trial: its first query, which loads the namespace too. */
    private static Tier coldTrials(Nodes nodes, CacheSettings cache, String ns, float[] queries, int[] truth,
                                   int trials, boolean eventual) throws Exception {
        int count = queries.length / DIMS;
        long[] nanos = new long[trials];
        long[] requests = new long[trials];
        long[] bytes = new long[trials];
        long[] rounds = new long[trials];
        long[] afterManifest = new long[trials];
        Map<String, Integer> temperatures = new TreeMap<>();
        double recall = 0;
        for (int t = 0; t < trials; t++) {
            int q = t % count;
            try (Node node = nodes.start(cache, true)) {
                // The node first serves another namespace, as a running node would have: the
                // first message through a fresh node's shard region also waits for the shard
                // coordinator (about 270 ms here), which is the node's start, not the namespace's.
                node.touch(ns + "-other");
                node.counting().reset();
                long start = System.nanoTime();
                Answer answer = node.query(ns, query(queries, q), eventual);
                nanos[t] = System.nanoTime() - start;
                temperatures.merge(answer.temperature(), 1, Integer::sum);
                recall += GroundTruth.recall(truth, q, K, answer.ids());
                List<CountingObjectStore.Timed> timed = node.counting().timed();
                requests[t] = timed.size();
                bytes[t] = node.counting().bytesRead();
                int[] depth = CountingObjectStore.rounds(timed);
                int deepest = CountingObjectStore.deepestRound(timed, depth, r -> true);
                rounds[t] = deepest;
                afterManifest[t] = deepest - CountingObjectStore.deepestRound(timed, depth,
                        r -> r.operation() == CountingObjectStore.Operation.GET && r.key().contains("/manifest"));
                if (t == 0) {
                    printRequests(timed, depth, ns, start);
                    System.out.printf(Locale.ROOT, "#   answered at %.0f ms%n", nanos[t] / 1e6);
                }
            }
        }
        return new Tier(Percentiles.of(nanos), temperatures, recall / trials, Percentiles.of(requests),
                Percentiles.of(bytes), Percentiles.of(rounds), Percentiles.of(afterManifest));
    }

    /**
     * The first cold query's requests by round: what each sequential round trip is for, and when
     * (from the query's send) its first request left and its last answer came back.
     */
    private static void printRequests(List<CountingObjectStore.Timed> timed, int[] depth, String ns, long startNanos) {
        Map<Integer, List<String>> byRound = new TreeMap<>();
        Map<Integer, long[]> spans = new TreeMap<>();
        for (int i = 0; i < timed.size(); i++) {
            CountingObjectStore.Timed t = timed.get(i);
            CountingObjectStore.Request r = t.request();
            String key = r.key().replace(new NamespaceLayout(new NamespaceName(ns)).prefix(), "");
            byRound.computeIfAbsent(depth[i], d -> new ArrayList<>())
                    .add(r.operation() + " " + key + (r.bytes() > 0 ? " (" + r.bytes() + " B)" : ""));
            long[] span = spans.computeIfAbsent(depth[i], d -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE});
            span[0] = Math.min(span[0], t.sentNanos() - startNanos);
            span[1] = Math.max(span[1], t.answeredNanos() - startNanos);
        }
        byRound.forEach((round, requests) -> System.out.printf(Locale.ROOT, "#   round %d (%.0f-%.0f ms): %s%n", round,
                spans.get(round)[0] / 1e6, spans.get(round)[1] / 1e6, String.join(", ", requests)));
    }

    private static float[] query(float[] queries, int q) {
        float[] v = new float[DIMS];
        System.arraycopy(queries, q * DIMS, v, 0, DIMS);
        return v;
    }

    private static void report(String name, Tier tier) {
        System.out.printf(Locale.ROOT, "RESULT %s: p50 %.2f ms, p99 %.2f ms, max %.2f ms over %d queries; "
                        + "served as %s; recall@10 %.4f%n", name, tier.latency().p50Millis(), tier.latency().p99Millis(),
                tier.latency().max() / 1e6, tier.latency().count(), tier.temperatures(), tier.recall());
        if (tier.requests() != null) {
            System.out.printf(Locale.ROOT, "RESULT %s requests per query: p50 %d, p99 %d; bytes read p50 %,d, p99 %,d; "
                            + "sequential round trips p50 %d, p99 %d (after the manifest p50 %d, p99 %d)%n", name,
                    tier.requests().p50(), tier.requests().p99(), tier.bytes().p50(), tier.bytes().p99(),
                    tier.rounds().p50(), tier.rounds().p99(), tier.roundsAfterManifest().p50(),
                    tier.roundsAfterManifest().p99());
        }
    }
}
