package dev.strata.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.actors.namespace.NamespaceProtocol.AttributeSpec;
import dev.strata.actors.namespace.NamespaceProtocol.QueryRequest;
import dev.strata.actors.namespace.NamespaceProtocol.WriteRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The request codecs' translation of the fields whose entity side other modules build (filter
 * writes, conditions, schema, aggregates, consistency): what the entity will receive.
 */
class WireCodecTest {

    private static WriteRequest write(String json) {
        return WriteCodec.parse(Json.parse(json.getBytes(StandardCharsets.UTF_8), true)).requestOrNull();
    }

    private static QueryRequest query(String json) {
        return QueryCodec.parse(Json.parse(json.getBytes(StandardCharsets.UTF_8), true)).request();
    }

    private static String error(Runnable r) {
        return assertThrows(ApiError.class, r::run).getMessage();
    }

    @Test
    void filterWritesConditionsAndOptionsPassThrough() {
        WriteRequest w = write("""
                {"delete_by_filter":["name","Eq","foo"],"delete_by_filter_allow_partial":true,
                 "patch_by_filter":{"filters":["n","Gt",1],"patch":{"name":"z","gone":null}},
                 "patch_by_filter_allow_partial":true,
                 "upsert_rows":[{"id":1,"version":2}],
                 "upsert_condition":["version","Lt",{"$ref_new":"version"}],
                 "patch_condition":["id","Eq",null],"delete_condition":["a","Eq",1],
                 "return_affected_ids":true,"disable_backpressure":true}""");
        assertEquals(List.of("name", "Eq", "foo"), w.deleteByFilterOrNull());
        assertTrue(w.allowPartial());
        assertEquals(List.of("n", "Gt", 1L), w.patchByFilterOrNull().filters());
        assertEquals("z", w.patchByFilterOrNull().patch().get("name"));
        assertTrue(w.patchByFilterOrNull().patch().containsKey("gone"), "a null patch value removes the attribute");
        assertEquals(List.of("version", "Lt", Map.of("$ref_new", "version")), w.upsertConditionOrNull());
        assertEquals(java.util.Arrays.asList("id", "Eq", null), w.patchConditionOrNull());
        assertEquals(List.of("a", "Eq", 1L), w.deleteConditionOrNull());
        assertTrue(w.returnAffectedIds() && w.disableBackpressure());
        assertEquals(Map.of("version", 2L), w.upserts().get(0).attributes());
    }

    @Test
    void allowPartialFlagsApplyToTheirOwnOperation() {
        assertTrue(write("{\"delete_by_filter\":[\"n\",\"Gt\",1],\"delete_by_filter_allow_partial\":true}")
                .allowPartial());
        assertTrue(write("{\"patch_by_filter\":{\"filters\":[\"n\",\"Gt\",1],\"patch\":{\"a\":1}},"
                + "\"patch_by_filter_allow_partial\":true}").allowPartial());
        assertFalse(write("{\"delete_by_filter\":[\"n\",\"Gt\",1]}").allowPartial());
        // A flag whose operation is absent must not make the other operation partial.
        assertFalse(write("{\"delete_by_filter\":[\"n\",\"Gt\",1],\"patch_by_filter_allow_partial\":true}")
                .allowPartial());
        assertFalse(write("{\"patch_by_filter\":{\"filters\":[\"n\",\"Gt\",1],\"patch\":{\"a\":1}},"
                + "\"delete_by_filter_allow_partial\":true}").allowPartial());
        assertTrue(error(() -> write("{\"delete_by_filter\":[\"n\",\"Gt\",1],\"delete_by_filter_allow_partial\":true,"
                + "\"patch_by_filter\":{\"filters\":[\"n\",\"Gt\",1],\"patch\":{\"a\":1}}}"))
                .contains("patch_by_filter_allow_partial"));
        assertTrue(error(() -> write("{\"delete_by_filter\":[\"n\",\"Gt\",1],"
                + "\"delete_by_filter_allow_partial\":\"yes\"}")).contains("delete_by_filter_allow_partial"));
    }

    @Test
    void schemaDeclarations() {
        WriteRequest w = write("""
                {"schema":{"name":{"type":"string","filterable":false},"tags":"[]string",
                 "vector":{"type":"[384]f32","ann":true},"id":{"type":"uuid"}}}""");
        assertEquals(new AttributeSpec("string", false, false), w.schema().get("name"));
        assertEquals(new AttributeSpec("[]string", null, false), w.schema().get("tags"));
        assertEquals(new AttributeSpec("[384]f32", null, true), w.schema().get("vector"));
        assertFalse(w.schema().containsKey("id"));
        assertTrue(error(() -> write("{\"schema\":{\"v2\":{\"type\":\"[8]f32\"}}}")).contains("vector attributes"));
        assertTrue(error(() -> write("{\"schema\":{\"t\":{\"type\":\"text\"}}}")).contains("unknown type"));
        assertTrue(error(() -> write("{\"schema\":{\"t\":{\"type\":\"string\",\"regex\":true}}}")).contains("regex"));
        assertTrue(error(() -> write("{\"schema\":{\"vector\":{\"type\":\"[99999]f32\"}}}")).contains("10752"));
    }

    @Test
    void vectorsAndColumns() {
        WriteRequest w = write("""
                {"upsert_columns":{"id":[1,"b"],"vector":["AACAPwAAAEA=",[3,4]],"x":[null,5]},
                 "distance_metric":"euclidean_squared"}""");
        assertArrayEquals(new float[] {1f, 2f}, w.upserts().get(0).vectorOrNull());
        assertArrayEquals(new float[] {3f, 4f}, w.upserts().get(1).vectorOrNull());
        assertEquals(Map.of(), w.upserts().get(0).attributes(), "a null column value is a missing attribute");
        assertEquals("euclidean_squared", w.distanceMetricOrNull());
        assertTrue(error(() -> write("{\"upsert_rows\":[{\"id\":1,\"vector\":\"AAA=\"}]}")).contains("whole number"));
        assertTrue(error(() -> write("{\"upsert_rows\":[{\"id\":1,\"vector\":[1,2]}],"
                + "\"upsert_columns\":{\"id\":[2],\"vector\":[[1,2,3]]}}")).contains("upsert_columns.vector[0]"));
        assertTrue(error(() -> write("{\"upsert_rows\":[{\"id\":1,\"o\":{\"a\":1}}]}")).contains("upsert_rows[0].o"));
    }

    @Test
    void copyFromNamespaceForms() {
        assertEquals("src", WriteCodec.parse(Json.parse("{\"copy_from_namespace\":\"src\"}".getBytes(), true))
                .copySourceOrNull());
        assertEquals("src", WriteCodec.parse(Json.parse("{\"copy_from_namespace\":{\"source_namespace\":\"src\"}}"
                .getBytes(), true)).copySourceOrNull());
        assertTrue(error(() -> write("{\"copy_from_namespace\":\"src\",\"deletes\":[1]}")).contains("combined"));
        assertTrue(error(() -> write("{\"copy_from_namespace\":\"bad name\"}")).contains("copy_from_namespace"));
    }

    @Test
    void queryFields() {
        QueryRequest knn = query("""
                {"rank_by":["vector","kNN",[1,2]],"filters":["a","Eq",1],"top_k":7,
                 "include_attributes":["a"],"exclude_attributes":["b"],"consistency":{"level":"eventual"}}""");
        assertTrue(knn.exact() && knn.eventual());
        assertEquals(7, knn.topK());
        assertEquals(List.of("a"), knn.includeAttributes());
        assertEquals(List.of("b"), knn.excludeAttributes());
        QueryRequest agg = query("{\"aggregate_by\":{\"n\":[\"Count\"]},\"group_by\":[\"color\"],\"filters\":[\"p\",\"Gt\",5]}");
        assertNull(agg.vectorOrNull());
        assertNull(agg.orderByOrNull());
        assertEquals(Map.of("n", List.of("Count")), agg.aggregateBy());
        assertEquals(List.of("color"), agg.groupBy());
        QueryRequest order = query("{\"rank_by\":[[\"n\",\"desc\"]],\"limit\":3,\"include_attributes\":true}");
        assertEquals("n", order.orderByOrNull());
        assertTrue(order.descending() && order.includeAllAttributes());
        assertEquals(3, order.topK());
        assertEquals(QueryCodec.DEFAULT_TOP_K, query("{\"rank_by\":[\"id\",\"asc\"]}").topK());
        assertTrue(error(() -> query("{\"rank_by\":[\"id\",\"asc\"],\"top_k\":3,\"limit\":4}")).contains("disagree"));
        assertTrue(error(() -> query("{\"aggregate_by\":{\"n\":[\"Avg\",\"x\"]}}")).contains("Avg"));
        assertTrue(error(() -> query("{\"group_by\":[\"a\"],\"rank_by\":[\"id\",\"asc\"]}")).contains("aggregate_by"));
    }

    @Test
    void multiQueryAndRecall() {
        QueryCodec.ParsedMulti m = QueryCodec.parseMulti(Json.parse("""
                {"queries":[{"rank_by":["id","asc"]},{"rank_by":["vector","ANN","AACAPw=="],"consistency":{"level":"strong"}}],
                 "consistency":{"level":"eventual"},"vector_encoding":"base64","rerank_by":["RRF",{"weights":[1,2]}]}"""
                .getBytes(StandardCharsets.UTF_8), true));
        assertEquals(2, m.requests().size());
        assertTrue(m.requests().get(0).eventual());
        assertFalse(m.requests().get(1).eventual(), "a query's own consistency wins");
        assertTrue(m.base64Vectors());
        assertEquals(new QueryCodec.Rrf(60, List.of(1.0, 2.0)), m.rrfOrNull());
        var recall = QueryCodec.recall(Json.parse("{\"num\":5,\"top_k\":3,\"filters\":[\"a\",\"Eq\",1]}".getBytes(), true));
        assertEquals(5, recall.num());
        assertEquals(3, recall.topK());
        assertEquals(List.of("a", "Eq", 1L), recall.filtersOrNull());
        assertEquals(25, QueryCodec.recall(Json.parse(new byte[0], false)).num());
    }

    @Test
    void joinedSerializedObjectsAreTheBytesOfTheJoinedMaps() {
        Map<String, Object> rows = new java.util.LinkedHashMap<>();
        rows.put("rows", List.of(Map.of("id", 1, "$dist", 0.25), Map.of("id", "é\"x")));
        Map<String, Object> tail = new java.util.LinkedHashMap<>();
        tail.put("billing", Map.of("billable_logical_bytes_returned", 42));
        tail.put("performance", Map.of("cache_temperature", "hot"));
        Map<String, Object> joined = new java.util.LinkedHashMap<>(rows);
        joined.putAll(tail);
        assertArrayEquals(Json.bytes(joined), Json.concatObjects(Json.bytes(rows), Json.bytes(tail)));
        assertArrayEquals(Json.bytes(tail), Json.concatObjects(Json.bytes(Map.of()), Json.bytes(tail)));
        assertArrayEquals(Json.bytes(rows), Json.concatObjects(Json.bytes(rows), Json.bytes(Map.of())));
        assertArrayEquals(Json.bytes(Map.of("results", List.of(rows))),
                Json.member("results", Json.bytes(List.of(rows))));
        assertThrows(IllegalArgumentException.class, () -> Json.concatObjects(Json.bytes(List.of()), Json.bytes(tail)));
    }
}
