package dev.strata.actors.namespace;

import dev.strata.actors.namespace.NamespaceProtocol.AttributeSpec;
import dev.strata.actors.namespace.NamespaceProtocol.NamespaceMetadata;
import dev.strata.index.doc.DocId;
import dev.strata.index.doc.Schema;
import dev.strata.index.wal.WalOp;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * A namespace's metadata computed from a committed {@link Snapshot}.
 *
 * <p>{@code approx_row_count} is exact as of the snapshot: each segment's live documents (its
 * rows minus those a newer segment or the tail superseded) plus the ids whose newest tail
 * operation is an upsert (the tail's ids are already excluded from every segment). It is
 * "approximate" only in that writes committed after the snapshot are not counted.
 * {@code approx_logical_bytes} is an estimate: each segment's object size scaled by its live
 * fraction, plus the unindexed WAL bytes. {@code unindexed_bytes} is the WAL tail's size.
 */
final class NamespaceMetadataView {

    private NamespaceMetadataView() {}

    static CompletableFuture<NamespaceMetadata> describe(Snapshot snapshot, NamespaceTimes.Times times,
                                                         Executor compute) {
        return CompletableFuture.supplyAsync(() -> metadata(snapshot, times), compute);
    }

    static NamespaceMetadata metadata(Snapshot snapshot, NamespaceTimes.Times times) {
        long rows = 0;
        double bytes = 0;
        for (SegmentView view : snapshot.segments()) {
            long size = view.segment().size();
            long live = size - view.excluded().getLongCardinality();
            rows += live;
            bytes += size == 0 ? 0 : (double) view.entry().bytes() * live / size;
        }
        Map<DocId, Boolean> newest = new HashMap<>();
        long unindexed = 0;
        for (TailBatch batch : snapshot.tail()) {
            batch.ops().forEach(op -> newest.put(op.id(), op instanceof WalOp.Upsert));
            unindexed += batch.bytes();
        }
        rows += newest.values().stream().filter(Boolean::booleanValue).count();
        return new NamespaceMetadata(rows, Math.round(bytes) + unindexed, times.createdAtOrNull().toString(),
                times.updatedAtOrNull().toString(), schema(snapshot.schema()),
                snapshot.metricOrNull() == null ? null : snapshot.metricOrNull().apiName(), unindexed);
    }

    /** The schema as the API shows it, the vector as attribute {@code vector} of type {@code [dims]f32}. */
    static Map<String, AttributeSpec> schema(Schema schema) {
        Map<String, AttributeSpec> out = new LinkedHashMap<>();
        schema.attributes().forEach((name, a) -> out.put(name, new AttributeSpec(a.type().wireName(), a.filterable(),
                false)));
        if (schema.vectorDims() > 0) {
            out.put("vector", new AttributeSpec("[" + schema.vectorDims() + "]" + schema.vectorElement().wireName(),
                    null, true));
        }
        return out;
    }
}
