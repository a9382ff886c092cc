package dev.strata.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.actors.namespace.NamespaceProtocol.AttributeSpec;
import dev.strata.actors.namespace.NamespaceProtocol.PatchByFilter;
import dev.strata.actors.namespace.NamespaceProtocol.PatchRow;
import dev.strata.actors.namespace.NamespaceProtocol.UpsertRow;
import dev.strata.actors.namespace.NamespaceProtocol.WriteRequest;
import dev.strata.actors.storage.NamespaceName;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads the body of {@code POST /v2/namespaces/{ns}} (turbopuffer's write request) into a
 * {@link WriteRequest}, or a copy-from-namespace request. Rows may come as {@code upsert_rows}
 * / {@code patch_rows} objects or as {@code upsert_columns} / {@code patch_columns}; vectors as
 * arrays or base64 f32. Within one request the last upsert (or patch) of an id wins. Errors
 * name the field path, e.g. {@code upsert_rows[3].vector: expected 384 dimensions, got 12}.
 */
final class WriteCodec {

    /** A parsed write body: either a write or a copy from another namespace (with nothing else). */
    record ParsedWrite(WriteRequest requestOrNull, String copySourceOrNull) {}

    private static final List<String> FIELDS = List.of("upsert_rows", "upsert_columns", "patch_rows",
            "patch_columns", "deletes", "upsert_condition", "patch_condition", "delete_condition",
            "patch_by_filter", "patch_by_filter_allow_partial", "delete_by_filter", "delete_by_filter_allow_partial",
            "distance_metric", "schema", "encryption", "disable_backpressure", "return_affected_ids", "sharding",
            "copy_from_namespace", "branch_from_namespace", "dest_encryption");

    private static final Pattern VECTOR_TYPE = Pattern.compile("\\[(\\d+)\\](f32|f16)");

    private WriteCodec() {}

    static ParsedWrite parse(JsonNode body) {
        Json.object(body, "request body");
        WireValues.onlyKnownFields(body, "", FIELDS);
        if (body.has("branch_from_namespace")) {
            throw ApiError.unsupported("branch_from_namespace");
        }
        if (body.has("sharding")) {
            throw ApiError.unsupported("sharding");
        }
        encryption(body.get("encryption"), "encryption");
        encryption(body.get("dest_encryption"), "dest_encryption");
        if (body.has("copy_from_namespace")) {
            return new ParsedWrite(null, copySource(body));
        }
        int[] dims = {0};
        List<UpsertRow> upserts = new ArrayList<>();
        List<PatchRow> patches = new ArrayList<>();
        if (body.has("upsert_rows")) {
            upserts.addAll(upsertRows(array(body.get("upsert_rows"), "upsert_rows"), dims));
        }
        if (body.has("upsert_columns")) {
            upserts.addAll(upsertColumns(body.get("upsert_columns"), dims));
        }
        if (body.has("patch_rows")) {
            patches.addAll(patchRows(array(body.get("patch_rows"), "patch_rows")));
        }
        if (body.has("patch_columns")) {
            patches.addAll(patchColumns(body.get("patch_columns")));
        }
        List<Object> deletes = new ArrayList<>();
        if (body.has("deletes")) {
            JsonNode d = array(body.get("deletes"), "deletes");
            for (int i = 0; i < d.size(); i++) {
                deletes.add(WireValues.id(d.get(i), "deletes[" + i + "]"));
            }
        }
        Object deleteByFilter = WireValues.filter(body.get("delete_by_filter"), "delete_by_filter", false);
        PatchByFilter patchByFilter = patchByFilter(body.get("patch_by_filter"));
        boolean allowPartial = allowPartial(body, deleteByFilter != null, patchByFilter != null);
        Object upsertCondition = WireValues.filter(body.get("upsert_condition"), "upsert_condition", true);
        Object patchCondition = WireValues.filter(body.get("patch_condition"), "patch_condition", true);
        Object deleteCondition = WireValues.filter(body.get("delete_condition"), "delete_condition", true);
        String metric = null;
        JsonNode m = body.get("distance_metric");
        if (m != null && !m.isNull()) {
            metric = WireValues.text(m, "distance_metric");
            if (!metric.equals("cosine_distance") && !metric.equals("euclidean_squared")) {
                throw ApiError.at("distance_metric", "expected cosine_distance or euclidean_squared, got \""
                        + metric + "\"");
            }
        }
        Map<String, AttributeSpec> schema = schema(body.get("schema"), "schema");
        checkAttributeCount(upserts, patches, schema);
        if (upserts.isEmpty() && patches.isEmpty() && deletes.isEmpty() && deleteByFilter == null
                && patchByFilter == null && schema.isEmpty()) {
            throw ApiError.badRequest("the write has nothing to do: give upsert_rows, upsert_columns, patch_rows,"
                    + " patch_columns, deletes, delete_by_filter, patch_by_filter, schema or copy_from_namespace");
        }
        return new ParsedWrite(new WriteRequest(lastWins(upserts), lastPatchWins(patches), deletes, deleteByFilter,
                patchByFilter, allowPartial, upsertCondition, patchCondition, deleteCondition, schema, metric,
                WireValues.bool(body.get("disable_backpressure"), "disable_backpressure", false),
                WireValues.bool(body.get("return_affected_ids"), "return_affected_ids", false)), null);
    }

    /**
     * The one allow-partial flag the entity takes, from the flags of the by-filter operations the
     * request has (a flag without its operation has no effect). The entity applies the flag to
     * both operations, so a request whose two operations disagree is refused rather than letting
     * one of them apply partially against the caller's wish.
     */
    private static boolean allowPartial(JsonNode body, boolean deleteByFilter, boolean patchByFilter) {
        boolean delete = WireValues.bool(body.get("delete_by_filter_allow_partial"), "delete_by_filter_allow_partial",
                false);
        boolean patch = WireValues.bool(body.get("patch_by_filter_allow_partial"), "patch_by_filter_allow_partial",
                false);
        if (deleteByFilter && patchByFilter && delete != patch) {
            throw ApiError.badRequest("delete_by_filter_allow_partial and patch_by_filter_allow_partial differ; Strata"
                    + " applies one allow-partial setting to both by-filter operations of a request, so send them as"
                    + " separate writes or give both flags the same value");
        }
        return (deleteByFilter && delete) || (patchByFilter && patch);
    }

    private static String copySource(JsonNode body) {
        var others = body.fieldNames();
        while (others.hasNext()) {
            String f = others.next();
            if (!f.equals("copy_from_namespace") && !f.equals("dest_encryption") && !f.equals("encryption")) {
                throw ApiError.badRequest("copy_from_namespace cannot be combined with " + f);
            }
        }
        JsonNode c = body.get("copy_from_namespace");
        String source;
        if (c.isTextual()) {
            source = c.textValue();
        } else if (c.isObject()) {
            WireValues.onlyKnownFields(c, "copy_from_namespace", List.of("source_namespace", "source_api_key",
                    "source_region"));
            if (c.has("source_region")) {
                throw ApiError.unsupported("copy_from_namespace.source_region");
            }
            source = WireValues.text(c.get("source_namespace"), "copy_from_namespace.source_namespace");
        } else {
            throw ApiError.at("copy_from_namespace", "expected a namespace name or {\"source_namespace\": …}, got "
                    + Json.describe(c));
        }
        try {
            new NamespaceName(source);
        } catch (IllegalArgumentException e) {
            throw ApiError.at("copy_from_namespace", e.getMessage());
        }
        return source;
    }

    private static void encryption(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return;
        }
        if (!node.isObject() || !node.path("mode").isTextual()) {
            throw ApiError.at(path, "expected {\"mode\": \"default\"}, got " + Json.describe(node));
        }
        String mode = node.get("mode").textValue();
        if (!mode.equals("default")) {
            throw ApiError.unsupported(path + " mode \"" + mode + "\"");
        }
    }

    private static JsonNode array(JsonNode node, String path) {
        if (node == null || !node.isArray()) {
            throw ApiError.at(path, "expected an array, got " + (node == null ? "nothing" : Json.describe(node)));
        }
        return node;
    }

    private static List<UpsertRow> upsertRows(JsonNode rows, int[] dims) {
        List<UpsertRow> out = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            String path = "upsert_rows[" + i + "]";
            JsonNode row = Json.object(rows.get(i), path);
            Object id = WireValues.id(row.get("id"), path + ".id");
            float[] vector = WireValues.vector(row.get("vector"), path + ".vector", dims[0]);
            if (vector != null) {
                dims[0] = vector.length;
            }
            Map<String, Object> attributes = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> fields = row.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                String name = f.getKey();
                if (name.equals("id") || name.equals("vector")) {
                    continue;
                }
                WireValues.attributeName(name, path + "." + name);
                Object value = WireValues.attributeValue(f.getValue(), path + "." + name);
                if (value != null) {
                    attributes.put(name, value);
                }
            }
            out.add(new UpsertRow(id, vector, attributes));
        }
        return out;
    }

    private static List<PatchRow> patchRows(JsonNode rows) {
        List<PatchRow> out = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            String path = "patch_rows[" + i + "]";
            JsonNode row = Json.object(rows.get(i), path);
            Object id = WireValues.id(row.get("id"), path + ".id");
            Map<String, Object> attributes = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> fields = row.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                String name = f.getKey();
                if (name.equals("id")) {
                    continue;
                }
                if (name.equals("vector")) {
                    throw ApiError.at(path + ".vector", "vectors cannot be patched; upsert the document instead");
                }
                WireValues.attributeName(name, path + "." + name);
                attributes.put(name, WireValues.attributeValue(f.getValue(), path + "." + name));
            }
            out.add(new PatchRow(id, attributes));
        }
        return out;
    }

    /** Columns as name → array, checked for equal lengths; "id" is required. */
    private static Map<String, JsonNode> columns(JsonNode node, String path) {
        Json.object(node, path);
        JsonNode ids = node.get("id");
        if (ids == null || !ids.isArray()) {
            throw ApiError.at(path + ".id", "expected an array of ids");
        }
        Map<String, JsonNode> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            JsonNode column = f.getValue();
            if (!column.isArray()) {
                throw ApiError.at(path + "." + f.getKey(), "expected an array (one value per id), got "
                        + Json.describe(column));
            }
            if (column.size() != ids.size()) {
                throw ApiError.at(path + "." + f.getKey(), "has " + column.size() + " values but there are "
                        + ids.size() + " ids; all columns must have the same length");
            }
            if (!f.getKey().equals("id") && !f.getKey().equals("vector")) {
                WireValues.attributeName(f.getKey(), path + "." + f.getKey());
            }
            out.put(f.getKey(), column);
        }
        return out;
    }

    private static List<UpsertRow> upsertColumns(JsonNode node, int[] dims) {
        Map<String, JsonNode> columns = columns(node, "upsert_columns");
        JsonNode ids = columns.get("id");
        JsonNode vectors = columns.get("vector");
        List<UpsertRow> out = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            Object id = WireValues.id(ids.get(i), "upsert_columns.id[" + i + "]");
            float[] vector = null;
            if (vectors != null) {
                vector = WireValues.vector(vectors.get(i), "upsert_columns.vector[" + i + "]", dims[0]);
                if (vector != null) {
                    dims[0] = vector.length;
                }
            }
            Map<String, Object> attributes = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> c : columns.entrySet()) {
                if (c.getKey().equals("id") || c.getKey().equals("vector")) {
                    continue;
                }
                Object value = WireValues.attributeValue(c.getValue().get(i),
                        "upsert_columns." + c.getKey() + "[" + i + "]");
                if (value != null) {
                    attributes.put(c.getKey(), value);
                }
            }
            out.add(new UpsertRow(id, vector, attributes));
        }
        return out;
    }

    private static List<PatchRow> patchColumns(JsonNode node) {
        Map<String, JsonNode> columns = columns(node, "patch_columns");
        if (columns.containsKey("vector")) {
            throw ApiError.at("patch_columns.vector", "vectors cannot be patched; upsert the documents instead");
        }
        JsonNode ids = columns.get("id");
        List<PatchRow> out = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            Object id = WireValues.id(ids.get(i), "patch_columns.id[" + i + "]");
            Map<String, Object> attributes = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> c : columns.entrySet()) {
                if (!c.getKey().equals("id")) {
                    attributes.put(c.getKey(), WireValues.attributeValue(c.getValue().get(i),
                            "patch_columns." + c.getKey() + "[" + i + "]"));
                }
            }
            out.add(new PatchRow(id, attributes));
        }
        return out;
    }

    private static PatchByFilter patchByFilter(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        Json.object(node, "patch_by_filter");
        WireValues.onlyKnownFields(node, "patch_by_filter", List.of("filters", "patch"));
        if (!node.has("filters")) {
            throw ApiError.at("patch_by_filter.filters", "is required");
        }
        Object filters = WireValues.filter(node.get("filters"), "patch_by_filter.filters", false);
        JsonNode patch = node.get("patch");
        if (patch == null || !patch.isObject()) {
            throw ApiError.at("patch_by_filter.patch", "expected an object of attribute values");
        }
        Map<String, Object> values = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = patch.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            String path = "patch_by_filter.patch." + f.getKey();
            if (f.getKey().equals("vector")) {
                throw ApiError.at(path, "vectors cannot be patched");
            }
            if (f.getKey().equals("id")) {
                throw ApiError.at(path, "ids cannot be patched");
            }
            WireValues.attributeName(f.getKey(), path);
            values.put(f.getKey(), WireValues.attributeValue(f.getValue(), path));
        }
        return new PatchByFilter(filters, values);
    }

    /** Reads a schema map (write "schema" field or the bare body of POST .../schema). */
    static Map<String, AttributeSpec> schema(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return Map.of();
        }
        Json.object(node, path);
        Map<String, AttributeSpec> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            String name = f.getKey();
            String at = path + "." + name;
            if (name.equals("id")) {
                // Clients may declare the id type (the official examples do); ids are typed by
                // their JSON value, so an accepted declaration needs nothing stored.
                JsonNode type = f.getValue().isTextual() ? f.getValue() : f.getValue().path("type");
                if (!type.isTextual() || !List.of("uuid", "string", "uint", "u64").contains(type.textValue())) {
                    throw ApiError.at(at, "the id's type is uuid, string or uint");
                }
                continue;
            }
            if (!name.equals("vector")) {
                WireValues.attributeName(name, at);
            }
            out.put(name, attributeSpec(name, f.getValue(), at));
        }
        return out;
    }

    private static AttributeSpec attributeSpec(String name, JsonNode spec, String path) {
        if (spec.isTextual()) {
            return checkedType(name, spec.textValue(), null, false, path);
        }
        Json.object(spec, path);
        WireValues.onlyKnownFields(spec, path, List.of("type", "filterable", "ann", "full_text_search", "regex",
                "glob", "fuzzy", "sparse_knn", "embed"));
        for (String feature : List.of("full_text_search", "regex", "glob", "fuzzy", "sparse_knn", "embed")) {
            JsonNode v = spec.get(feature);
            if (v != null && !v.isNull() && !(v.isBoolean() && !v.booleanValue())) {
                throw ApiError.unsupported(path + "." + feature + " (schema option " + feature + ")");
            }
        }
        String type = WireValues.text(spec.get("type"), path + ".type");
        Boolean filterable = null;
        if (spec.has("filterable") && !spec.get("filterable").isNull()) {
            filterable = WireValues.bool(spec.get("filterable"), path + ".filterable", true);
        }
        boolean ann = false;
        JsonNode a = spec.get("ann");
        if (a != null && !a.isNull()) {
            if (a.isBoolean()) {
                ann = a.booleanValue();
            } else if (a.isObject()) {
                WireValues.onlyKnownFields(a, path + ".ann", List.of("distance_metric"));
                ann = true;
            } else {
                throw ApiError.at(path + ".ann", "expected true, false or {\"distance_metric\": …}");
            }
        }
        return checkedType(name, type, filterable, ann, path);
    }

    private static AttributeSpec checkedType(String name, String type, Boolean filterable, boolean ann, String path) {
        var vector = VECTOR_TYPE.matcher(type);
        if (vector.matches()) {
            if (!name.equals("vector")) {
                throw ApiError.unsupported(path + ": vector attributes other than \"vector\"");
            }
            int dims;
            try {
                dims = Integer.parseInt(vector.group(1));
            } catch (NumberFormatException e) {
                dims = Integer.MAX_VALUE;
            }
            if (dims < 1 || dims > Limits.MAX_DIMENSIONS) {
                throw ApiError.at(path + ".type", "vectors have 1 to " + Limits.MAX_DIMENSIONS + " dimensions, got "
                        + vector.group(1));
            }
            return new AttributeSpec(type, filterable, true);
        }
        if (name.equals("vector")) {
            throw ApiError.at(path + ".type", "the vector attribute's type is [N]f32 or [N]f16, got \"" + type + "\"");
        }
        if (type.startsWith("{") || type.startsWith("[][")) {
            throw ApiError.unsupported(path + ".type \"" + type + "\" (sparse and multi-vectors)");
        }
        if (dev.strata.index.doc.AttributeType.fromWireName(type).isEmpty()) {
            throw ApiError.at(path + ".type", "unknown type \"" + type + "\"");
        }
        if (ann) {
            throw ApiError.at(path + ".ann", "only vector attributes have an ANN index");
        }
        return new AttributeSpec(type, filterable, false);
    }

    private static void checkAttributeCount(List<UpsertRow> upserts, List<PatchRow> patches,
                                            Map<String, AttributeSpec> schema) {
        java.util.Set<String> names = new java.util.HashSet<>(schema.keySet());
        upserts.forEach(r -> names.addAll(r.attributes().keySet()));
        patches.forEach(r -> names.addAll(r.attributes().keySet()));
        if (names.size() > Limits.MAX_ATTRIBUTES) {
            throw ApiError.badRequest("the write uses " + names.size() + " distinct attributes; at most "
                    + Limits.MAX_ATTRIBUTES + " are allowed");
        }
    }

    /** Keeps the last upsert of each id, at the position of its last occurrence. */
    private static List<UpsertRow> lastWins(List<UpsertRow> rows) {
        Map<Object, UpsertRow> byId = new LinkedHashMap<>();
        for (UpsertRow r : rows) {
            Object key = WireValues.idKey(r.id());
            byId.remove(key);
            byId.put(key, r);
        }
        return byId.size() == rows.size() ? rows : new ArrayList<>(byId.values());
    }

    /** Merges patches of the same id in order: later values win. */
    private static List<PatchRow> lastPatchWins(List<PatchRow> rows) {
        Map<Object, PatchRow> byId = new LinkedHashMap<>();
        for (PatchRow r : rows) {
            Object key = WireValues.idKey(r.id());
            PatchRow earlier = byId.remove(key);
            if (earlier == null) {
                byId.put(key, r);
            } else {
                Map<String, Object> merged = new LinkedHashMap<>(earlier.attributes());
                merged.putAll(r.attributes());
                byId.put(key, new PatchRow(r.id(), merged));
            }
        }
        return byId.size() == rows.size() ? rows : new ArrayList<>(byId.values());
    }
}
