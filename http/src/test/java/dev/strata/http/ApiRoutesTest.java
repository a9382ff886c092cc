package dev.strata.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The turbopuffer API routes over real HTTP against one started node (open mode). */
class ApiRoutesTest {

    @TempDir
    static Path dir;

    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer(dir, """
                strata.http.max-request-size = 1MiB
                strata.namespace.writes.max-delete-by-filter = 5
                strata.namespace.writes.max-patch-by-filter = 5
                """);
        server.apiKey = null;
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String rows(int from, int to, int dims) {
        List<String> rows = new ArrayList<>();
        for (int i = from; i < to; i++) {
            StringBuilder v = new StringBuilder();
            for (int d = 0; d < dims; d++) {
                v.append(d == 0 ? "" : ",").append(d == 0 ? i : 0.5);
            }
            rows.add("{\"id\":" + i + ",\"vector\":[" + v + "],\"color\":\"" + (i % 2 == 0 ? "red" : "blue")
                    + "\",\"n\":" + i + "}");
        }
        return String.join(",", rows);
    }

    @Test
    void writeThenAnnQueryReturnsFlatRowsWithBillingAndPerformance() {
        JsonNode w = server.write("ann", "{\"upsert_rows\":[" + rows(0, 10, 3) + "],\"distance_metric\":\"euclidean_squared\"}");
        assertEquals("OK", w.get("status").asText());
        assertEquals(10, w.get("rows_affected").asInt());
        assertEquals(10, w.get("rows_upserted").asInt());
        assertTrue(w.get("billing").get("billable_logical_bytes_written").asLong() > 0);
        assertTrue(w.get("performance").has("server_total_ms"));

        JsonNode q = server.query("ann", "{\"rank_by\":[\"vector\",\"ANN\",[3,0.5,0.5]],\"top_k\":3,"
                + "\"include_attributes\":[\"color\"]}");
        JsonNode rows = q.get("rows");
        assertEquals(3, rows.size(), q.toString());
        assertEquals(3, rows.get(0).get("id").asInt());
        assertEquals(0.0, rows.get(0).get("$dist").asDouble(), 1e-6);
        assertEquals("blue", rows.get(0).get("color").asText());
        assertFalse(rows.get(0).has("n"), "only included attributes are returned");
        assertTrue(rows.get(1).get("$dist").asDouble() >= rows.get(0).get("$dist").asDouble());
        JsonNode perf = q.get("performance");
        assertEquals(10, perf.get("approx_namespace_size").asLong(), perf.toString());
        assertTrue(List.of("hot", "warm", "cold").contains(perf.get("cache_temperature").asText()), perf.toString());
        for (String f : List.of("cache_hit_ratio", "exhaustive_search_count", "query_execution_ms", "server_total_ms")) {
            assertTrue(perf.has(f), f);
        }
        assertTrue(q.get("billing").has("billable_logical_bytes_queried"));
        assertTrue(q.get("billing").get("billable_logical_bytes_returned").asLong() > 0);
    }

    @Test
    void requestsDoNotStartAThreadEach() {
        server.write("threads", "{\"upsert_rows\":[" + rows(0, 10, 2) + "],\"distance_metric\":\"cosine_distance\"}");
        String query = "{\"rank_by\":[\"vector\",\"ANN\",[1,0.5]],\"top_k\":3}";
        for (int i = 0; i < 20; i++) {
            server.query("threads", query); // let the pools reach their working size
        }
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getTotalStartedThreadCount();
        for (int i = 0; i < 100; i++) {
            server.query("threads", query);
            server.get("/v1/namespaces/threads/metadata");
        }
        long started = threads.getTotalStartedThreadCount() - before;
        // Continuations on the JDK's default async pool start a thread per task where the common
        // pool has parallelism 1 (two processors): 200 requests would start about 400 threads.
        assertTrue(started < 50, started + " threads started for 200 requests");
    }

    @Test
    void defaultIncludesOnlyTheIdAndTrueIncludesAll() {
        server.write("incl", "{\"upsert_rows\":[" + rows(0, 3, 2) + "],\"distance_metric\":\"cosine_distance\"}");
        JsonNode onlyId = server.query("incl", "{\"rank_by\":[\"id\",\"asc\"],\"top_k\":10}").get("rows");
        assertEquals(3, onlyId.size());
        assertEquals(1, onlyId.get(0).size(), onlyId.toString());
        JsonNode all = server.query("incl", "{\"rank_by\":[\"id\",\"asc\"],\"limit\":{\"total\":2},"
                + "\"include_attributes\":true}").get("rows");
        assertEquals(2, all.size());
        assertEquals("red", all.get(0).get("color").asText());
        assertEquals(0, all.get(0).get("n").asInt());
        assertFalse(all.get(0).has("$dist"), "order-by rows have no $dist");
    }

    @Test
    void orderByAttributeDescendingWithFilter() {
        server.write("order", "{\"upsert_rows\":[" + rows(0, 20, 2) + "],\"distance_metric\":\"cosine_distance\"}");
        JsonNode rows = server.query("order", "{\"rank_by\":[\"n\",\"desc\"],\"top_k\":3,"
                + "\"filters\":[\"And\",[[\"color\",\"Eq\",\"red\"],[\"n\",\"Lt\",15]]]}").get("rows");
        assertEquals(List.of(14, 12, 10), ids(rows));
    }

    @Test
    void upsertColumnsWithBase64VectorsPatchesAndDeletes() {
        String b64a = base64(1f, 0f);
        String b64b = base64(0f, 1f);
        server.write("cols", "{\"upsert_columns\":{\"id\":[\"a\",\"b\",\"c\"],\"vector\":[\"" + b64a + "\",\"" + b64b
                + "\",[0.7,0.7]],\"tag\":[\"x\",null,\"z\"]},\"distance_metric\":\"cosine_distance\"}");
        JsonNode nearest = server.query("cols", "{\"rank_by\":[\"vector\",\"ANN\",\"" + b64b + "\"],\"top_k\":1}");
        assertEquals("b", nearest.get("rows").get(0).get("id").asText());

        JsonNode w = server.write("cols", "{\"patch_columns\":{\"id\":[\"a\",\"nope\"],\"tag\":[\"patched\",\"q\"]},"
                + "\"deletes\":[\"c\"]}");
        assertEquals(1, w.get("rows_deleted").asInt(), w.toString());
        JsonNode all = server.query("cols", "{\"rank_by\":[\"id\",\"asc\"],\"include_attributes\":[\"tag\"]}")
                .get("rows");
        assertEquals(2, all.size(), all.toString());
        assertEquals("patched", all.get(0).get("tag").asText());
        assertFalse(all.get(1).has("tag") && !all.get(1).get("tag").isNull(), all.toString());
    }

    @Test
    void anIdTypeDeclarationIsAccepted() {
        JsonNode w = server.write("uuids", "{\"upsert_rows\":[{\"id\":\"b3ff34ea-87bb-469c-a854-9cb7e3713fc3\",\"a\":1}],"
                + "\"schema\":{\"id\":{\"type\":\"uuid\"},\"a\":{\"type\":\"int\"}}}");
        assertEquals(1, w.get("rows_upserted").asInt());
        assertEquals("b3ff34ea-87bb-469c-a854-9cb7e3713fc3",
                server.query("uuids", "{\"rank_by\":[\"id\",\"asc\"]}").get("rows").get(0).get("id").asText());
        TestServer.Response bad = server.post("/v2/namespaces/uuids", "{\"upsert_rows\":[{\"id\":1}],"
                + "\"schema\":{\"id\":{\"type\":\"[]int\"}}}");
        assertEquals(400, bad.status());
        assertTrue(bad.error().contains("schema.id"));
    }

    @Test
    void duplicateIdsInOneBatchLastWins() {
        server.write("dups", "{\"upsert_rows\":[{\"id\":1,\"v\":\"first\"},{\"id\":2,\"v\":\"x\"},{\"id\":1,\"v\":\"last\"}]}");
        JsonNode rows = server.query("dups", "{\"rank_by\":[\"id\",\"asc\"],\"include_attributes\":[\"v\"]}").get("rows");
        assertEquals(2, rows.size());
        assertEquals("last", rows.get(0).get("v").asText());
    }

    @Test
    void gzipRequestBodiesAndGzipResponses() throws Exception {
        String body = "{\"upsert_rows\":[" + rows(0, 50, 4) + "],\"distance_metric\":\"euclidean_squared\"}";
        TestServer.Response r = server.postBytes("/v2/namespaces/gz", TestServer.gzip(body),
                "Content-Type", "application/json", "Content-Encoding", "gzip");
        assertEquals(200, r.status(), r.body());
        assertEquals(50, r.json().get("rows_upserted").asInt());

        var request = server.request("/v2/namespaces/gz/query").header("Accept-Encoding", "gzip")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"rank_by\":[\"id\",\"asc\"],\"top_k\":50}"))
                .build();
        HttpResponse<byte[]> raw = server.http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, raw.statusCode());
        assertEquals("gzip", raw.headers().firstValue("Content-Encoding").orElse(""));
        String text = new String(new GZIPInputStream(new ByteArrayInputStream(raw.body())).readAllBytes(),
                StandardCharsets.UTF_8);
        assertEquals(50, TestServer.JSON.readTree(text).get("rows").size());
    }

    @Test
    void queryingAMissingNamespaceIs404() {
        TestServer.Response r = server.post("/v2/namespaces/never-written/query", "{\"rank_by\":[\"id\",\"asc\"]}");
        assertEquals(404, r.status(), r.body());
        r.error();
    }

    @Test
    void listsNamespacesWithPrefixAndPaging() {
        for (String ns : List.of("list-a", "list-b", "list-c", "other")) {
            server.write(ns, "{\"upsert_rows\":[{\"id\":1}]}");
        }
        JsonNode first = server.get("/v1/namespaces?prefix=list-&page_size=2").json();
        assertEquals(2, first.get("namespaces").size(), first.toString());
        assertEquals("list-a", first.get("namespaces").get(0).get("id").asText());
        String cursor = first.get("next_cursor").asText();
        JsonNode second = server.get("/v1/namespaces?prefix=list-&page_size=2&cursor=" + cursor).json();
        assertEquals(1, second.get("namespaces").size(), second.toString());
        assertEquals("list-c", second.get("namespaces").get(0).get("id").asText());
        assertTrue(!second.has("next_cursor") || second.get("next_cursor").isNull());
        assertEquals(400, server.get("/v1/namespaces?page_size=0").status());
        assertEquals(400, server.get("/v1/namespaces?prefix=a/b").status());
    }

    // --- errors -------------------------------------------------------------------------------

    private static String writeError(String ns, String body) {
        TestServer.Response r = server.post("/v2/namespaces/" + ns, body);
        assertEquals(400, r.status(), r.body());
        return r.error();
    }

    private static String queryError(String ns, String body) {
        TestServer.Response r = server.post("/v2/namespaces/" + ns + "/query", body);
        assertEquals(400, r.status(), r.body());
        return r.error();
    }

    @Test
    void badWritesAre400sNamingTheField() {
        assertTrue(writeError("bad", "{\"upsert_rows\":[{\"id\":1,\"vector\":[1,2]},{\"id\":2,\"vector\":[1,2,3]}],"
                + "\"distance_metric\":\"cosine_distance\"}").contains("upsert_rows[1].vector: expected 2 dimensions, got 3"));
        assertTrue(writeError("bad", "{\"upsert_rows\":[{\"id\":1}],\"bogus\":1}").contains("unknown field \"bogus\""));
        assertTrue(writeError("bad", "{}").contains("nothing to do"));
        assertTrue(writeError("bad", "{\"upsert_rows\":[{\"id\":\"" + "x".repeat(65) + "\"}]}")
                .contains("upsert_rows[0].id"));
        assertTrue(writeError("bad", "{\"upsert_rows\":[{\"id\":-1}]}").contains("unsigned"));
        assertTrue(writeError("bad", "{\"upsert_rows\":[{\"id\":1,\"vector\":[1e999]}]}").contains("finite"));
        assertTrue(writeError("bad", "{\"upsert_rows\":[{\"vector\":[1]}]}").contains("upsert_rows[0].id"));
        assertTrue(writeError("bad", "{\"upsert_rows\":[{\"id\":1,\"" + "a".repeat(200) + "\":1}]}")
                .contains("at most"));
        assertTrue(writeError("bad", "{\"upsert_columns\":{\"id\":[1,2],\"x\":[1]}}").contains("upsert_columns.x"));
        assertTrue(writeError("bad", "{\"patch_rows\":[{\"id\":1,\"vector\":[1]}]}").contains("cannot be patched"));
        assertTrue(writeError("bad", "{\"upsert_rows\":[{\"id\":1}],\"distance_metric\":\"dot\"}")
                .contains("distance_metric"));
        assertTrue(writeError("bad", "{\"upsert_rows\":[{\"id\":1}],\"encryption\":{\"mode\":\"customer-managed\","
                + "\"key_name\":\"k\"}}").contains("encryption"));
        assertTrue(writeError("bad", "{\"branch_from_namespace\":\"x\"}").contains("branch_from_namespace"));
        assertTrue(writeError("bad", "{\"upsert_rows\":[{\"id\":1}],\"sharding\":{\"num_shards\":2}}").contains("sharding"));
        assertTrue(writeError("bad", "{\"upsert_rows\":[{\"id\":1}],\"schema\":{\"t\":{\"type\":\"string\","
                + "\"full_text_search\":true}}}").contains("full_text_search"));
        assertTrue(writeError("bad", "{\"upsert_rows\":[{\"id\":1,\"vector\":" + vectorOf(10_753) + "}]}")
                .contains("10752"));
        assertTrue(writeError("bad", "{\"delete_by_filter\":[\"a\",\"Regexx\",\"x\"]}").contains("delete_by_filter"));
        assertTrue(writeError("bad", "{\"upsert_rows\":[{\"id\":1}]").contains("invalid JSON"));
        assertTrue(writeError("bad", "[1,2]").contains("expected a JSON object"));
        assertTrue(writeError("bad", "{\"upsert_rows\":[{\"id\":1,\"a\":1},],}").contains("invalid JSON"));
        StringBuilder wide = new StringBuilder("{\"upsert_rows\":[{\"id\":1");
        for (int i = 0; i < 1_025; i++) {
            wide.append(",\"a").append(i).append("\":1");
        }
        assertTrue(writeError("bad", wide.append("}]}").toString()).contains("1025 distinct attributes"));
        assertEquals("(none)", server.dump("bad"), "no rejected write created the namespace");
    }

    @Test
    void badQueriesAre400sNamingTheFeature() {
        server.write("q", "{\"upsert_rows\":[" + rows(0, 3, 2) + "],\"distance_metric\":\"cosine_distance\"}");
        assertTrue(queryError("q", "{\"rank_by\":[\"text\",\"BM25\",\"fox\"]}").contains("BM25"));
        assertTrue(queryError("q", "{\"rank_by\":[\"Sum\",[[\"a\",\"BM25\",\"x\"]]]}").contains("Sum"));
        assertTrue(queryError("q", "{\"rank_by\":[[\"n\",\"asc\"],[\"color\",\"desc\"]]}").contains("several attributes"));
        assertTrue(queryError("q", "{\"rank_by\":[\"emb\",\"ANN\",[1,2]]}").contains("emb"));
        assertTrue(queryError("q", "{\"rank_by\":[\"id\",\"asc\"],\"top_k\":10001}").contains("top_k"));
        assertTrue(queryError("q", "{\"rank_by\":[\"id\",\"asc\"],\"limit\":{\"total\":5,\"per\":{\"attributes\":[\"c\"],"
                + "\"limit\":1}}}").contains("limit.per"));
        assertTrue(queryError("q", "{\"rank_by\":[\"id\",\"asc\"],\"filters\":[\"n\",\"Foo\",1]}").contains("Foo"));
        assertTrue(queryError("q", "{\"rank_by\":[\"id\",\"asc\"],\"frobnicate\":1}").contains("frobnicate"));
        assertTrue(queryError("q", "{\"top_k\":3}").contains("rank_by"));
        assertTrue(queryError("q", "{\"rank_by\":[\"vector\",\"ANN\",[1,2,3]]}").contains("dimensions"));
        assertTrue(queryError("q", "{\"rank_by\":[\"id\",\"asc\"],\"consistency\":{\"level\":\"weak\"}}")
                .contains("consistency.level"));
        assertTrue(queryError("q", "{\"rank_by\":[\"id\",\"asc\"],\"filters\":" + deepFilter(70) + "}")
                .contains("64"));
        assertTrue(queryError("q", "{\"queries\":[" + "{\"rank_by\":[\"id\",\"asc\"]},".repeat(16)
                + "{\"rank_by\":[\"id\",\"asc\"]}]}").contains("16"));
        assertTrue(queryError("q", "{\"rank_by\":[\"id\",\"asc\"],\"compute_attributes\":{}}").contains("compute_attributes"));
        // A moderately deep filter is fine.
        server.query("q", "{\"rank_by\":[\"id\",\"asc\"],\"filters\":" + deepFilter(20) + "}");
    }

    @Test
    void protocolErrorsAreJson() {
        TestServer.Response badName = server.post("/v2/namespaces/bad!name/query", "{}");
        assertEquals(400, badName.status(), badName.body());
        assertTrue(badName.error().contains("namespace name"));
        TestServer.Response unknown = server.get("/v2/nothing-here");
        assertEquals(404, unknown.status());
        unknown.error();
        TestServer.Response method = server.send(server.request("/v2/namespaces/x/query").PUT(
                java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build());
        assertEquals(405, method.status(), method.body());
        method.error();
        TestServer.Response empty = server.post("/v2/namespaces/x/query", "");
        assertEquals(400, empty.status());
        assertTrue(empty.error().contains("empty"));
        TestServer.Response badGzip = server.postBytes("/v2/namespaces/x", "not gzip".getBytes(StandardCharsets.UTF_8),
                "Content-Encoding", "gzip");
        assertEquals(400, badGzip.status(), badGzip.body());
        badGzip.error();
        TestServer.Response random = server.postBytes("/v2/namespaces/x", new byte[] {(byte) 0xff, 0, 1, 2, (byte) 0x80});
        assertEquals(400, random.status(), random.body());
        random.error();
    }

    @Test
    void bodiesOverTheLimitAre413EvenWhenGzipped() {
        String big = "{\"upsert_rows\":[{\"id\":1,\"s\":\"" + "a".repeat(2 << 20) + "\"}]}";
        TestServer.Response plain = server.post("/v2/namespaces/big", big);
        assertEquals(413, plain.status(), plain.body().length() > 300 ? plain.body().substring(0, 300) : plain.body());
        plain.error();
        TestServer.Response zipped = server.postBytes("/v2/namespaces/big", TestServer.gzip(big),
                "Content-Encoding", "gzip");
        assertEquals(413, zipped.status(), zipped.body());
        zipped.error();
    }

    // --- endpoints whose entity side is built by other modules' work --------------------------

    @Test
    void metadataAndSchemaDescribeTheNamespace() {
        server.write("meta", "{\"upsert_rows\":[" + rows(0, 4, 2) + "],\"distance_metric\":\"cosine_distance\","
                + "\"schema\":{\"color\":{\"type\":\"string\",\"filterable\":true}}}");
        for (String path : List.of("/v1/namespaces/meta/metadata", "/v2/namespaces/meta/metadata")) {
            JsonNode m = server.get(path).json();
            assertEquals(4, m.get("approx_row_count").asInt(), m.toString());
            assertEquals("default", m.get("encryption").get("mode").asText());
            assertTrue(m.get("index").get("status").asText().matches("up-to-date|updating"));
            assertEquals("string", m.get("schema").get("color").get("type").asText());
            assertEquals("[2]f32", m.get("schema").get("vector").get("type").asText());
            assertTrue(m.get("schema").get("vector").get("ann").asBoolean(), m.toString());
            assertTrue(m.get("approx_logical_bytes").asLong() > 0, m.toString());
            OffsetDateTime created = OffsetDateTime.parse(m.get("created_at").asText());
            OffsetDateTime updated = OffsetDateTime.parse(m.get("updated_at").asText());
            assertFalse(updated.isBefore(created), m.toString());
            assertTrue(Duration.between(created, OffsetDateTime.now()).abs().toMinutes() < 10, m.toString());
        }
        JsonNode schema = server.get("/v1/namespaces/meta/schema").json();
        assertEquals("int", schema.get("n").get("type").asText(), schema.toString());
        assertEquals(404, server.get("/v1/namespaces/meta-none/schema").status());
        assertEquals(404, server.get("/v1/namespaces/meta-none/metadata").status());
    }

    @Test
    void byFilterWritesOverTheLimitNeedTheirAllowPartialFlag() {
        server.write("partial", "{\"upsert_rows\":[" + rows(0, 12, 2) + "],\"distance_metric\":\"cosine_distance\"}");
        String patch = "\"patch_by_filter\":{\"filters\":[\"n\",\"Gte\",0],\"patch\":{\"color\":\"green\"}}";
        TestServer.Response refused = server.post("/v2/namespaces/partial", "{" + patch + "}");
        assertEquals(400, refused.status(), refused.body());
        assertTrue(refused.error().contains("patch_by_filter_allow_partial"), refused.body());
        // The delete flag does not make the patch partial.
        assertEquals(400, server.post("/v2/namespaces/partial", "{" + patch
                + ",\"delete_by_filter_allow_partial\":true}").status());
        JsonNode patched = server.write("partial", "{" + patch + ",\"patch_by_filter_allow_partial\":true}");
        assertEquals(5, patched.get("rows_patched").asInt(), patched.toString());

        String delete = "\"delete_by_filter\":[\"n\",\"Gte\",2]";
        assertEquals(400, server.post("/v2/namespaces/partial", "{" + delete + "}").status());
        JsonNode deleted = server.write("partial", "{" + delete + ",\"delete_by_filter_allow_partial\":true}");
        assertEquals(5, deleted.get("rows_deleted").asInt(), deleted.toString());
        JsonNode left = server.query("partial", "{\"rank_by\":[\"id\",\"asc\"],\"top_k\":100,"
                + "\"include_attributes\":[\"color\"]}").get("rows");
        assertEquals(7, left.size(), left.toString());
    }

    @Test
    void schemaUpdateAddsAnAttribute() {
        server.write("schema-up", "{\"upsert_rows\":[{\"id\":1,\"a\":\"x\"}]}");
        TestServer.Response r = server.post("/v1/namespaces/schema-up/schema", "{\"b\":{\"type\":\"[]int\"}}");
        assertEquals(200, r.status(), r.body());
        assertEquals("[]int", r.json().get("b").get("type").asText());
        assertEquals(400, server.post("/v1/namespaces/schema-up/schema", "{\"a\":{\"type\":\"int\"}}").status());
    }

    @Test
    void deleteRemovesTheNamespace() {
        server.write("doomed", "{\"upsert_rows\":[{\"id\":1}]}");
        TestServer.Response r = server.delete("/v2/namespaces/doomed");
        assertEquals(200, r.status(), r.body());
        assertEquals("OK", r.json().get("status").asText());
        assertEquals(404, server.post("/v2/namespaces/doomed/query", "{\"rank_by\":[\"id\",\"asc\"]}").status());
    }

    @Test
    void multiQueryAndRrfFusion() {
        server.write("multi", "{\"upsert_rows\":[" + rows(0, 10, 2) + "],\"distance_metric\":\"euclidean_squared\"}");
        JsonNode r = server.query("multi", "{\"queries\":[{\"rank_by\":[\"vector\",\"ANN\",[0,0.5]],\"top_k\":3},"
                + "{\"rank_by\":[\"n\",\"desc\"],\"top_k\":2}]}");
        assertEquals(2, r.get("results").size());
        assertEquals(List.of(0, 1, 2), ids(r.get("results").get(0).get("rows")));
        assertEquals(List.of(9, 8), ids(r.get("results").get(1).get("rows")));
        assertTrue(r.has("billing") && r.has("performance"));
        JsonNode fused = server.query("multi", "{\"queries\":[{\"rank_by\":[\"n\",\"asc\"],\"top_k\":3},"
                + "{\"rank_by\":[\"n\",\"desc\"],\"top_k\":3},{\"rank_by\":[\"vector\",\"ANN\",[9,0.5]],\"top_k\":3}],"
                + "\"rerank_by\":[\"RRF\",{\"rank_constant\":60}]}");
        assertEquals(9, fused.get("results").get(0).get("rows").get(0).get("id").asInt(), fused.toString());
    }

    @Test
    void explainReturnsPlanText() {
        server.write("explain", "{\"upsert_rows\":[" + rows(0, 3, 2) + "],\"distance_metric\":\"cosine_distance\"}");
        TestServer.Response r = server.post("/v2/namespaces/explain/explain_query",
                "{\"rank_by\":[\"vector\",\"ANN\",[1,0]],\"top_k\":2}");
        assertEquals(200, r.status(), r.body());
        assertFalse(r.json().get("plan_text").asText().isBlank());
    }

    @Test
    void warmAndRecall() {
        server.write("warm", "{\"upsert_rows\":[" + rows(0, 30, 2) + "],\"distance_metric\":\"euclidean_squared\"}");
        TestServer.Response warm = server.get("/v1/namespaces/warm/hint_cache_warm");
        assertEquals(202, warm.status(), warm.body());
        assertEquals("ACCEPTED", warm.json().get("status").asText());
        TestServer.Response recall = server.post("/v1/namespaces/warm/_debug/recall", "{\"num\":5,\"top_k\":3}");
        assertEquals(200, recall.status(), recall.body());
        double avg = recall.json().get("avg_recall").asDouble();
        assertTrue(avg > 0 && avg <= 1, recall.body());
    }

    @Test
    void copyFromNamespaceCopiesEveryRow() {
        server.write("copy-src", "{\"upsert_rows\":[" + rows(0, 25, 2) + "],\"distance_metric\":\"cosine_distance\"}");
        JsonNode r = server.write("copy-dst", "{\"copy_from_namespace\":{\"source_namespace\":\"copy-src\"}}");
        assertEquals(25, r.get("rows_affected").asInt());
        assertEquals(server.dump("copy-src"), server.dump("copy-dst"));
    }

    // --- helpers ------------------------------------------------------------------------------

    static List<Integer> ids(JsonNode rows) {
        List<Integer> ids = new ArrayList<>();
        rows.forEach(r -> ids.add(r.get("id").asInt()));
        return ids;
    }

    static String base64(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return Base64.getEncoder().encodeToString(b.array());
    }

    static String vectorOf(int dims) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < dims; i++) {
            s.append(i == 0 ? "" : ",").append("0.1");
        }
        return s.append("]").toString();
    }

    static String deepFilter(int depth) {
        String f = "[\"n\",\"Eq\",1]";
        for (int i = 0; i < depth; i++) {
            f = "[\"And\",[" + f + "]]";
        }
        return f;
    }
}
