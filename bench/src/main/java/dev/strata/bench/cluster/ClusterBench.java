package dev.strata.bench.cluster;

import dev.strata.bench.Percentiles;
import dev.strata.tiering.testing.S3ProxyServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

/**
 * Many nodes: (1) write and query throughput of a cluster of N Strata processes against one
 * S3-protocol bucket, driven over HTTP through all of them; (2) how long a namespace takes to
 * answer again after the process that owned it is killed with SIGKILL.
 *
 * <pre>
 *   bench/run dev.strata.bench.cluster.ClusterBench throughput NODES SECONDS CLIENTS
 *   bench/run dev.strata.bench.cluster.ClusterBench recovery ROUNDS STABLE_AFTER [KEY=VALUE...]
 * </pre>
 *
 * <p>Throughput: 20 namespaces; CLIENTS threads send, round-robin over the nodes, first only
 * writes (10 rows of 8 dimensions each) for SECONDS, then only strong top-10 ANN queries for
 * SECONDS. Recovery: per round a fresh 3-process cluster, 20 namespaces created and each probed
 * by a strong query every 50 ms through the two nodes that survive; the third is SIGKILLed. A
 * namespace's recovery time is from the kill to the first successful answer to a probe sent
 * after it; it is reported for the namespaces the killed node owned (read from its management
 * endpoint's shard list), pooled over the rounds. STABLE_AFTER is the split brain resolver's
 * {@code stable-after}, which dominates the figure (production default 20s); KEY=VALUE pairs are
 * further settings for the nodes.
 *
 * <p>The processes, the S3 server (in this JVM) and the client share the machine's cores.
 */
public final class ClusterBench {

    private static final int NAMESPACES = 20;
    private static final int DIMS = 8;
    private static final int BATCH = 10;

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            throw new IllegalArgumentException("usage: throughput NODES SECONDS CLIENTS | recovery ROUNDS STABLE_AFTER [KEY=VALUE...]");
        }
        Path logs = Files.createDirectories(Path.of("bench", "work", "cluster"));
        ClusterBench bench = new ClusterBench();
        try (S3ProxyServer s3 = S3ProxyServer.start("strata-cluster-bench")) {
            switch (args[0]) {
                case "throughput" -> bench.throughput(s3, logs, Integer.parseInt(args[1]), Integer.parseInt(args[2]),
                        Integer.parseInt(args[3]));
                case "recovery" -> bench.recovery(s3, logs, Integer.parseInt(args[1]), args[2],
                        Arrays.copyOfRange(args, 3, args.length));
                default -> throw new IllegalArgumentException("unknown mode " + args[0]);
            }
        }
        System.exit(0);
    }

    private static String namespace(int i) {
        return String.format("bench-%02d", i);
    }

    // ---- throughput

    private void throughput(S3ProxyServer s3, Path logs, int nodes, int seconds, int clients) throws Exception {
        try (NodeLauncher cluster = new NodeLauncher(nodes, s3, "tp" + nodes + "-" + System.nanoTime(), Map.of(), logs)) {
            long t0 = System.nanoTime();
            for (NodeLauncher.Node n : cluster.nodes()) {
                cluster.awaitMembers(n, cluster.nodes(), Duration.ofSeconds(120));
            }
            System.out.printf("%d node(s) up after %d ms%n", nodes, (System.nanoTime() - t0) / 1_000_000);
            List<URI> targets = cluster.nodes().stream().map(NodeLauncher.Node::http).toList();
            // Create every namespace and warm each node's route to it.
            for (int i = 0; i < NAMESPACES; i++) {
                for (URI t : targets) {
                    send(t, "/v2/namespaces/" + namespace(i), writeBody(i, 0), Duration.ofSeconds(60), true);
                }
            }
            AtomicLong rowIds = new AtomicLong(1_000);
            Phase writes = run(targets, seconds, clients, (target, ns) ->
                    send(target, "/v2/namespaces/" + namespace(ns), writeBody(ns, rowIds.getAndAdd(BATCH)),
                            Duration.ofSeconds(60), false));
            report(nodes, clients, "write (" + BATCH + " rows)", writes);
            Phase queries = run(targets, seconds, clients, (target, ns) ->
                    send(target, "/v2/namespaces/" + namespace(ns) + "/query", queryBody(), Duration.ofSeconds(60), false));
            report(nodes, clients, "strong query (top 10)", queries);
        }
    }

    private interface Op {
        boolean call(URI target, int namespace) throws Exception;
    }

    private record Phase(long ok, long failed, double seconds, Percentiles latency) {}

    private Phase run(List<URI> targets, int seconds, int clients, Op op) throws InterruptedException {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        AtomicLong failed = new AtomicLong();
        long[][] latencies = new long[clients][];
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            int client = c;
            Thread t = new Thread(() -> {
                long[] lat = new long[1 << 20];
                int n = 0;
                for (long i = client; System.nanoTime() < end && n < lat.length; i += clients) {
                    URI target = targets.get((int) (i % targets.size()));
                    int ns = ThreadLocalRandom.current().nextInt(NAMESPACES);
                    long s = System.nanoTime();
                    try {
                        if (op.call(target, ns)) {
                            lat[n++] = System.nanoTime() - s;
                        } else {
                            failed.incrementAndGet();
                        }
                    } catch (Exception e) {
                        failed.incrementAndGet();
                    }
                }
                // Read by the joining thread after join(), which orders this write before it.
                latencies[client] = Arrays.copyOf(lat, n);
            }, "cluster-bench-client-" + c);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        long[] all = Arrays.stream(latencies).flatMapToLong(Arrays::stream).toArray();
        return new Phase(all.length, failed.get(), elapsed, all.length == 0 ? null : Percentiles.of(all));
    }

    private static void report(int nodes, int clients, String what, Phase p) {
        System.out.printf("%d node(s), %d clients, %s: %.0f/s over %.0f s (%d ok, %d failed), latency p50 %.1f ms,"
                        + " p99 %.1f ms%n", nodes, clients, what, p.ok() / p.seconds(), p.seconds(), p.ok(), p.failed(),
                p.latency() == null ? 0 : p.latency().p50Millis(), p.latency() == null ? 0 : p.latency().p99Millis());
    }

    private static String writeBody(int ns, long firstId) {
        StringBuilder rows = new StringBuilder();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int j = 0; j < BATCH; j++) {
            StringBuilder v = new StringBuilder();
            for (int d = 0; d < DIMS; d++) {
                v.append(d == 0 ? "" : ",").append(random.nextFloat());
            }
            rows.append(j == 0 ? "" : ",").append("{\"id\":").append(firstId + j).append(",\"vector\":[").append(v)
                    .append("],\"ns\":").append(ns).append('}');
        }
        return "{\"upsert_rows\":[" + rows + "],\"distance_metric\":\"euclidean_squared\"}";
    }

    private static String queryBody() {
        StringBuilder v = new StringBuilder();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int d = 0; d < DIMS; d++) {
            v.append(d == 0 ? "" : ",").append(random.nextFloat());
        }
        return "{\"rank_by\":[\"vector\",\"ANN\",[" + v + "]],\"top_k\":10}";
    }

    /** POSTs JSON; true on 200. {@code mustSucceed} retries 503s for up to a minute. */
    private boolean send(URI target, String path, String body, Duration timeout, boolean mustSucceed) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (true) {
            HttpResponse<Void> r = client.send(HttpRequest.newBuilder(target.resolve(path)).timeout(timeout)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() == 200) {
                return true;
            }
            if (!mustSucceed) {
                return false;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(path + " answered " + r.statusCode());
            }
            Thread.sleep(200);
        }
    }

    // ---- recovery

    private void recovery(S3ProxyServer s3, Path logs, int rounds, String stableAfter, String[] extra) throws Exception {
        List<Long> recovered = new ArrayList<>();
        List<Long> downed = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            Map<String, String> settings = new java.util.LinkedHashMap<>();
            settings.put("pekko.cluster.split-brain-resolver.stable-after", stableAfter);
            // A probe lost with the dead node fails after this; later probes are what count.
            settings.put("strata.http.request-timeout", "5s");
            for (String kv : extra) {
                int eq = kv.indexOf('=');
                settings.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
            try (NodeLauncher cluster = new NodeLauncher(3, s3, "rec" + round + "-" + System.nanoTime(), settings, logs)) {
                List<NodeLauncher.Node> nodes = cluster.nodes();
                for (NodeLauncher.Node n : nodes) {
                    cluster.awaitMembers(n, nodes, Duration.ofSeconds(120));
                }
                List<URI> survivors = List.of(nodes.get(0).http(), nodes.get(1).http());
                for (int i = 0; i < NAMESPACES; i++) {
                    send(survivors.get(i % 2), "/v2/namespaces/" + namespace(i), writeBody(i, 0), Duration.ofSeconds(60), true);
                }
                NodeLauncher.Node victim = nodes.get(2);
                Set<String> victimShards = Set.copyOf(cluster.shards(victim));
                List<Integer> owned = IntStream.range(0, NAMESPACES)
                        .filter(i -> victimShards.contains(shardId(namespace(i)))).boxed().toList();
                // Probes: every 50 ms a strong query per namespace, not waiting for the last one.
                Map<Integer, Long> firstAnswer = new ConcurrentHashMap<>();
                long[] killAt = {Long.MAX_VALUE};
                AtomicLong sent = new AtomicLong();
                List<CompletableFuture<?>> inFlight = new ArrayList<>();
                Thread prober = new Thread(() -> {
                    while (!Thread.currentThread().isInterrupted()) {
                        for (int i : owned) {
                            long sentAt = System.nanoTime();
                            URI t = survivors.get((int) (sent.getAndIncrement() % 2));
                            int ns = i;
                            CompletableFuture<?> f = client.sendAsync(HttpRequest.newBuilder(
                                                    t.resolve("/v2/namespaces/" + namespace(ns) + "/query"))
                                            .timeout(Duration.ofSeconds(30))
                                            .header("Content-Type", "application/json")
                                            .POST(HttpRequest.BodyPublishers.ofString(queryBody())).build(),
                                    HttpResponse.BodyHandlers.discarding())
                                    .thenAccept(r -> {
                                        if (r.statusCode() == 200 && sentAt >= killAt[0]) {
                                            firstAnswer.merge(ns, System.nanoTime(), Math::min);
                                        }
                                    });
                            synchronized (inFlight) {
                                inFlight.add(f);
                            }
                        }
                        try {
                            Thread.sleep(50);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
                prober.start();
                Thread.sleep(1_000);
                killAt[0] = System.nanoTime();
                victim.process().destroyForcibly();
                cluster.awaitMembers(nodes.get(0), nodes.subList(0, 2), Duration.ofSeconds(120));
                long down = (System.nanoTime() - killAt[0]) / 1_000_000;
                long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                while (firstAnswer.size() < owned.size() && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                prober.interrupt();
                prober.join();
                List<Long> ms = owned.stream()
                        .map(i -> firstAnswer.containsKey(i) ? (firstAnswer.get(i) - killAt[0]) / 1_000_000 : -1L)
                        .sorted().toList();
                System.out.printf("round %d: killed node owned %d of %d namespaces; removed from the cluster (as the survivors see it) after"
                        + " %d ms; its namespaces answered again after (ms) %s%n", round, owned.size(), NAMESPACES, down, ms);
                ms.stream().filter(m -> m >= 0).forEach(recovered::add);
                downed.add(down);
            }
        }
        long[] nanos = recovered.stream().mapToLong(m -> m * 1_000_000).toArray();
        Percentiles p = Percentiles.of(nanos);
        System.out.printf("recovery (stable-after %s): %d namespaces over %d rounds: p50 %.0f ms, p99 %.0f ms,"
                        + " max %.0f ms; node removed after (ms) %s%n", stableAfter, p.count(), rounds, p.p50Millis(),
                p.p99Millis(), p.max() / 1e6, downed);
    }

    /** Cluster sharding's default shard of an entity id (Pekko's hash-code extractor, 1000 shards). */
    private static String shardId(String entityId) {
        return String.valueOf(Math.abs(entityId.hashCode() % 1000));
    }
}
