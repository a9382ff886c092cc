package dev.strata.http.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.http.testing.LocalCluster;
import dev.strata.http.testing.NodeProcess;
import dev.strata.tiering.testing.S3ProxyServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failover under load: three Strata processes on loopback share one S3-protocol bucket while a
 * client ({@link Workload}) writes to and queries 20 namespaces through all of them. One node is
 * stopped gracefully (SIGTERM: coordinated shutdown hands its shards off), a fourth node joins
 * and receives shards (least-shard allocation rebalances to it), then one node is killed
 * (SIGKILL: the split brain resolver downs it and its shards are allocated anew, their
 * namespaces hydrating from the bucket). After each stop the test measures, per namespace, how
 * long until it answered again, and prints it. Throughout, the client may see only retryable
 * failures (429/503, or a refused or reset connection to the node being stopped); afterwards
 * every acknowledged write is in its namespace, and every write that was not acknowledged is in
 * it completely or not at all.
 */
class FailoverTest {

    private static final int NAMESPACES = 20;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SHARDS = Pattern.compile("(?m)^strata_shards\\s+([0-9.eE+]+)");

    private static S3ProxyServer s3;

    /** Kept when the test fails: the nodes' logs are in it. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path tmp;

    @BeforeAll
    static void startS3() throws Exception {
        s3 = S3ProxyServer.start("strata-failover");
    }

    @AfterAll
    static void stopS3() {
        if (s3 != null) {
            s3.close();
        }
    }

    private static Map<String, String> settings() {
        Map<String, String> settings = new LinkedHashMap<>(s3.nodeSettings("failover"));
        // A request whose owner died answers 503 after 2 s (and the client retries), rather
        // than waiting the production minute.
        settings.put("strata.http.request-timeout", "2s");
        // Rebalance to a joining node within seconds (production: Pekko's 10 s).
        settings.put("pekko.cluster.sharding.rebalance-interval", "2s");
        settings.put("strata.metrics.sharding-poll-interval", "1s");
        return settings;
    }

    @Test
    void aGracefulStopAJoinAndACrashUnderLoadLoseNoAcknowledgedWrite() throws Exception {
        List<String> names = IntStream.range(0, NAMESPACES).mapToObj(i -> String.format("failover-%02d", i)).toList();
        try (LocalCluster cluster = LocalCluster.start(tmp, 3, settings())) {
            cluster.awaitMembersUp(Duration.ofSeconds(90));
            Workload load = new Workload(cluster.nodes().stream().map(NodeProcess::http).toList(), names);
            try {
                load.start();
                cluster.await(Duration.ofSeconds(60), () -> load.namespaces().values().stream()
                                .allMatch(n -> n.lastAckedK >= 2),
                        () -> "every namespace acknowledging writes; errors " + load.errors());
                assertEquals(List.of(), load.errors());

                // 1. SIGTERM: coordinated shutdown unbinds HTTP, hands the shards off, leaves.
                NodeProcess leaving = cluster.node(0);
                load.expectDown(leaving.http());
                long termAt = System.nanoTime();
                int exit = cluster.terminate(leaving, Duration.ofSeconds(30));
                long exitedMs = (System.nanoTime() - termAt) / 1_000_000;
                load.removeNode(leaving.http());
                Map<String, Long> afterTerm = awaitRecovered(cluster, load, termAt);
                System.out.printf("SIGTERM: node exited (code %d) after %d ms; %s%n", exit, exitedMs,
                        summary(afterTerm));
                assertEquals(List.of(), load.errors(), () -> "after SIGTERM only retryable failures; logs in " + tmp);
                cluster.awaitMembersUp(Duration.ofSeconds(30));

                // 2. A fourth node joins and receives shards.
                NodeProcess joined = cluster.addNode(settings());
                long joinAt = System.nanoTime();
                cluster.awaitMembersUp(Duration.ofSeconds(90));
                load.addNode(joined.http());
                cluster.await(Duration.ofSeconds(60), () -> shards(cluster, joined) > 0,
                        () -> "the joined node hosting shards");
                System.out.printf("join: node up and hosting %d shards after %d ms%n", shards(cluster, joined),
                        (System.nanoTime() - joinAt) / 1_000_000);
                // Let the rebalance finish before the crash: a node that dies while handing a shard
                // off leaves that shard unallocated until Pekko's handoff-timeout (a minute), which
                // is not what this test measures (see BENCHMARKS.md, "Many nodes").
                List<NodeProcess> living = List.of(cluster.node(1), cluster.node(2), joined);
                int distinct = (int) names.stream().map(n -> Math.abs(n.hashCode() % 1000)).distinct().count();
                cluster.await(Duration.ofSeconds(60), () -> balanced(cluster, living, distinct),
                        () -> "the " + distinct + " shards balanced over the three living nodes");
                System.out.printf("join: shards balanced (%s) after %d ms%n",
                        living.stream().map(n -> shards(cluster, n)).toList(), (System.nanoTime() - joinAt) / 1_000_000);

                // 3. SIGKILL: no hand-off; the survivors down the node and allocate its shards anew.
                NodeProcess victim = cluster.node(1);
                int victimShards = shards(cluster, victim);
                load.expectDown(victim.http());
                long killAt = System.nanoTime();
                cluster.kill(victim);
                Map<String, Long> afterKill = awaitRecovered(cluster, load, killAt);
                load.removeNode(victim.http());
                System.out.printf("SIGKILL of a node hosting %d shards: %s%n", victimShards, summary(afterKill));
                // Keep the load on a little, so namespaces that moved serve writes again.
                Thread.sleep(2_000);
            } finally {
                load.close();
            }
            assertEquals(List.of(), load.errors(), () -> "only retryable failures; logs in " + tmp);
            System.out.printf("client: %d requests, %d retryable failures, %d acknowledged writes%n",
                    load.requests(), load.retryableFailures(), load.ackedWrites());
            verify(cluster, cluster.node(2), load);
        }
    }

    /** Waits until every namespace has answered a request sent after {@code since}; per namespace, after how long. */
    private static Map<String, Long> awaitRecovered(LocalCluster cluster, Workload load, long since)
            throws InterruptedException {
        cluster.await(Duration.ofSeconds(60), () -> load.recoveredAfter(since).values().stream().allMatch(Objects::nonNull),
                () -> "every namespace answering again (" + load.recoveredAfter(since) + "); errors " + load.errors());
        return load.recoveredAfter(since);
    }

    private static String summary(Map<String, Long> recovered) {
        List<Long> ms = recovered.values().stream().sorted().toList();
        return String.format("every namespace answered again; per namespace p50 %d ms, max %d ms (sorted: %s)",
                ms.get(ms.size() / 2), ms.get(ms.size() - 1), ms);
    }

    /**
     * Whether {@code nodes} together host all {@code total} shards, their counts differing by at
     * most one: least-shard allocation then starts no further rebalance.
     */
    private static boolean balanced(LocalCluster cluster, List<NodeProcess> nodes, int total) {
        List<Integer> counts = nodes.stream().map(n -> shards(cluster, n)).toList();
        int sum = counts.stream().mapToInt(Integer::intValue).sum();
        return sum == total && counts.stream().mapToInt(Integer::intValue).max().orElse(0)
                - counts.stream().mapToInt(Integer::intValue).min().orElse(0) <= 1;
    }

    private static int shards(LocalCluster cluster, NodeProcess node) {
        return cluster.getText(node.http().resolve("/metrics"))
                .map(SHARDS::matcher)
                .filter(Matcher::find)
                .map(m -> (int) Double.parseDouble(m.group(1)))
                .orElse(0);
    }

    /**
     * Reads every namespace back through {@code via} (a strong query for all rows) and checks it
     * against what the client was told.
     */
    private static void verify(LocalCluster cluster, NodeProcess via, Workload load) throws Exception {
        long acked = 0;
        long refusedPresent = 0;
        long refusedAbsent = 0;
        for (Workload.Namespace ns : load.namespaces().values()) {
            Set<Long> found = allIds(cluster, via, ns.name);
            Set<Long> written = new HashSet<>();
            for (Workload.Attempt a : ns.attempts) {
                written.addAll(a.ids());
                long present = a.ids().stream().filter(found::contains).count();
                if (a.acked()) {
                    acked++;
                    assertEquals(a.ids().size(), present, () -> ns.name + ": acknowledged write " + a + " lost");
                } else if (present == 0) {
                    refusedAbsent++;
                } else {
                    refusedPresent++;
                    assertEquals(a.ids().size(), present, () -> ns.name + ": write " + a + " half applied");
                }
            }
            Set<Long> unknown = new TreeSet<>(found);
            unknown.removeAll(written);
            assertEquals(Set.of(), unknown, ns.name + ": rows nobody wrote");
        }
        assertTrue(acked > 0);
        System.out.printf("verified: %d acknowledged writes present; of the writes not acknowledged, %d applied"
                + " whole, %d not at all%n", acked, refusedPresent, refusedAbsent);
    }

    private static Set<Long> allIds(LocalCluster cluster, NodeProcess via, String namespace) throws Exception {
        String query = "{\"rank_by\":[\"n\",\"asc\"],\"top_k\":10000,\"consistency\":{\"level\":\"strong\"}}";
        for (int attempt = 0; attempt < 20; attempt++) {
            HttpResponse<String> r = cluster.postJson(via.http().resolve("/v2/namespaces/" + namespace + "/query"), query);
            if (r.statusCode() == 200) {
                Set<Long> ids = new TreeSet<>();
                for (JsonNode row : JSON.readTree(r.body()).path("rows")) {
                    ids.add(row.path("id").asLong());
                }
                assertTrue(ids.size() < 10000, namespace + ": more rows than one query returns");
                return ids;
            }
            if (r.statusCode() != 503 && r.statusCode() != 429) {
                fail(namespace + ": " + r.statusCode() + " " + r.body());
            }
            Thread.sleep(500);
        }
        throw new AssertionError(namespace + " did not answer the final read");
    }
}
