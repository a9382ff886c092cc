package dev.strata.http.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.http.deploy.RepositoryFiles;
import java.net.http.HttpResponse;
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
        assertTrue(response.body().contains("strata_thread_pool_threads{pool=\"io\"}"), response.body());
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
