package dev.strata.actors.namespace;

import dev.strata.actors.namespace.NamespaceProtocol.AttributeSpec;
import dev.strata.actors.namespace.NamespaceProtocol.PatchByFilter;
import dev.strata.actors.namespace.NamespaceProtocol.PatchRow;
import dev.strata.actors.namespace.NamespaceProtocol.UpsertRow;
import dev.strata.actors.namespace.NamespaceProtocol.WriteRequest;
import dev.strata.index.doc.AttributeType;
import dev.strata.index.doc.DocId;
import dev.strata.index.doc.Document;
import dev.strata.index.doc.Schema;
import dev.strata.index.filter.Filter;
import dev.strata.index.filter.FilterBinder;
import dev.strata.index.filter.FilterParser;
import dev.strata.index.vector.Metric;
import dev.strata.index.wal.WalOp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks one write request against a namespace's schema and metric and turns it into WAL
 * operations with canonical values: upserts, then patches, then deletes. Declared attributes
 * ({@code schema}) are applied first; types are inferred for attributes seen for the first time;
 * a value of another type, a declaration that changes a type, a vector of other dimensions, a
 * vector in a patch, a change of distance metric or a malformed filter or condition is a
 * {@link NamespaceException.BadRequest} and nothing of the request is applied. Patches are
 * returned as {@link WalOp.Patch}; the entity resolves them against the current documents before
 * committing. Filters and conditions are parsed and bound here, once per row for conditions that
 * use {@code {"$ref_new": "attr"}} (the row's own value of {@code attr}; for a patch, the value the
 * patch sets, or null when it sets none), so evaluation later needs no schema.
 */
final class WriteAdmission {

    private static final Pattern VECTOR_TYPE = Pattern.compile("\\[(\\d{1,6})\\](f32|f16)");
    private static final String REF_NEW = "$ref_new";

    /**
     * An admitted request: its operations, the schema and metric after it, whether it declared
     * something a WAL object cannot carry (so the commit must publish the schema in a manifest),
     * and, for filter-based or conditional writes, the plan {@link FilterWrites} evaluates.
     */
    record Admitted(List<WalOp> ops, Schema schema, Metric metricOrNull, boolean declared,
                    FilterWrites.Plan planOrNull) {}

    private WriteAdmission() {}

    static Admitted admit(WriteRequest request, Schema schema, Metric metricOrNull) {
        try {
            Schema before = schema;
            schema = declare(schema, request.schema());
            boolean declared = !schema.equals(before);
            Metric metric = metricOrNull;
            if (request.distanceMetricOrNull() != null) {
                Metric requested = Metric.fromApiName(request.distanceMetricOrNull());
                if (metric != null && metric != requested) {
                    throw new NamespaceException.BadRequest("distance_metric is " + metric.apiName()
                            + " for this namespace, cannot change it to " + requested.apiName());
                }
                metric = requested;
            }
            List<WalOp> ops = new ArrayList<>(request.operationCount());
            for (UpsertRow row : request.upserts()) {
                Schema.Admission a = schema.admit(new Document(DocId.fromJson(row.id()), row.vectorOrNull(),
                        row.attributes()));
                if (row.vectorOrNull() != null && metric == null) {
                    throw new NamespaceException.BadRequest("distance_metric is required when writing vectors"
                            + " to a namespace that has none");
                }
                schema = a.schema();
                ops.add(new WalOp.Upsert(a.document()));
            }
            for (PatchRow row : request.patches()) {
                DocId id = DocId.fromJson(row.id());
                Map<String, Object> attributes = row.attributes() == null ? Map.of() : row.attributes();
                schema = schema.admit(new Document(id, checkPatch(attributes, "patch of id " + row.id()))).schema();
                ops.add(new WalOp.Patch(id, canonical(schema, attributes)));
            }
            for (Object id : request.deletes()) {
                ops.add(new WalOp.Delete(DocId.fromJson(id)));
            }
            Map<String, Object> byFilterPatch = null;
            PatchByFilter pbf = request.patchByFilterOrNull();
            if (pbf != null) {
                Map<String, Object> attributes = pbf.patch() == null ? Map.of() : pbf.patch();
                schema = schema.admit(new Document(new DocId.U64(0), checkPatch(attributes, "patch_by_filter")))
                        .schema();
                byFilterPatch = canonical(schema, attributes);
            }
            FilterWrites.Plan plan = plan(request, ops, schema, byFilterPatch);
            return new Admitted(ops, schema, metric, declared, plan);
        } catch (IllegalArgumentException e) { // includes SchemaException and InvalidFilterException
            throw new NamespaceException.BadRequest(e.getMessage());
        }
    }

    /**
     * The schema with the declared attributes: new ones added, {@code filterable} changed on
     * existing ones; a type change (of an attribute or of the vector) is an error. Only the
     * attribute {@code vector} may have a vector type ({@code [N]f32}, {@code [N]f16}).
     */
    static Schema declare(Schema schema, Map<String, AttributeSpec> specs) {
        try {
            return declareUnchecked(schema, specs);
        } catch (IllegalArgumentException e) { // SchemaException: a type change
            throw new NamespaceException.BadRequest(e.getMessage());
        }
    }

    private static Schema declareUnchecked(Schema schema, Map<String, AttributeSpec> specs) {
        for (Map.Entry<String, AttributeSpec> e : specs.entrySet()) {
            String name = e.getKey();
            AttributeSpec spec = e.getValue();
            if (spec == null || spec.type() == null) {
                throw new NamespaceException.BadRequest("schema of '" + name + "' has no type");
            }
            Matcher vector = VECTOR_TYPE.matcher(spec.type());
            if (vector.matches() || name.equals("vector")) {
                if (!name.equals("vector") || !vector.matches()) {
                    throw new NamespaceException.BadRequest("schema of '" + name + "': type " + spec.type()
                            + (name.equals("vector") ? " is not a vector type ([N]f32 or [N]f16)"
                            : " is a vector type; only the attribute 'vector' holds vectors"));
                }
                schema = schema.withVector(Integer.parseInt(vector.group(1)),
                        Schema.VectorElement.valueOf(vector.group(2).toUpperCase(java.util.Locale.ROOT)));
                continue;
            }
            if (spec.ann()) {
                throw new NamespaceException.BadRequest("schema of '" + name + "': ann applies only to 'vector'");
            }
            AttributeType type = AttributeType.fromWireName(spec.type()).orElseThrow(() ->
                    new NamespaceException.BadRequest("schema of '" + name + "': unknown type '" + spec.type() + "'"));
            boolean filterable = spec.filterableOrNull() != null ? spec.filterableOrNull()
                    : schema.attribute(name).map(Schema.Attribute::filterable).orElse(true);
            schema = schema.withAttribute(name, type, filterable);
        }
        return schema;
    }

    private static Map<String, Object> checkPatch(Map<String, Object> attributes, String what) {
        if (attributes.containsKey("vector")) {
            throw new NamespaceException.BadRequest("vectors cannot be patched (" + what + ")");
        }
        return attributes;
    }

    private static Map<String, Object> canonical(Schema schema, Map<String, Object> attributes) {
        Map<String, Object> canonical = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : attributes.entrySet()) {
            Schema.checkAttributeName(e.getKey());
            canonical.put(e.getKey(), e.getValue() == null ? null : schema.conform(e.getKey(), e.getValue()));
        }
        return canonical;
    }

    /** The by-filter operations and per-operation conditions, bound; null for a plain write. */
    private static FilterWrites.Plan plan(WriteRequest request, List<WalOp> ops, Schema schema,
                                          Map<String, Object> byFilterPatch) {
        boolean conditional = request.upsertConditionOrNull() != null || request.patchConditionOrNull() != null
                || request.deleteConditionOrNull() != null;
        if (request.deleteByFilterOrNull() == null && request.patchByFilterOrNull() == null && !conditional) {
            return null;
        }
        Filter deleteFilter = request.deleteByFilterOrNull() == null ? null
                : bind(request.deleteByFilterOrNull(), schema, "delete_by_filter");
        Filter patchFilter = request.patchByFilterOrNull() == null ? null
                : bind(request.patchByFilterOrNull().filters(), schema, "patch_by_filter.filters");
        List<Filter> conditions = new ArrayList<>(ops.size());
        int u = 0;
        int p = 0;
        for (WalOp op : ops) {
            if (op instanceof WalOp.Upsert) {
                conditions.add(condition(request.upsertConditionOrNull(), request.upserts().get(u++).attributes(),
                        op.id(), schema, "upsert_condition"));
            } else if (op instanceof WalOp.Patch) {
                Map<String, Object> values = request.patches().get(p++).attributes();
                conditions.add(condition(request.patchConditionOrNull(), values == null ? Map.of() : values,
                        op.id(), schema, "patch_condition"));
            } else {
                conditions.add(condition(request.deleteConditionOrNull(), null, op.id(), schema, "delete_condition"));
            }
        }
        return new FilterWrites.Plan(deleteFilter, patchFilter, byFilterPatch, request.allowPartial(), conditions);
    }

    private static Filter bind(Object json, Schema schema, String name) {
        return FilterBinder.bind(FilterParser.parse(json, name), schema, name);
    }

    /** A row's condition with its {@code $ref_new} references replaced; null without a condition. */
    private static Filter condition(Object json, Map<String, Object> newValuesOrNull, DocId id, Schema schema,
                                    String name) {
        return json == null ? null : bind(substitute(json, newValuesOrNull, id, name), schema, name);
    }

    private static Object substitute(Object node, Map<String, Object> newValuesOrNull, DocId id, String name) {
        if (node instanceof Map<?, ?> map && map.containsKey(REF_NEW)) {
            if (newValuesOrNull == null) {
                throw new NamespaceException.BadRequest(name + ": " + REF_NEW
                        + " refers to the new row, and a delete has none");
            }
            if (map.size() != 1 || !(map.get(REF_NEW) instanceof String attribute)) {
                throw new NamespaceException.BadRequest(name + ": expected {\"" + REF_NEW + "\": \"attribute\"}, got "
                        + map);
            }
            return attribute.equals("id") ? id.toJson() : newValuesOrNull.get(attribute);
        }
        if (node instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (Object child : list) {
                out.add(substitute(child, newValuesOrNull, id, name));
            }
            return out;
        }
        return node;
    }
}
