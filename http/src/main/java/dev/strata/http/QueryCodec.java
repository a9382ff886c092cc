package dev.strata.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.actors.namespace.NamespaceProtocol.QueryRequest;
import dev.strata.actors.namespace.NamespaceProtocol.RecallRequest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads turbopuffer query bodies ({@code POST /v2/namespaces/{ns}/query}, single or
 * multi-query, and {@code explain_query}) into {@link QueryRequest}s. Supported ranking:
 * {@code ["vector","ANN",v]}, {@code [attr,"kNN",v]} and one {@code [attr,"asc"|"desc"]};
 * every other rank_by form is a 400 naming the feature.
 */
final class QueryCodec {

    /** One parsed query and how its vectors are to be returned. */
    record ParsedQuery(QueryRequest request, boolean base64Vectors) {}

    /** Reciprocal rank fusion of the result lists of a multi-query. */
    record Rrf(double rankConstant, List<Double> weights) {}

    /** A parsed multi-query: the queries in order and the optional fusion. */
    record ParsedMulti(List<QueryRequest> requests, boolean base64Vectors, Rrf rrfOrNull) {}

    static final int DEFAULT_TOP_K = 10;

    private static final List<String> FIELDS = List.of("rank_by", "top_k", "limit", "filters", "include_attributes",
            "exclude_attributes", "aggregate_by", "group_by", "consistency", "vector_encoding", "distance_metric",
            "compute_attributes", "include_vectors");
    private static final List<String> MULTI_FIELDS = List.of("queries", "consistency", "vector_encoding",
            "rerank_by");
    private static final Set<String> RANK_FUNCTIONS = Set.of("Sum", "Max", "Product", "Saturate", "Decay", "Dist",
            "Attribute", "And", "Or", "Not");

    private QueryCodec() {}

    static boolean isMulti(JsonNode body) {
        return body.isObject() && body.has("queries");
    }

    static ParsedQuery parse(JsonNode body) {
        Json.object(body, "request body");
        WireValues.onlyKnownFields(body, "", FIELDS);
        boolean eventual = eventual(body.get("consistency"), "consistency");
        boolean base64 = base64(body.get("vector_encoding"), "vector_encoding");
        return new ParsedQuery(query(body, "", eventual), base64);
    }

    static ParsedMulti parseMulti(JsonNode body) {
        Json.object(body, "request body");
        WireValues.onlyKnownFields(body, "", MULTI_FIELDS);
        JsonNode queries = body.get("queries");
        if (!queries.isArray() || queries.isEmpty()) {
            throw ApiError.at("queries", "expected a non-empty array of queries");
        }
        if (queries.size() > Limits.MAX_QUERIES) {
            throw ApiError.at("queries", "at most " + Limits.MAX_QUERIES + " queries per request, got " + queries.size());
        }
        boolean eventual = eventual(body.get("consistency"), "consistency");
        boolean base64 = base64(body.get("vector_encoding"), "vector_encoding");
        List<QueryRequest> out = new ArrayList<>();
        for (int i = 0; i < queries.size(); i++) {
            String path = "queries[" + i + "]";
            JsonNode q = Json.object(queries.get(i), path);
            WireValues.onlyKnownFields(q, path, FIELDS);
            boolean e = q.has("consistency") ? eventual(q.get("consistency"), path + ".consistency") : eventual;
            if (q.has("vector_encoding")) {
                throw ApiError.at(path + ".vector_encoding", "set vector_encoding once, at the top level");
            }
            out.add(query(q, path + ".", e));
        }
        return new ParsedMulti(out, base64, rerank(body.get("rerank_by"), out.size()));
    }

    private static QueryRequest query(JsonNode q, String prefix, boolean eventual) {
        if (q.has("compute_attributes")) {
            throw ApiError.unsupported(prefix + "compute_attributes");
        }
        JsonNode metric = q.get("distance_metric");
        if (metric != null && !metric.isNull() && !metric.isTextual()) {
            throw ApiError.at(prefix + "distance_metric", "expected a string");
        }
        int topK = topK(q, prefix);
        Object filters = WireValues.filter(q.get("filters"), prefix + "filters", false);
        Map<String, Object> aggregateBy = aggregateBy(q.get("aggregate_by"), prefix + "aggregate_by");
        List<String> groupBy = groupBy(q.get("group_by"), prefix + "group_by");
        if (!groupBy.isEmpty() && aggregateBy.isEmpty()) {
            throw ApiError.at(prefix + "group_by", "requires aggregate_by");
        }
        boolean includeAll = false;
        List<String> include = new ArrayList<>();
        JsonNode inc = q.get("include_attributes");
        if (inc != null && !inc.isNull()) {
            if (inc.isBoolean()) {
                includeAll = inc.booleanValue();
            } else {
                include = names(inc, prefix + "include_attributes");
            }
        }
        if (WireValues.bool(q.get("include_vectors"), prefix + "include_vectors", false) && !includeAll
                && !include.contains("vector")) {
            include.add("vector");
        }
        JsonNode exc = q.get("exclude_attributes");
        List<String> exclude = exc == null || exc.isNull() ? List.of() : names(exc, prefix + "exclude_attributes");
        JsonNode rankBy = q.get("rank_by");
        float[] vector = null;
        boolean exact = false;
        String orderBy = null;
        boolean descending = false;
        if (rankBy == null || rankBy.isNull()) {
            if (aggregateBy.isEmpty()) {
                throw ApiError.at(prefix + "rank_by", "is required unless aggregate_by is given");
            }
        } else {
            String path = prefix + "rank_by";
            if (!rankBy.isArray() || rankBy.isEmpty()) {
                throw ApiError.at(path, "expected an array such as [\"vector\", \"ANN\", [...]] or [\"attr\", \"asc\"]");
            }
            JsonNode r = rankBy;
            if (r.get(0).isArray()) {
                if (r.size() > 1) {
                    throw ApiError.unsupported(path + ": ordering by several attributes");
                }
                r = r.get(0);
                path = path + "[0]";
            }
            if (!r.get(0).isTextual()) {
                throw ApiError.at(path + "[0]", "expected an attribute name or a rank function");
            }
            String head = r.get(0).textValue();
            String op = r.size() > 1 && r.get(1).isTextual() ? r.get(1).textValue() : null;
            if (op != null && (op.equals("ANN") || op.equals("kNN"))) {
                if (r.size() != 3) {
                    throw ApiError.at(path, "expected [\"" + head + "\", \"" + op + "\", vector]");
                }
                if (!head.equals("vector")) {
                    throw ApiError.unsupported(path + ": " + op + " on attribute \"" + head
                            + "\" (only \"vector\" holds vectors)");
                }
                JsonNode v = r.get(2);
                if (v.isArray() && !v.isEmpty() && v.get(0).isArray()) {
                    throw ApiError.unsupported(path + ": multi-vector queries");
                }
                if (v.isObject()) {
                    throw ApiError.unsupported(path + ": " + op + " with an expression");
                }
                vector = WireValues.vector(v, path + "[2]", 0);
                if (vector == null) {
                    throw ApiError.at(path + "[2]", "expected a query vector");
                }
                exact = op.equals("kNN");
            } else if (op != null && (op.equals("asc") || op.equals("desc"))) {
                if (r.size() != 2) {
                    throw ApiError.at(path, "expected [\"" + head + "\", \"" + op + "\"]");
                }
                orderBy = head;
                descending = op.equals("desc");
            } else if (RANK_FUNCTIONS.contains(head)) {
                throw ApiError.unsupported(path + ": rank function " + head);
            } else if (op != null) {
                throw ApiError.unsupported(path + ": ranking by " + op);
            } else {
                throw ApiError.at(path, "expected [\"vector\", \"ANN\", vector], [attr, \"kNN\", vector] or"
                        + " [attr, \"asc\"|\"desc\"]");
            }
        }
        return new QueryRequest(vector, exact, orderBy, descending, topK, filters, include, includeAll, exclude,
                eventual, aggregateBy, groupBy);
    }

    private static int topK(JsonNode q, String prefix) {
        JsonNode topK = q.get("top_k");
        JsonNode limit = q.get("limit");
        Integer fromTopK = topK == null || topK.isNull() ? null
                : WireValues.intIn(topK, prefix + "top_k", 1, Limits.MAX_TOP_K);
        Integer fromLimit = null;
        if (limit != null && !limit.isNull()) {
            if (limit.isObject()) {
                WireValues.onlyKnownFields(limit, prefix + "limit", List.of("total", "per"));
                if (limit.has("per")) {
                    throw ApiError.unsupported(prefix + "limit.per");
                }
                fromLimit = WireValues.intIn(limit.get("total"), prefix + "limit.total", 1, Limits.MAX_TOP_K);
            } else {
                fromLimit = WireValues.intIn(limit, prefix + "limit", 1, Limits.MAX_TOP_K);
            }
        }
        if (fromTopK != null && fromLimit != null && !fromTopK.equals(fromLimit)) {
            throw ApiError.badRequest(prefix + "top_k and " + prefix + "limit disagree; give one of them");
        }
        return fromTopK != null ? fromTopK : fromLimit != null ? fromLimit : DEFAULT_TOP_K;
    }

    private static Map<String, Object> aggregateBy(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return Map.of();
        }
        Json.object(node, path);
        if (node.isEmpty()) {
            throw ApiError.at(path, "expected at least one aggregate");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            JsonNode a = f.getValue();
            String at = path + "." + f.getKey();
            if (!a.isArray() || a.isEmpty() || !a.get(0).isTextual()) {
                throw ApiError.at(at, "expected an aggregate such as [\"Count\"]");
            }
            String fn = a.get(0).textValue();
            if (!fn.equals("Count") && !fn.equals("Sum")) {
                throw ApiError.unsupported(at + ": aggregate " + fn);
            }
            out.put(f.getKey(), Json.plain(a, at));
        }
        return out;
    }

    private static List<String> groupBy(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw ApiError.at(path, "expected an array of attribute names");
        }
        for (int i = 0; i < node.size(); i++) {
            if (!node.get(i).isTextual()) {
                throw ApiError.unsupported(path + "[" + i + "]: grouping by an expression");
            }
        }
        return names(node, path);
    }

    private static List<String> names(JsonNode node, String path) {
        if (!node.isArray()) {
            throw ApiError.at(path, "expected an array of attribute names" + (path.endsWith("include_attributes")
                    ? " or a boolean" : ""));
        }
        List<String> out = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            out.add(WireValues.text(node.get(i), path + "[" + i + "]"));
        }
        return out;
    }

    private static boolean eventual(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return false;
        }
        Json.object(node, path);
        WireValues.onlyKnownFields(node, path, List.of("level"));
        String level = WireValues.text(node.get("level"), path + ".level");
        return switch (level) {
            case "strong" -> false;
            case "eventual" -> true;
            default -> throw ApiError.at(path + ".level", "expected \"strong\" or \"eventual\", got \"" + level + "\"");
        };
    }

    private static boolean base64(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return false;
        }
        String v = WireValues.text(node, path);
        return switch (v) {
            case "float" -> false;
            case "base64" -> true;
            default -> throw ApiError.at(path, "expected \"float\" or \"base64\", got \"" + v + "\"");
        };
    }

    private static Rrf rerank(JsonNode node, int queries) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isArray() || node.isEmpty() || !node.get(0).isTextual()) {
            throw ApiError.at("rerank_by", "expected [\"RRF\", {…}]");
        }
        String method = node.get(0).textValue();
        if (!method.equals("RRF")) {
            throw ApiError.unsupported("rerank_by " + method);
        }
        double k = 60;
        List<Double> weights = new ArrayList<>();
        if (node.size() > 1) {
            JsonNode opts = Json.object(node.get(1), "rerank_by[1]");
            WireValues.onlyKnownFields(opts, "rerank_by[1]", List.of("rank_constant", "weights"));
            if (opts.has("rank_constant")) {
                JsonNode rc = opts.get("rank_constant");
                if (!rc.isNumber() || !(rc.doubleValue() >= 0) || !Double.isFinite(rc.doubleValue())) {
                    throw ApiError.at("rerank_by[1].rank_constant", "expected a non-negative number");
                }
                k = rc.doubleValue();
            }
            if (opts.has("weights")) {
                JsonNode w = opts.get("weights");
                if (!w.isArray() || w.size() != queries) {
                    throw ApiError.at("rerank_by[1].weights", "expected one weight per query (" + queries + ")");
                }
                for (int i = 0; i < w.size(); i++) {
                    if (!w.get(i).isNumber() || !Double.isFinite(w.get(i).doubleValue())) {
                        throw ApiError.at("rerank_by[1].weights[" + i + "]", "expected a finite number");
                    }
                    weights.add(w.get(i).doubleValue());
                }
            }
        }
        if (node.size() > 2) {
            throw ApiError.at("rerank_by", "expected [\"RRF\", {…}]");
        }
        if (weights.isEmpty()) {
            for (int i = 0; i < queries; i++) {
                weights.add(1.0);
            }
        }
        return new Rrf(k, weights);
    }

    /** {@code POST /v1/namespaces/{ns}/_debug/recall}. */
    static RecallRequest recall(JsonNode body) {
        Json.object(body, "request body");
        WireValues.onlyKnownFields(body, "", List.of("num", "top_k", "filters", "rank_by", "include_ground_truth",
                "queries"));
        if (WireValues.bool(body.get("include_ground_truth"), "include_ground_truth", false)) {
            throw ApiError.unsupported("include_ground_truth");
        }
        if (body.has("queries") && !body.get("queries").isNull()) {
            throw ApiError.unsupported("recall with given queries");
        }
        JsonNode rankBy = body.get("rank_by");
        if (rankBy != null && !rankBy.isNull()) {
            if (!rankBy.isArray() || rankBy.size() < 2 || !"vector".equals(rankBy.get(0).asText())
                    || !"ANN".equals(rankBy.get(1).asText())) {
                throw ApiError.unsupported("recall with rank_by other than [\"vector\", \"ANN\"]");
            }
        }
        int num = body.has("num") && !body.get("num").isNull() ? WireValues.intIn(body.get("num"), "num", 1, 1_000) : 25;
        int topK = body.has("top_k") && !body.get("top_k").isNull()
                ? WireValues.intIn(body.get("top_k"), "top_k", 1, Limits.MAX_TOP_K) : 10;
        return new RecallRequest(num, topK, WireValues.filter(body.get("filters"), "filters", false));
    }
}
