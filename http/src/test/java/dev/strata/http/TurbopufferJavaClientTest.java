package dev.strata.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.turbopuffer.client.TurbopufferClient;
import com.turbopuffer.client.okhttp.TurbopufferOkHttpClient;
import com.turbopuffer.errors.BadRequestException;
import com.turbopuffer.errors.NotFoundException;
import com.turbopuffer.errors.PermissionDeniedException;
import com.turbopuffer.errors.UnauthorizedException;
import com.turbopuffer.models.ClientNamespacesParams;
import com.turbopuffer.models.NamespaceSummary;
import com.turbopuffer.models.namespaces.AttributeSchemaConfig;
import com.turbopuffer.models.namespaces.DistanceMetric;
import com.turbopuffer.models.namespaces.Filter;
import com.turbopuffer.models.namespaces.NamespaceMetadata;
import com.turbopuffer.models.namespaces.NamespaceMultiQueryParams;
import com.turbopuffer.models.namespaces.NamespaceMultiQueryResponse;
import com.turbopuffer.models.namespaces.NamespaceQueryParams;
import com.turbopuffer.models.namespaces.NamespaceQueryResponse;
import com.turbopuffer.models.namespaces.NamespaceRecallParams;
import com.turbopuffer.models.namespaces.NamespaceRecallResponse;
import com.turbopuffer.models.namespaces.NamespaceWriteParams;
import com.turbopuffer.models.namespaces.NamespaceWriteResponse;
import com.turbopuffer.models.namespaces.Query;
import com.turbopuffer.models.namespaces.RankBy;
import com.turbopuffer.models.namespaces.RankByAttributeOrder;
import com.turbopuffer.models.namespaces.Row;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end with the official turbopuffer Java client ({@code com.turbopuffer:turbopuffer-java}),
 * response validation on, against a started node that requires an API key.
 */
class TurbopufferJavaClientTest {

    @TempDir
    static Path dir;

    static TestServer server;
    static TurbopufferClient client;

    @BeforeAll
    static void start() {
        server = new TestServer(dir, """
                strata.http.api-keys = [{key = "k"}, {key = "limited", namespace-prefixes = ["lim-"]}]
                """);
        client = clientWith("k");
    }

    static TurbopufferClient clientWith(String key) {
        return TurbopufferOkHttpClient.builder()
                .baseUrl(server.base())
                .apiKey(key)
                .maxRetries(0)
                .timeout(Duration.ofSeconds(30))
                .responseValidation(true)
                .build();
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    private static NamespaceWriteResponse writeRows(String ns, int from, int to) {
        NamespaceWriteParams.Builder write = NamespaceWriteParams.builder().distanceMetric(DistanceMetric.EUCLIDEAN_SQUARED);
        for (int i = from; i < to; i++) {
            write.addUpsertRow(Row.builder()
                    .put("id", (long) i)
                    .put("vector", List.of((double) i, 0.5))
                    .put("color", i % 2 == 0 ? "red" : "blue")
                    .put("n", (long) i)
                    .build());
        }
        return client.namespace(ns).write(write.build());
    }

    private static List<Long> ids(List<Row> rows) {
        List<Long> out = new ArrayList<>();
        for (Row r : rows) {
            out.add(r.get("id").convert(Long.class));
        }
        return out;
    }

    @Test
    void writesAndQueries() {
        NamespaceWriteResponse w = writeRows("java-e2e", 0, 10);
        assertEquals(10, w.rowsAffected());
        assertEquals(10L, w.rowsUpserted().orElseThrow());

        NamespaceQueryResponse nearest = client.namespace("java-e2e").query(NamespaceQueryParams.builder()
                .rankBy(RankBy.vector("vector", List.of(4f, 0.5f)))
                .topK(3)
                .includeAttributes(List.of("color"))
                .build());
        List<Row> rows = nearest.rows().orElseThrow();
        assertEquals(4L, ids(rows).get(0));
        assertEquals("red", rows.get(0).get("color").convert(String.class));
        assertEquals(0.0, rows.get(0).get("$dist").convert(Double.class), 1e-6);
        assertTrue(List.of("hot", "warm", "cold").contains(nearest.performance().cacheTemperature()));

        NamespaceQueryResponse ordered = client.namespace("java-e2e").query(NamespaceQueryParams.builder()
                .rankBy(RankBy.attribute("n", RankByAttributeOrder.DESC))
                .filters(Filter.and(Filter.eq("color", "blue"), Filter.lt("n", 8L)))
                .topK(2)
                .build());
        assertEquals(List.of(7L, 5L), ids(ordered.rows().orElseThrow()));
        assertFalse(ordered.rows().orElseThrow().get(0).containsKey("$dist"));

        NamespaceWriteResponse patched = client.namespace("java-e2e").write(NamespaceWriteParams.builder()
                .addPatchRow(Row.builder().put("id", 1L).put("color", "green").build())
                .deletes(List.of(2L, 3L))
                .build());
        assertEquals(2L, patched.rowsDeleted().orElseThrow());
        NamespaceQueryResponse after = client.namespace("java-e2e").query(NamespaceQueryParams.builder()
                .rankBy(RankBy.attribute("id", RankByAttributeOrder.ASC)).topK(100).includeAttributes(true).build());
        List<Row> all = after.rows().orElseThrow();
        assertEquals(List.of(0L, 1L, 4L, 5L, 6L, 7L, 8L, 9L), ids(all));
        assertEquals("green", all.get(1).get("color").convert(String.class));
    }

    @Test
    void listsNamespacesPageByPage() {
        for (String ns : List.of("pg-1", "pg-2", "pg-3")) {
            writeRows(ns, 0, 1);
        }
        List<String> seen = new ArrayList<>();
        for (NamespaceSummary s : client.namespaces(ClientNamespacesParams.builder().prefix("pg-").pageSize(2).build())
                .autoPager()) {
            seen.add(s.id());
        }
        assertEquals(List.of("pg-1", "pg-2", "pg-3"), seen);
    }

    @Test
    void errorsArriveAsTheClientsTypedExceptions() {
        writeRows("java-err", 0, 2);
        BadRequestException dims = assertThrows(BadRequestException.class, () -> client.namespace("java-err")
                .write(NamespaceWriteParams.builder()
                        .addUpsertRow(Row.builder().put("id", 9L).put("vector", List.of(1.0, 2.0, 3.0)).build())
                        .build()));
        assertEquals(400, dims.statusCode());
        assertThrows(NotFoundException.class, () -> client.namespace("java-never").query(NamespaceQueryParams.builder()
                .rankBy(RankBy.attribute("id", RankByAttributeOrder.ASC)).build()));
        TurbopufferClient wrong = clientWith("not-a-key");
        TurbopufferClient limited = clientWith("limited");
        try {
            assertThrows(UnauthorizedException.class, () -> wrong.namespace("java-err").query(
                    NamespaceQueryParams.builder().rankBy(RankBy.attribute("id", RankByAttributeOrder.ASC)).build()));
            assertThrows(PermissionDeniedException.class, () -> limited.namespace("java-err").query(
                    NamespaceQueryParams.builder().rankBy(RankBy.attribute("id", RankByAttributeOrder.ASC)).build()));
        } finally {
            wrong.close();
            limited.close();
        }
    }

    @Test
    void metadataAndSchema() {
        client.namespace("java-meta").write(NamespaceWriteParams.builder()
                .addUpsertRow(Row.builder().put("id", 1L).put("vector", List.of(1.0, 0.0)).put("name", "a").build())
                .distanceMetric(DistanceMetric.COSINE_DISTANCE)
                .schema(new com.turbopuffer.models.namespaces.Schema(Map.of("name",
                        AttributeSchemaConfig.builder().type("string").filterable(true).build())))
                .build());
        NamespaceMetadata meta = client.namespace("java-meta").metadata();
        assertEquals(1, meta.approxRowCount());
        assertFalse(meta.createdAt().isAfter(java.time.OffsetDateTime.now()), meta.toString());
        assertTrue(meta.schema()._additionalProperties().containsKey("vector"), meta.toString());
        var schema = client.namespace("java-meta").schema();
        assertTrue(schema.containsKey("name"), schema.toString());
        assertEquals(Optional.of(true), schema.get("vector").ann(), schema.toString());
        assertEquals(Optional.of("[2]f32"), schema.get("vector").type(), schema.toString());
        assertEquals(Optional.of("string"), schema.get("name").type(), schema.toString());
        assertThrows(NotFoundException.class, () -> client.namespace("java-meta-none").schema());
        var updated = client.namespace("java-meta").updateSchema(
                com.turbopuffer.models.namespaces.NamespaceUpdateSchemaParams.builder()
                        .schema(new com.turbopuffer.models.namespaces.Schema(Map.of("extra",
                                AttributeSchemaConfig.builder().type("[]int").build())))
                        .build());
        assertTrue(updated.containsKey("extra"), updated.toString());
    }

    @Test
    void multiQuery() {
        writeRows("java-multi", 0, 10);
        NamespaceMultiQueryResponse r = client.namespace("java-multi").multiQuery(NamespaceMultiQueryParams.builder()
                .addQuery(Query.builder().rankBy(RankBy.vector("vector", List.of(0f, 0.5f))).topK(2L).build())
                .addQuery(Query.builder().rankBy(RankBy.attribute("n", RankByAttributeOrder.DESC)).topK(1L).build())
                .build());
        assertEquals(List.of(0L, 1L), ids(r.results().get(0).rows().orElseThrow()));
        assertEquals(List.of(9L), ids(r.results().get(1).rows().orElseThrow()));
    }

    @Test
    void warmAndRecall() {
        writeRows("java-warm", 0, 20);
        client.namespace("java-warm").hintCacheWarm();
        NamespaceRecallResponse recall = client.namespace("java-warm").recall(NamespaceRecallParams.builder()
                .num(5).topK(3).build());
        assertTrue(recall.avgRecall() > 0 && recall.avgRecall() <= 1);
    }

    @Test
    void deleteAll() {
        writeRows("java-del", 0, 2);
        client.namespace("java-del").deleteAll();
        assertThrows(NotFoundException.class, () -> client.namespace("java-del").query(NamespaceQueryParams.builder()
                .rankBy(RankBy.attribute("id", RankByAttributeOrder.ASC)).build()));
    }
}
