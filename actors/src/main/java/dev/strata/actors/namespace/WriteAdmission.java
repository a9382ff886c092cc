package dev.strata.actors.namespace;

import dev.strata.actors.namespace.NamespaceProtocol.PatchRow;
import dev.strata.actors.namespace.NamespaceProtocol.UpsertRow;
import dev.strata.actors.namespace.NamespaceProtocol.WriteRequest;
import dev.strata.index.doc.DocId;
import dev.strata.index.doc.Document;
import dev.strata.index.doc.Schema;
import dev.strata.index.vector.Metric;
import dev.strata.index.wal.WalOp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks one write request against a namespace's schema and metric and turns it into WAL
 * operations with canonical values: upserts, then patches, then deletes. Types are inferred for
 * attributes seen for the first time; a value of another type, a vector of other dimensions, a
 * vector in a patch or a change of distance metric is a {@link NamespaceException.BadRequest}
 * and nothing of the request is applied. Patches are returned as {@link WalOp.Patch}; the
 * entity resolves them against the current documents before committing.
 */
final class WriteAdmission {

    /** An admitted request: its operations and the schema and metric after it. */
    record Admitted(List<WalOp> ops, Schema schema, Metric metricOrNull) {}

    private WriteAdmission() {}

    static Admitted admit(WriteRequest request, Schema schema, Metric metricOrNull) {
        try {
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
                Map<String, Object> attributes = row.attributes() == null ? Map.of() : row.attributes();
                if (attributes.containsKey("vector")) {
                    throw new NamespaceException.BadRequest("vectors cannot be patched (patch of id " + row.id() + ")");
                }
                DocId id = DocId.fromJson(row.id());
                // Infer types of attributes new to the schema from the patch's non-null values.
                schema = schema.admit(new Document(id, attributes)).schema();
                Map<String, Object> canonical = new LinkedHashMap<>();
                for (Map.Entry<String, Object> e : attributes.entrySet()) {
                    Schema.checkAttributeName(e.getKey());
                    canonical.put(e.getKey(), e.getValue() == null ? null : schema.conform(e.getKey(), e.getValue()));
                }
                ops.add(new WalOp.Patch(id, canonical));
            }
            for (Object id : request.deletes()) {
                ops.add(new WalOp.Delete(DocId.fromJson(id)));
            }
            return new Admitted(ops, schema, metric);
        } catch (IllegalArgumentException e) { // includes SchemaException {
            throw new NamespaceException.BadRequest(e.getMessage());
        }
    }
}
