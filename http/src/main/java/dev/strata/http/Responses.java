package dev.strata.http;

import dev.strata.actors.namespace.NamespaceProtocol.AttributeSpec;
import dev.strata.actors.namespace.NamespaceProtocol.NamespaceMetadata;
import dev.strata.actors.namespace.NamespaceProtocol.QueryResult;
import dev.strata.actors.namespace.NamespaceProtocol.Row;
import dev.strata.actors.namespace.NamespaceProtocol.WriteRequest;
import dev.strata.actors.namespace.NamespaceProtocol.WriteResult;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Builds the API's response bodies (as ordered maps Jackson writes) from the namespace's replies. */
final class Responses {

    private Responses() {}

    static Map<String, Object> write(WriteRequest request, WriteResult result, long bytesWritten, long startNanos) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "OK");
        body.put("message", "write committed");
        body.put("rows_affected", result.affected());
        body.put("rows_upserted", result.upserted());
        body.put("rows_patched", result.patched());
        body.put("rows_deleted", result.deleted());
        if (request.returnAffectedIds()) {
            body.put("upserted_ids", result.upsertedIds());
            body.put("patched_ids", result.patchedIds());
            body.put("deleted_ids", result.deletedIds());
        }
        body.put("billing", Map.of("billable_logical_bytes_written", bytesWritten));
        body.put("performance", Map.of("server_total_ms", millisSince(startNanos)));
        return body;
    }

    static Map<String, Object> copied(long rows, long bytesWritten, long startNanos) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "OK");
        body.put("message", "copied " + rows + " rows");
        body.put("rows_affected", rows);
        body.put("rows_upserted", rows);
        body.put("billing", Map.of("billable_logical_bytes_written", bytesWritten));
        body.put("performance", Map.of("server_total_ms", millisSince(startNanos)));
        return body;
    }

    /** The rows and aggregates of one query result (without billing and performance). */
    static Map<String, Object> result(QueryResult result, boolean base64Vectors) {
        Map<String, Object> body = new LinkedHashMap<>();
        boolean aggregates = !result.aggregations().isEmpty() || !result.aggregationGroups().isEmpty();
        if (!aggregates || !result.rows().isEmpty()) {
            body.put("rows", rows(result.rows(), base64Vectors));
        }
        if (!result.aggregations().isEmpty()) {
            body.put("aggregations", result.aggregations());
        }
        if (!result.aggregationGroups().isEmpty()) {
            body.put("aggregation_groups", result.aggregationGroups());
        }
        return body;
    }

    static List<Map<String, Object>> rows(List<Row> rows, boolean base64Vectors) {
        List<Map<String, Object>> out = new ArrayList<>(rows.size());
        for (Row r : rows) {
            out.add(row(r, base64Vectors));
        }
        return out;
    }

    static Map<String, Object> row(Row r, boolean base64Vectors) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", r.id());
        if (r.dist() != null) {
            row.put("$dist", r.dist());
        }
        for (Map.Entry<String, Object> e : r.attributes().entrySet()) {
            Object value = e.getValue();
            if (e.getKey().equals("vector") && value != null) {
                value = base64Vectors ? base64(value) : floats(value);
            }
            row.put(e.getKey(), value);
        }
        return row;
    }

    /** A returned vector (float[] or a list of numbers) as a float array. */
    static float[] floats(Object vector) {
        if (vector instanceof float[] f) {
            return f;
        }
        if (vector instanceof List<?> list) {
            float[] f = new float[list.size()];
            for (int i = 0; i < f.length; i++) {
                f[i] = ((Number) list.get(i)).floatValue();
            }
            return f;
        }
        if (vector instanceof String s) {
            byte[] raw = Base64.getDecoder().decode(s);
            float[] f = new float[raw.length / 4];
            ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
            return f;
        }
        throw new IllegalStateException("unexpected vector value " + vector.getClass());
    }

    static String base64(Object vector) {
        float[] f = floats(vector);
        ByteBuffer buf = ByteBuffer.allocate(f.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(f);
        return Base64.getEncoder().encodeToString(buf.array());
    }

    static Map<String, Object> billingAndPerformance(Map<String, Object> body, List<QueryResult> results,
                                                     long returnedBytes, long executionStartNanos, long startNanos) {
        long approxSize = 0;
        long exhaustive = 0;
        String temperature = "hot";
        for (QueryResult r : results) {
            approxSize = Math.max(approxSize, r.approxRowCount());
            exhaustive += r.exhaustiveSearchCount();
            temperature = colder(temperature, r.cacheTemperature());
        }
        Map<String, Object> billing = new LinkedHashMap<>();
        // Strata does not meter bytes scanned; what a query returned is the honest lower bound.
        billing.put("billable_logical_bytes_queried", returnedBytes);
        billing.put("billable_logical_bytes_returned", returnedBytes);
        body.put("billing", billing);
        Map<String, Object> perf = new LinkedHashMap<>();
        perf.put("approx_namespace_size", approxSize);
        // Memory and SSD tiers are both cache hits; a cold query read at least part of its data
        // from object storage.
        perf.put("cache_hit_ratio", temperature.equals("cold") ? 0.0 : 1.0);
        perf.put("cache_temperature", temperature);
        perf.put("exhaustive_search_count", exhaustive);
        perf.put("query_execution_ms", millisSince(executionStartNanos));
        perf.put("server_total_ms", millisSince(startNanos));
        body.put("performance", perf);
        return body;
    }

    private static String colder(String a, String b) {
        return rank(b) > rank(a) ? b : a;
    }

    private static int rank(String temperature) {
        return switch (temperature == null ? "hot" : temperature) {
            case "cold" -> 2;
            case "warm" -> 1;
            default -> 0;
        };
    }

    /**
     * Fuses result lists by reciprocal rank: a row scores {@code Σ weight_i / (k + rank_i)} over the
     * lists it appears in (rank from 1); rows come best first with the score as {@code $rrf_score}.
     */
    static List<Map<String, Object>> fuse(List<QueryResult> results, QueryCodec.Rrf rrf, int topK,
                                          boolean base64Vectors) {
        Map<Object, Double> scores = new HashMap<>();
        Map<Object, Map<String, Object>> rows = new LinkedHashMap<>();
        for (int q = 0; q < results.size(); q++) {
            List<Row> list = results.get(q).rows();
            double weight = rrf.weights().get(q);
            for (int rank = 0; rank < list.size(); rank++) {
                Row r = list.get(rank);
                Object key = WireValues.idKey(r.id());
                scores.merge(key, weight / (rrf.rankConstant() + rank + 1), Double::sum);
                Map<String, Object> existing = rows.get(key);
                Map<String, Object> row = row(r, base64Vectors);
                row.remove("$dist");
                if (existing == null) {
                    rows.put(key, row);
                } else {
                    row.forEach(existing::putIfAbsent);
                }
            }
        }
        List<Object> order = new ArrayList<>(rows.keySet());
        order.sort(Comparator.comparing((Object k) -> -scores.get(k)));
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object k : order.subList(0, Math.min(topK, order.size()))) {
            Map<String, Object> row = rows.get(k);
            row.put("$rrf_score", scores.get(k));
            out.add(row);
        }
        return out;
    }

    static Map<String, Object> metadata(NamespaceMetadata m) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("approx_logical_bytes", m.approxLogicalBytes());
        body.put("approx_row_count", m.approxRowCount());
        body.put("created_at", m.createdAt());
        body.put("updated_at", m.updatedAt());
        body.put("encryption", Map.of("mode", "default"));
        body.put("index", m.unindexedBytes() > 0
                ? Map.of("status", "updating", "unindexed_bytes", m.unindexedBytes())
                : Map.of("status", "up-to-date"));
        body.put("schema", schema(m.schema()));
        return body;
    }

    static Map<String, Object> schema(Map<String, AttributeSpec> schema) {
        Map<String, Object> out = new TreeMap<>();
        for (Map.Entry<String, AttributeSpec> e : schema.entrySet()) {
            AttributeSpec s = e.getValue();
            Map<String, Object> spec = new LinkedHashMap<>();
            spec.put("type", s.type());
            if (s.ann()) {
                spec.put("ann", true);
            } else {
                spec.put("filterable", s.filterableOrNull() == null || s.filterableOrNull());
            }
            out.put(e.getKey(), spec);
        }
        return out;
    }

    static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
