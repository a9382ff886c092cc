package dev.strata.http.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.actors.namespace.NamespaceMetrics.QueryKind;
import dev.strata.http.metrics.StrataMetrics.Operation;
import dev.strata.http.metrics.StrataMetrics.Rejection;
import dev.strata.tiering.store.MeteredObjectStore;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The recording methods land in the series the dashboard reads, with bounded labels. */
class StrataMetricsTest {

    private final StrataMetrics metrics = new StrataMetrics();

    private String scrape() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, metrics.registry().scrape());
        return out.toString(StandardCharsets.UTF_8);
    }

    private double value(String series) throws Exception {
        for (String line : scrape().split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        throw new AssertionError("no series " + series);
    }

    @Test
    void requestsAreCountedByOperationAndStatusClassAndTrackedInFlight() throws Exception {
        metrics.requestStarted(Operation.QUERY);
        assertEquals(1, value("strata_requests_in_flight{operation=\"query\"}"));
        metrics.requestFinished(Operation.QUERY, 503, 2_000_000);
        metrics.requestRejected(Operation.QUERY, Rejection.CONCURRENCY_LIMIT);
        assertEquals(0, value("strata_requests_in_flight{operation=\"query\"}"));
        assertEquals(1, value("strata_requests_total{operation=\"query\",status_class=\"5xx\"}"));
        assertEquals(0, value("strata_requests_total{operation=\"query\",status_class=\"2xx\"}"));
        assertEquals(1, value("strata_requests_rejected_total{operation=\"query\",reason=\"concurrency_limit\"}"));
        assertEquals(0.002, value("strata_request_duration_seconds_sum{operation=\"query\"}"), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> metrics.requestFinished(Operation.QUERY, 42, 0));
    }

    @Test
    void requestsAreClassifiedByThePathShapeNotTheNamespace() {
        assertEquals(Operation.WRITE, RequestMetrics.classify("POST", "/v2/namespaces/my-ns"));
        assertEquals(Operation.DELETE_NAMESPACE, RequestMetrics.classify("DELETE", "/v2/namespaces/my-ns"));
        assertEquals(Operation.QUERY, RequestMetrics.classify("POST", "/v2/namespaces/my-ns/query"));
        assertEquals(Operation.EXPLAIN, RequestMetrics.classify("POST", "/v2/namespaces/my-ns/explain_query"));
        assertEquals(Operation.METADATA, RequestMetrics.classify("GET", "/v2/namespaces/query/metadata"));
        assertEquals(Operation.METADATA, RequestMetrics.classify("HEAD", "/v1/namespaces/ns"));
        assertEquals(Operation.SCHEMA, RequestMetrics.classify("POST", "/v1/namespaces/ns/schema"));
        assertEquals(Operation.LIST_NAMESPACES, RequestMetrics.classify("GET", "/v1/namespaces"));
        assertEquals(Operation.WARM_CACHE, RequestMetrics.classify("GET", "/v1/namespaces/ns/hint_cache_warm"));
        assertEquals(Operation.RECALL, RequestMetrics.classify("POST", "/v1/namespaces/ns/_debug/recall"));
        assertEquals(Operation.OTHER, RequestMetrics.classify("GET", "/metrics"));
        assertEquals(Operation.OTHER, RequestMetrics.classify("GET", "/"));
        assertEquals(Operation.OTHER, RequestMetrics.classify("POST", "/v2/namespaces/ns/unknown"));
    }

    @Test
    void queriesAreCountedByKindAndTemperature() throws Exception {
        metrics.queryCompleted(QueryKind.ANN, "cold", 300_000_000);
        metrics.queryCompleted(QueryKind.ANN, "hot", 1_000_000);
        assertEquals(1, value("strata_queries_total{kind=\"ann\",temperature=\"cold\"}"));
        assertEquals(1, value("strata_queries_total{kind=\"ann\",temperature=\"hot\"}"));
        assertEquals(0, value("strata_queries_total{kind=\"ann\",temperature=\"warm\"}"));
        assertEquals(1, value("strata_query_duration_seconds_bucket{kind=\"ann\",temperature=\"cold\",le=\"0.5\"}"));
        assertEquals(0, value("strata_query_duration_seconds_bucket{kind=\"ann\",temperature=\"cold\",le=\"0.25\"}"));
    }

    @Test
    void writesIndexingAndEntitiesFeedTheirSeries() throws Exception {
        metrics.writeAcknowledged(10, 2, 1, 20_000_000);
        metrics.walCommitted(3, 4096, 15_000_000);
        metrics.unindexedBytesChanged(4096);
        metrics.unindexedBytesChanged(-1000);
        metrics.indexJobFinished(false, 2_000_000_000L);
        metrics.indexingBacklogChanged(2);
        metrics.hydrated(true, 50_000_000);
        metrics.passivated();
        assertEquals(10, value("strata_write_rows_total{operation=\"upsert\"}"));
        assertEquals(1, value("strata_write_rows_total{operation=\"delete\"}"));
        assertEquals(4096, value("strata_write_bytes_total"));
        assertEquals(3, value("strata_wal_group_commit_writes_sum"));
        assertEquals(3096, value("strata_unindexed_bytes"));
        assertEquals(1, value("strata_indexing_duration_seconds_count"));
        assertEquals(0, value("strata_compaction_duration_seconds_count"));
        assertEquals(2, value("strata_indexing_backlog"));
        assertEquals(1, value("strata_namespace_hydrations_total{outcome=\"success\"}"));
        assertEquals(1, value("strata_namespace_passivations_total"));
    }

    @Test
    void objectStoreRequestsAreCountedThroughTheListener() throws Exception {
        MeteredObjectStore.Listener listener = metrics.objectStoreListener();
        listener.completed(MeteredObjectStore.Operation.GET_RANGE, MeteredObjectStore.Outcome.SUCCESS, 5_000_000, 8192);
        listener.completed(MeteredObjectStore.Operation.CREATE_IF_ABSENT, MeteredObjectStore.Outcome.CONFLICT, 1, 100);
        assertEquals(1, value("strata_object_store_requests_total{operation=\"get_range\",outcome=\"success\"}"));
        assertEquals(1, value("strata_object_store_requests_total{operation=\"create_if_absent\",outcome=\"conflict\"}"));
        assertEquals(8192, value("strata_object_store_bytes_total{direction=\"read\"}"));
        assertEquals(100, value("strata_object_store_bytes_total{direction=\"written\"}"));
        assertTrue(value("strata_object_store_request_duration_seconds_count{operation=\"get_range\"}") == 1);
    }
}
