package dev.strata.http.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.http.deploy.RepositoryFiles;
import dev.strata.actors.namespace.NamespaceEntity;
import dev.strata.actors.namespace.NamespaceProtocol;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.pattern.StatusReply;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /metrics} of a running node: formats, and the families the node exports now. */
class MetricsEndpointTest {

    @TempDir
    static Path tmp;

    private static ScrapedServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new ScrapedServer(tmp);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void servesThePrometheusTextFormatByDefault() throws Exception {
        HttpResponse<String> response = server.scrape(null);
        assertEquals(200, response.statusCode());
        String type = response.headers().firstValue("Content-Type").orElseThrow();
        assertTrue(type.startsWith("text/plain") && type.contains("version=0.0.4"), type);
        assertFalse(response.body().contains("# EOF"), "text format has no EOF marker");
        // The node is an Up member of a one-node cluster; the storage stack has read nothing yet.
        assertTrue(response.body().contains("strata_cluster_members{status=\"up\"} 1"), response.body());
        assertTrue(response.body().contains("strata_cache_hits_total{tier=\"memory\"} 0"), response.body());
        assertTrue(response.body().contains("jvm_memory_used_bytes{area=\"heap\"}"), response.body());
        for (String pool : new String[] {"io", "compute", "indexer"}) {
            assertTrue(response.body().contains("strata_thread_pool_threads{pool=\"" + pool + "\"}"), response.body());
        }
    }

    @Test
    void servesOpenMetricsWhenTheScraperAsksForIt() throws Exception {
        HttpResponse<String> response = server.scrape("application/openmetrics-text; version=1.0.0; charset=utf-8");
        assertEquals(200, response.statusCode());
        String type = response.headers().firstValue("Content-Type").orElseThrow();
        assertTrue(type.startsWith("application/openmetrics-text"), type);
        assertTrue(response.body().stripTrailing().endsWith("# EOF"), "OpenMetrics ends with # EOF");
    }

    /**
     * Every series a Grafana panel or an alert rule queries exists on a running node, with the
     * label values the query selects: a renamed metric or label breaks this test, not a dashboard.
     */
    @Test
    void everyMetricAndLabelValueTheDashboardAndAlertsUseIsExported() throws Exception {
        Map<String, Set<String>> exported = samples(server.scrape(null).body());
        List<String> expressions = new ArrayList<>();
        JsonNode dashboard = new ObjectMapper().readTree(RepositoryFiles.read("k8s/monitoring/strata-dashboard.json"));
        dashboard.findValues("expr").forEach(e -> expressions.add(e.asText()));
        dashboard.findValues("query").stream().filter(JsonNode::isTextual).forEach(q -> expressions.add(q.asText()));
        Map<String, Object> rule = RepositoryFiles.document("k8s/monitoring/prometheusrule.yaml", "PrometheusRule");
        List<Map<String, Object>> groups = RepositoryFiles.at(rule, "spec", "groups");
        int alerts = 0;
        for (Map<String, Object> group : groups) {
            List<Map<String, Object>> rules = RepositoryFiles.at(group, "rules");
            for (Map<String, Object> r : rules) {
                expressions.add(String.valueOf(r.get("expr")));
                alerts++;
            }
        }
        assertTrue(expressions.size() > 40 && alerts >= 5, expressions.size() + " expressions, " + alerts + " alerts");

        Pattern metric = Pattern.compile("\\b((?:strata|jvm|process)_[a-z0-9_]+)\\b(\\{[^}]*})?");
        Pattern matcher = Pattern.compile("(\\w+)\\s*(=~|=)\\s*\"([^\"]*)\"");
        Set<String> used = new TreeSet<>();
        for (String expr : expressions) {
            Matcher m = metric.matcher(expr);
            while (m.find()) {
                String name = m.group(1);
                used.add(name);
                assertTrue(exported.containsKey(name), name + " (in: " + expr + ") is not exported");
                if (m.group(2) == null) {
                    continue;
                }
                Matcher label = matcher.matcher(m.group(2));
                while (label.find()) {
                    if (label.group(1).equals("instance") || label.group(3).contains("$")) {
                        continue;
                    }
                    List<String> values = label.group(2).equals("=~") ? List.of(label.group(3).split("\\|"))
                            : List.of(label.group(3));
                    for (String value : values) {
                        String pair = label.group(1) + "=\"" + value + "\"";
                        assertTrue(exported.get(name).contains(pair), name + " has no series with " + pair
                                + " (in: " + expr + "); it has " + exported.get(name));
                    }
                }
            }
        }
        assertTrue(used.size() > 30, "metrics used: " + used);
    }

    /** Sample name → the label pairs ({@code key="value"}) seen on its samples. */
    private static Map<String, Set<String>> samples(String text) {
        Map<String, Set<String>> samples = new HashMap<>();
        Pattern line = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s");
        Pattern pair = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");
        for (String l : text.split("\n")) {
            if (l.startsWith("#") || l.isBlank()) {
                continue;
            }
            Matcher m = line.matcher(l);
            if (!m.find()) {
                continue;
            }
            Set<String> pairs = samples.computeIfAbsent(m.group(1), k -> new HashSet<>());
            if (m.group(3) != null) {
                Matcher p = pair.matcher(m.group(3));
                while (p.find()) {
                    pairs.add(p.group(1) + "=\"" + p.group(2) + "\"");
                }
            }
        }
        return samples;
    }

    @Test
    void apiRequestsAreCountedByOperationAndStatusWithoutTheNamespaceName() throws Exception {
        String before = server.scrape(null).body();
        double writes4xx = sample(before, "strata_requests_total{operation=\"write\",status_class=\"4xx\"}");
        double other2xx = sample(before, "strata_requests_total{operation=\"other\",status_class=\"2xx\"}");
        assertEquals(200, server.send(HttpRequest.newBuilder(server.uri("/strata/health"))).statusCode());
        // No write route on this node yet, or a bad body once there is: a 4xx either way.
        HttpResponse<String> write = server.send(HttpRequest.newBuilder(server.uri("/v2/namespaces/secret-tenant-name"))
                .POST(HttpRequest.BodyPublishers.ofString("not json")));
        assertTrue(write.statusCode() >= 400 && write.statusCode() < 500, write.statusCode() + " " + write.body());

        String after = server.scrape(null).body();
        assertEquals(writes4xx + 1, sample(after, "strata_requests_total{operation=\"write\",status_class=\"4xx\"}"));
        assertTrue(sample(after, "strata_requests_total{operation=\"other\",status_class=\"2xx\"}") >= other2xx + 1);
        assertFalse(after.contains("secret-tenant-name"), "a namespace name leaked into a label");
    }

    @Test
    void shardsAndNamespacesOnThisNodeArePolledFromTheShardRegion() throws Exception {
        ActorSystem<Void> system = server.server().system();
        EntityRef<NamespaceProtocol.Command> ns = ClusterSharding.get(system)
                .entityRefFor(NamespaceEntity.TYPE_KEY, "metrics-test");
        // Any command starts the entity; the answer itself does not matter here.
        ns.<StatusReply<NamespaceProtocol.NamespaceMetadata>>ask(NamespaceProtocol.Describe::new, Duration.ofSeconds(20))
                .toCompletableFuture().handle((r, e) -> null).get(30, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String body = server.scrape(null).body();
        // The poll sets the two gauges one after the other, and a scrape may fall between them.
        while ((sample(body, "strata_namespaces_active") < 1 || sample(body, "strata_shards") < 1)
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
            body = server.scrape(null).body();
        }
        assertEquals(1, sample(body, "strata_namespaces_active"), body);
        assertEquals(1, sample(body, "strata_shards"));
    }

    @Test
    void writesAndQueriesThroughTheApiFeedTheNamespaceSeries() throws Exception {
        String before = server.scrape(null).body();
        // The namespace the sharding test starts too, so either order leaves one entity active.
        HttpResponse<String> write = server.send(HttpRequest.newBuilder(server.uri("/v2/namespaces/metrics-test"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"upsert_rows":[{"id":1,"vector":[0.1,0.2]},{"id":2,"vector":[0.3,0.4]}],
                         "distance_metric":"euclidean_squared"}""")));
        assertEquals(200, write.statusCode(), write.body());
        HttpResponse<String> query = server.send(HttpRequest.newBuilder(server.uri("/v2/namespaces/metrics-test/query"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"rank_by":["vector","ANN",[0.1,0.2]],"top_k":2}""")));
        assertEquals(200, query.statusCode(), query.body());

        String after = server.scrape(null).body();
        String rows = "strata_write_rows_total{operation=\"upsert\"}";
        assertEquals(sample(before, rows) + 2, sample(after, rows));
        String commits = "strata_wal_commit_duration_seconds_count";
        assertTrue(sample(after, commits) >= sample(before, commits) + 1, after);
        assertTrue(sample(after, "strata_write_bytes_total") > sample(before, "strata_write_bytes_total"), after);
        String acks = "strata_write_ack_duration_seconds_count";
        assertEquals(sample(before, acks) + 1, sample(after, acks));
        double queries = 0;
        for (String t : new String[] {"hot", "warm", "cold"}) {
            String series = "strata_queries_total{kind=\"ann\",temperature=\"" + t + "\"}";
            queries += sample(after, series) - sample(before, series);
        }
        assertEquals(1, queries, after);
        assertTrue(sample(after, "strata_namespace_hydrations_total{outcome=\"success\"}") >= 1, after);
    }

    private static double sample(String body, String series) {
        for (String line : body.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        throw new AssertionError("no series " + series);
    }

    @Test
    void objectStoreRequestsAreCountedByOperationAndOutcome() throws Exception {
        // Starting a node lists nothing yet; every operation/outcome series exists at 0 or more.
        String body = server.scrape(null).body();
        for (String op : new String[] {"get", "get_range", "put", "create_if_absent", "head", "list", "delete"}) {
            for (String outcome : new String[] {"success", "not_found", "conflict", "error"}) {
                assertTrue(body.contains("strata_object_store_requests_total{operation=\"" + op + "\",outcome=\""
                        + outcome + "\"}"), op + "/" + outcome);
            }
        }
    }
}
