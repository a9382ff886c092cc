package dev.strata.bench.http;

import com.typesafe.config.Config;
import dev.strata.actors.namespace.NamespaceEntity;
import dev.strata.actors.namespace.NamespaceProtocol.Query;
import dev.strata.actors.namespace.NamespaceProtocol.QueryRequest;
import dev.strata.actors.namespace.NamespaceProtocol.QueryResult;
import dev.strata.bench.Percentiles;
import dev.strata.bench.data.Corpus;
import dev.strata.bench.data.EmbedCorpus;
import dev.strata.bench.data.GroundTruth;
import dev.strata.bench.data.VectorFiles;
import dev.strata.http.StrataServer;
import dev.strata.index.vector.Metric;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The HTTP API's cost and end-to-end query throughput on loopback, for one hot namespace of
 * corpus vectors (384-d, cosine distance) served by a Strata node started in this JVM (local
 * directory storage in a temporary directory).
 *
 * <ol>
 *   <li>Loads the first {@code documents} corpus vectors through {@code POST /v2/namespaces/{ns}}
 *       ({@code upsert_columns}, base64 vectors, ids = corpus rows), waits until the metadata
 *       reports the index up to date and, when quiet namespaces are merged, until the query plan
 *       searches one segment, and warms the namespace until queries report
 *       {@code cache_temperature: hot}.</li>
 *   <li>Overhead: one client, one query at a time, the same query in turn through HTTP with a
 *       lean client ({@link LoopbackClient}: one keep-alive socket written and read by the calling
 *       thread), through HTTP with {@code java.net.http} (HTTP/1.1 keep-alive, as the official
 *       clients' transports), and in-process (the same {@link NamespaceEntity} through the Cluster
 *       Sharding ask, no HTTP); the request body is the JSON float array the official clients
 *       send. Bodies are built before timing and responses parsed after; the difference of the
 *       p50s is what the HTTP layer (transport, routing, JSON codec both ways) adds. Then each
 *       path runs the same queries as one batch, charged with the process's CPU time (client and
 *       server share this JVM), a figure other load on the machine disturbs much less, and with
 *       the process's CPU time less the calling thread's ("server": for the lean client and the
 *       in-process ask, the client's own work runs on the calling thread); and as a floor,
 *       {@code GET /strata/health} (no actor, no body) the same number of times with each client.</li>
 *   <li>Throughput: {@code c} closed-loop HTTP clients for each {@code c} in {@code clients},
 *       each with its own lean keep-alive connection (or, with {@code -Dhttpbench.jdk-client=true},
 *       sharing one {@link HttpClient}), each sending the next query of the corpus's query rows
 *       for {@code seconds} seconds; reports queries/s, latency and recall@10 of the answers
 *       against exact ground truth.</li>
 * </ol>
 * Every measurement is repeated {@code runs} times; the system load average is printed with each.
 * Clients and server share the machine's processors.
 *
 * <p>Usage: {@code HttpBench [documents=100000] [runs=3] [seconds=10] [clients=1,4,16]
 * [overheadQueries=2000] [workDir=bench/work]}.
 */
public final class HttpBench {

    private static final int K = 10;
    private static final int DIMS = EmbedCorpus.DIMENSIONS;
    private static final Metric METRIC = Metric.COSINE_DISTANCE;
    private static final String NS = "bench-hot";
    private static final int BATCH = 2_000;
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** Throughput through java.net.http (as before the lean client existed) instead of the lean client. */
    private static final boolean JDK_CLIENT = Boolean.getBoolean("httpbench.jdk-client");

    public static void main(String[] args) {
        int status = 1;
        try {
            run(args);
            status = 0;
        } catch (Exception e) {
            e.printStackTrace();
        } finally {
            // A node that failed to start part way can leave non-daemon threads behind.
            System.exit(status);
        }
    }

    private static void run(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int[] clients = Arrays.stream((args.length > 3 ? args[3] : "1,4,16").split(",")).mapToInt(Integer::parseInt)
                .toArray();
        int overheadQueries = args.length > 4 ? Integer.parseInt(args[4]) : 2_000;
        Path work = Path.of(args.length > 5 ? args[5] : "bench/work");

        float[] docs = VectorFiles.readFloats(work.resolve("documents.f32"), n, DIMS);
        float[] queries = VectorFiles.readFloats(work.resolve("queries.f32"), Corpus.QUERIES, DIMS);
        int[] truth = GroundTruth.load(GroundTruth.file(work, n, Corpus.QUERIES, METRIC), docs, queries, DIMS, K,
                METRIC, null);
        String[] bodies = new String[Corpus.QUERIES];
        QueryRequest[] requests = new QueryRequest[Corpus.QUERIES];
        for (int q = 0; q < Corpus.QUERIES; q++) {
            float[] v = Arrays.copyOfRange(queries, q * DIMS, (q + 1) * DIMS);
            bodies[q] = QueryBodies.nearest(v, K, false);
            requests[q] = QueryRequest.nearest(v, K);
        }
        System.out.printf(Locale.ROOT, "# HttpBench: %d documents, %d-d, %s, %d processors, %d runs, %d s per "
                        + "throughput run, clients %s, %d overhead queries per run%n", n, DIMS, METRIC.apiName(),
                Runtime.getRuntime().availableProcessors(), runs, seconds, Arrays.toString(clients), overheadQueries);

        Path dir = Files.createTempDirectory("strata-http-bench");
        Config config = ServerConfig.of("""
                strata.http.host = "127.0.0.1"
                strata.http.port = 0
                strata.storage.local.directory = "%s"
                strata.cache.ssd.directory = "%s"
                strata.cache.memory.size = %dMiB
                strata.cache.ssd.size = 1GiB
                strata.namespace.indexing.after-quiet = 2s
                pekko.remote.artery.canonical.hostname = "127.0.0.1"
                pekko.remote.artery.canonical.port = 0
                pekko.management.http.port = 0
                pekko.loglevel = WARNING
                """.formatted(dir.resolve("data"), dir.resolve("cache"), memoryMiB(n)));
        StrataServer server = StrataServer.start(config).toCompletableFuture().get(60, TimeUnit.SECONDS);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        String base = "http://127.0.0.1:" + server.port();
        try {
            server.memberUp().toCompletableFuture().get(60, TimeUnit.SECONDS);
            long t0 = System.nanoTime();
            load(http, base, docs, n);
            double loadSeconds = (System.nanoTime() - t0) / 1e9;
            JsonNode meta = waitIndexed(http, base, n);
            double indexedSeconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "loaded %d documents over HTTP in %.1f s; index up to date after %.1f s "
                    + "(approx_logical_bytes %d); load %s%n", n, loadSeconds, indexedSeconds,
                    meta.get("approx_logical_bytes").asLong(), loadAverage());
            if (config.getBoolean("strata.namespace.compaction.merge-when-quiet")) {
                waitMerged(http, base, bodies[0]);
                System.out.printf(Locale.ROOT, "merged into one segment after %.1f s; load %s%n",
                        (System.nanoTime() - t0) / 1e9, loadAverage());
            }
            warm(http, base, bodies);
            HttpResponse<String> plan = post(http, base + "/v2/namespaces/" + NS + "/explain_query", bodies[0]);
            System.out.println("query plan: " + JSON.readTree(plan.body()).path("plan_text").asString()
                    .replace("\n", " / "));

            EntityRef<dev.strata.actors.namespace.NamespaceProtocol.Command> entity =
                    ClusterSharding.get(server.system()).entityRefFor(NamespaceEntity.TYPE_KEY, NS);
            System.out.printf(Locale.ROOT, "%n| run | in-process p50 ms | HTTP p50 ms | added p50 ms "
                    + "| HTTP p50 ms, JDK client | added p50 ms, JDK client | in-process p99 ms | HTTP p99 ms "
                    + "| in-process CPU µs/query | HTTP CPU µs/query | added CPU µs/query "
                    + "| in-process server CPU µs/query | HTTP server CPU µs/query | added server CPU µs/query "
                    + "| HTTP CPU µs/query, JDK client | added CPU µs/query, JDK client "
                    + "| health p50 ms | health CPU µs/request | health server CPU µs/request "
                    + "| health p50 ms, JDK client | health CPU µs/request, JDK client "
                    + "| recall@10 HTTP | recall@10 in-process | load (1 min) |%n"
                    + "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|%n");
            double[] added = new double[runs];
            for (int r = 0; r < runs; r++) {
                added[r] = overhead(http, base, entity, bodies, requests, truth, overheadQueries, r);
            }
            System.out.printf(Locale.ROOT, "median added p50: %.3f ms%n", median(added));
            System.out.printf(Locale.ROOT, "%nthroughput client: %s%n", JDK_CLIENT
                    ? "java.net.http, one HttpClient shared by the client threads"
                    : "one lean loopback connection per client thread");

            System.out.printf(Locale.ROOT, "%n| clients | run | queries/s | p50 ms | p99 ms | recall@10 | errors "
                    + "| load (1 min) |%n|---|---|---|---|---|---|---|---|%n");
            for (int c : clients) {
                double[] qps = new double[runs];
                for (int r = 0; r < runs; r++) {
                    qps[r] = throughput(http, base, bodies, truth, c, seconds, r);
                }
                System.out.printf(Locale.ROOT, "| %d | median | %.0f | | | | | |%n", c, median(qps));
            }
        } finally {
            server.close();
            deleteTree(dir);
        }
    }

    /** A memory tier large enough for the namespace's vectors and codes, with room to spare. */
    private static long memoryMiB(int n) {
        return Math.max(512, 2L * n * DIMS * 4 / (1 << 20));
    }

    // --- loading --------------------------------------------------------------------------

    private static void load(HttpClient http, String base, float[] docs, int n) throws Exception {
        for (int from = 0; from < n; from += BATCH) {
            int to = Math.min(n, from + BATCH);
            StringBuilder ids = new StringBuilder();
            StringBuilder vectors = new StringBuilder();
            ByteBuffer buf = ByteBuffer.allocate(DIMS * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = from; i < to; i++) {
                buf.clear();
                buf.asFloatBuffer().put(docs, i * DIMS, DIMS);
                ids.append(i == from ? "" : ",").append(i);
                vectors.append(i == from ? "\"" : ",\"").append(Base64.getEncoder().encodeToString(buf.array()))
                        .append('"');
            }
            String body = "{\"upsert_columns\":{\"id\":[" + ids + "],\"vector\":[" + vectors + "]},"
                    + "\"distance_metric\":\"cosine_distance\"}";
            for (int attempt = 0; ; attempt++) {
                HttpResponse<String> r = post(http, base + "/v2/namespaces/" + NS, body);
                if (r.statusCode() == 200) {
                    break;
                }
                if ((r.statusCode() == 429 || r.statusCode() == 503) && attempt < 600) {
                    Thread.sleep(500); // back-pressure while the index catches up
                    continue;
                }
                throw new IllegalStateException("write failed: " + r.statusCode() + " " + r.body());
            }
        }
    }

    private static JsonNode waitIndexed(HttpClient http, String base, int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(60);
        while (true) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v2/namespaces/" + NS
                    + "/metadata")).timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofString());
            JsonNode meta = JSON.readTree(r.body());
            if (r.statusCode() == 200 && meta.get("index").get("status").asString().equals("up-to-date")
                    && meta.get("approx_row_count").asLong() == n) {
                return meta;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not indexed after an hour: " + r.body());
            }
            Thread.sleep(1000);
        }
    }

    /**
     * Waits until the query plan lists one segment: the quiet namespace's segments are merged,
     * so the merge neither runs during the measurements nor replaces the segments they warmed.
     */
    private static void waitMerged(HttpClient http, String base, String body) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(60);
        while (true) {
            HttpResponse<String> r = post(http, base + "/v2/namespaces/" + NS + "/explain_query", body);
            String plan = r.statusCode() == 200 ? JSON.readTree(r.body()).path("plan_text").asString() : "";
            if (plan.lines().filter(line -> line.startsWith("segment ")).count() == 1) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not merged after an hour: " + r.body());
            }
            Thread.sleep(1000);
        }
    }

    /** Asks for the cache warm-up, then queries until the answers report the hot tier. */
    private static void warm(HttpClient http, String base, String[] bodies) throws Exception {
        http.send(HttpRequest.newBuilder(URI.create(base + "/v1/namespaces/" + NS + "/hint_cache_warm")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        int hotInARow = 0;
        for (int i = 0; hotInARow < 200; i++) {
            HttpResponse<String> r = post(http, base + "/v2/namespaces/" + NS + "/query", bodies[i % bodies.length]);
            String temperature = JSON.readTree(r.body()).get("performance").get("cache_temperature").asString();
            hotInARow = temperature.equals("hot") ? hotInARow + 1 : 0;
            if (i > 50_000) {
                throw new IllegalStateException("namespace not hot after 50,000 queries: " + temperature);
            }
        }
    }

    // --- measurements ---------------------------------------------------------------------

    private static double overhead(HttpClient http, String base, EntityRef<dev.strata.actors.namespace.NamespaceProtocol.Command> entity,
                                   String[] bodies, QueryRequest[] requests, int[] truth, int count, int run)
            throws Exception {
        long[] viaLean = new long[count];
        long[] viaJdk = new long[count];
        long[] inProcess = new long[count];
        double recallHttp = 0;
        double recallInProcess = 0;
        URI uri = URI.create(base + "/v2/namespaces/" + NS + "/query");
        String path = "/v2/namespaces/" + NS + "/query";
        byte[][] raw = new byte[bodies.length][];
        for (int q = 0; q < bodies.length; q++) {
            raw[q] = bodies[q].getBytes(StandardCharsets.UTF_8);
        }
        try (LoopbackClient lean = new LoopbackClient("127.0.0.1", uri.getPort())) {
            for (int i = 0; i < count; i++) {
                int q = (run * count + i) % bodies.length;
                // Rotate which path goes first, so drift in the machine's load hits all alike.
                for (int step = 0; step < 3; step++) {
                    switch ((i + step) % 3) {
                        case 0 -> {
                            long t = System.nanoTime();
                            LoopbackClient.Response r = lean.post(path, raw[q]);
                            viaLean[i] = System.nanoTime() - t;
                            recallHttp += GroundTruth.recall(truth, q, K, QueryBodies.ids(r.status(), r.body()));
                        }
                        case 1 -> {
                            long t = System.nanoTime();
                            http.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(bodies[q]))
                                    .header("Content-Type", "application/json").build(),
                                    HttpResponse.BodyHandlers.ofString());
                            viaJdk[i] = System.nanoTime() - t;
                        }
                        default -> {
                            QueryRequest request = requests[q];
                            long t = System.nanoTime();
                            QueryResult result = entity.<QueryResult>askWithStatus(reply -> new Query(request, reply),
                                    Duration.ofSeconds(30)).toCompletableFuture().get();
                            inProcess[i] = System.nanoTime() - t;
                            recallInProcess += GroundTruth.recall(truth, q, K,
                                    result.rows().stream().mapToInt(row -> ((Number) row.id()).intValue()).toArray());
                        }
                    }
                }
            }
            Percentiles l = Percentiles.of(viaLean);
            Percentiles j = Percentiles.of(viaJdk);
            Percentiles p = Percentiles.of(inProcess);
            double added = l.p50Millis() - p.p50Millis();
            // CPU time is far less sensitive than wall time to other processes on a shared machine:
            // the same queries once more, each path as one batch, charged with this process's CPU
            // time; "server" leaves out the calling thread's own (the lean client's or the ask's).
            Cpu leanCpu = Cpu.of(count, () -> {
                for (int i = 0; i < count; i++) {
                    lean.post(path, raw[(run * count + i) % bodies.length]);
                }
            });
            Cpu jdkCpu = Cpu.of(count, () -> {
                for (int i = 0; i < count; i++) {
                    http.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(bodies[(run * count + i)
                            % bodies.length])).header("Content-Type", "application/json").build(),
                            HttpResponse.BodyHandlers.ofString());
                }
            });
            Cpu inProcessCpu = Cpu.of(count, () -> {
                for (int i = 0; i < count; i++) {
                    QueryRequest request = requests[(run * count + i) % bodies.length];
                    entity.<QueryResult>askWithStatus(reply -> new Query(request, reply), Duration.ofSeconds(30))
                            .toCompletableFuture().get();
                }
            });
            // The floor of any request: GET /strata/health asks no actor and parses no body.
            long[] health = new long[count];
            Cpu healthCpu = Cpu.of(count, () -> {
                for (int i = 0; i < count; i++) {
                    long t = System.nanoTime();
                    lean.get("/strata/health");
                    health[i] = System.nanoTime() - t;
                }
            });
            long[] healthJdk = new long[count];
            URI healthUri = URI.create(base + "/strata/health");
            Cpu healthJdkCpu = Cpu.of(count, () -> {
                for (int i = 0; i < count; i++) {
                    long t = System.nanoTime();
                    http.send(HttpRequest.newBuilder(healthUri).GET().build(), HttpResponse.BodyHandlers.ofString());
                    healthJdk[i] = System.nanoTime() - t;
                }
            });
            if (run == 0) {
                System.out.println("CPU by thread group, µs/request: query (lean client): " + leanCpu.byThread()
                        + "; query (in-process): " + inProcessCpu.byThread() + "; health (lean client): "
                        + healthCpu.byThread());
            }
            System.out.printf(Locale.ROOT, "| %d | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.0f | %.0f | %.0f "
                            + "| %.0f | %.0f | %.0f | %.0f | %.0f | %.3f | %.0f | %.0f | %.3f | %.0f | %.4f | %.4f | %s |%n",
                    run + 1, p.p50Millis(), l.p50Millis(), added, j.p50Millis(), j.p50Millis() - p.p50Millis(),
                    p.p99Millis(), l.p99Millis(),
                    inProcessCpu.process(), leanCpu.process(), leanCpu.process() - inProcessCpu.process(),
                    inProcessCpu.server(), leanCpu.server(), leanCpu.server() - inProcessCpu.server(),
                    jdkCpu.process(), jdkCpu.process() - inProcessCpu.process(),
                    Percentiles.of(health).p50Millis(), healthCpu.process(), healthCpu.server(),
                    Percentiles.of(healthJdk).p50Millis(), healthJdkCpu.process(),
                    recallHttp / count, recallInProcess / count, loadAverage());
            return added;
        }
    }

    /** Work to charge with CPU time. */
    @FunctionalInterface
    private interface Batch {
        void run() throws Exception;
    }

    /**
     * The CPU time of a batch of {@code count} requests, per request: the whole process's, the
     * process's without the calling thread's (what serving cost), and per group of threads.
     */
    private record Cpu(double process, double server, String byThread) {

        static Cpu of(int count, Batch batch) throws Exception {
            com.sun.management.OperatingSystemMXBean os =
                    (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            Map<Long, Long> before = threadCpuTimes();
            long process0 = os.getProcessCpuTime();
            long caller0 = threads.getCurrentThreadCpuTime();
            batch.run();
            long caller = threads.getCurrentThreadCpuTime() - caller0;
            long process = os.getProcessCpuTime() - process0;
            return new Cpu(process / 1e3 / count, (process - caller) / 1e3 / count,
                    cpuByThreadGroup(before, process, count));
        }
    }

    private static double throughput(HttpClient http, String base, String[] bodies, int[] truth, int clients,
                                     int seconds, int run) throws Exception {
        URI uri = URI.create(base + "/v2/namespaces/" + NS + "/query");
        String path = uri.getPath();
        byte[][] raw = new byte[bodies.length][];
        for (int q = 0; q < bodies.length; q++) {
            raw[q] = bodies[q].getBytes(StandardCharsets.UTF_8);
        }
        AtomicInteger next = new AtomicInteger(run * 997);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<long[]> latencies = new ArrayList<>();
        double[] recallSums = new double[clients];
        int[] answered = new int[clients];
        int[] errors = new int[clients];
        CountDownLatch done = new CountDownLatch(clients);
        long start = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            long[] mine = new long[1 << 20];
            latencies.add(mine);
            int me = c;
            new Thread(() -> {
                try (LoopbackClient lean = new LoopbackClient("127.0.0.1", uri.getPort())) {
                    while (System.nanoTime() < end) {
                        int q = Math.floorMod(next.getAndIncrement(), bodies.length);
                        long t = System.nanoTime();
                        int status;
                        byte[] body;
                        if (JDK_CLIENT) {
                            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri)
                                            .POST(HttpRequest.BodyPublishers.ofString(bodies[q]))
                                            .header("Content-Type", "application/json").build(),
                                    HttpResponse.BodyHandlers.ofString());
                            status = r.statusCode();
                            body = r.body().getBytes(StandardCharsets.UTF_8);
                        } else {
                            LoopbackClient.Response r = lean.post(path, raw[q]);
                            status = r.status();
                            body = r.body();
                        }
                        long took = System.nanoTime() - t;
                        if (status != 200) {
                            errors[me]++;
                            continue;
                        }
                        if (answered[me] < mine.length) {
                            mine[answered[me]] = took;
                        }
                        answered[me]++;
                        recallSums[me] += GroundTruth.recall(truth, q, K, QueryBodies.ids(status, body));
                    }
                } catch (IOException | InterruptedException e) {
                    errors[me]++;
                } finally {
                    done.countDown();
                }
            }, "http-bench-client-" + c).start();
        }
        done.await();
        double elapsed = (System.nanoTime() - start) / 1e9;
        int total = 0;
        int failed = 0;
        double recall = 0;
        for (int c = 0; c < clients; c++) {
            total += answered[c];
            failed += errors[c];
            recall += recallSums[c];
        }
        long[] all = new long[total];
        int at = 0;
        for (int c = 0; c < clients; c++) {
            int kept = Math.min(answered[c], latencies.get(c).length);
            System.arraycopy(latencies.get(c), 0, all, at, kept);
            at += kept;
        }
        Percentiles p = Percentiles.of(Arrays.copyOf(all, at));
        double qps = total / elapsed;
        System.out.printf(Locale.ROOT, "| %d | %d | %.0f | %.3f | %.3f | %.4f | %d | %s |%n", clients, run + 1, qps,
                p.p50Millis(), p.p99Millis(), total == 0 ? 0 : recall / total, failed, loadAverage());
        return qps;
    }

    // --- helpers --------------------------------------------------------------------------

    private static Map<Long, Long> threadCpuTimes() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<Long, Long> out = new HashMap<>();
        for (long id : threads.getAllThreadIds()) {
            out.put(id, threads.getThreadCpuTime(id));
        }
        return out;
    }

    /**
     * Where the CPU time of a batch went: per group of Java threads (names with the numbers taken
     * out), and the rest of the process (GC, JIT compilers, the VM's own threads).
     */
    private static String cpuByThreadGroup(Map<Long, Long> before, long processNanos, int requests) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<String, Long> groups = new TreeMap<>();
        long javaThreads = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long now = threads.getThreadCpuTime(info.getThreadId());
            long used = now - before.getOrDefault(info.getThreadId(), 0L);
            if (now < 0 || used <= 0) {
                continue;
            }
            groups.merge(info.getThreadName().replaceAll("\\d+", "N"), used, Long::sum);
            javaThreads += used;
        }
        StringBuilder b = new StringBuilder();
        groups.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(8)
                .forEach(e -> b.append(String.format(Locale.ROOT, "%s %.0f, ", e.getKey(), e.getValue() / 1e3 / requests)));
        b.append(String.format(Locale.ROOT, "outside Java threads (GC, JIT, VM) %.0f",
                (processNanos - javaThreads) / 1e3 / requests));
        return b.toString();
    }

    private static HttpResponse<String> post(HttpClient http, String uri, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofMinutes(5))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The system's one-minute load average, as the table prints it. */
    private static String loadAverage() {
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return load < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", load);
    }

    private static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private HttpBench() {}
}
