package dev.strata.http.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
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
