package dev.strata.actors.namespace;

import dev.strata.actors.storage.NamespaceLayout;
import dev.strata.index.doc.DocId;
import dev.strata.index.doc.Document;
import dev.strata.index.doc.Schema;
import dev.strata.index.ivf.IvfBuildParams;
import dev.strata.index.search.SegmentBuilder;
import dev.strata.index.vector.Metric;
import dev.strata.index.wal.WalOp;
import dev.strata.index.wal.WalWriter;
import dev.strata.tiering.read.ReadStats;
import dev.strata.tiering.read.TieredReader;
import dev.strata.tiering.store.ObjectStore;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.roaringbitmap.RoaringBitmap;

/**
 * The namespace entity's background builds: folding the unindexed tail into a new segment and
 * merging segments into one. Each returns the written segment, opened, for the entity to publish
 * in a manifest; nothing here publishes, so until the entity's manifest create succeeds the
 * written objects are unreferenced garbage (see {@link Manifest}). Building runs on the indexer
 * executor, object writes on the store's I/O threads; the inputs are immutable views the entity
 * handed over, so writes keep flowing while a build runs.
 */
final class Indexer {

    /** The storage and executors a build uses. */
    record Context(NamespaceLayout layout, ObjectStore store, TieredReader reader, Executor indexer,
                   Executor compute, ReadStats stats) {}

    /** A written segment: its manifest entry and an open view with nothing superseded yet. */
    record Built(Manifest.SegmentEntry entry, SegmentView view) {}

    private Indexer() {}

    /**
     * Folds tail batches (in sequence order) into one segment: the newest upsert of each id
     * becomes a document; the newest delete of an id that an older segment holds goes into the
     * segment's deletes object.
     *
     * @param schema covers every upserted document
     * @param older  the namespace's segments, consulted only for which ids they hold
     */
    static CompletableFuture<Built> index(Context ctx, List<TailBatch> batches, Schema schema, Metric metricOrNull,
                                          List<SegmentView> older) {
        long walFirst = batches.get(0).sequence();
        long walLast = batches.get(batches.size() - 1).sequence();
        return CompletableFuture.supplyAsync(() -> {
            Map<DocId, WalOp> newest = new LinkedHashMap<>();
            for (TailBatch batch : batches) {
                for (WalOp op : batch.ops()) {
                    newest.put(op.id(), op);
                }
            }
            List<Document> docs = new ArrayList<>();
            List<DocId> deletes = new ArrayList<>();
            for (WalOp op : newest.values()) {
                if (op instanceof WalOp.Upsert u) {
                    docs.add(u.document());
                } else if (op instanceof WalOp.Delete && older.stream().anyMatch(s -> s.ids().ordinalOf(op.id()) >= 0)) {
                    deletes.add(op.id());
                }
            }
            return new Parts(build(docs, schema, metricOrNull, ctx.indexer()), docs.size(), deletes);
        }, ctx.indexer()).thenCompose(parts -> write(ctx, parts, walFirst, walLast));
    }

    /**
     * Merges segments (oldest first, each with its superseded documents excluded) into one
     * holding every live document once: the newest segment's copy wins, superseded and deleted
     * documents are dropped. The result replaces all of them, so it needs no deletes object.
     */
    static CompletableFuture<Built> compact(Context ctx, List<SegmentView> segments, Schema schema, Metric metricOrNull) {
        List<CompletableFuture<List<Document>>> parts = new ArrayList<>();
        Set<DocId> taken = new HashSet<>();
        // Newest first: an id already taken by a newer segment is superseded here.
        for (int i = segments.size() - 1; i >= 0; i--) {
            SegmentView view = segments.get(i);
            RoaringBitmap live = view.live(null);
            RoaringBitmap ordinals = new RoaringBitmap();
            (live == null ? RoaringBitmap.bitmapOfRange(0, view.segment().size()) : live).forEach((int ordinal) -> {
                if (taken.add(view.ids().id(ordinal))) {
                    ordinals.add(ordinal);
                }
            });
            parts.add(SegmentDocuments.documents(view, ordinals.toArray(), schema));
        }
        long walFirst = segments.stream().mapToLong(s -> s.entry().walFirst()).min().orElseThrow();
        long walLast = segments.stream().mapToLong(s -> s.entry().walLast()).max().orElseThrow();
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApplyAsync(ignored -> {
            List<Document> docs = new ArrayList<>();
            parts.forEach(p -> docs.addAll(p.join()));
            return new Parts(build(docs, schema, metricOrNull, ctx.indexer()), docs.size(), List.of());
        }, ctx.indexer()).thenCompose(p -> write(ctx, p, walFirst, walLast));
    }

    /**
     * Heap a merge may need per byte of the merged vectors: it holds the documents, the builder's
     * copy of their vectors, the vector index being written and the segment file (copied once
     * more as it grows), all at once. An estimate with margin, not a measurement.
     */
    static final int MERGE_HEAP_PER_VECTOR_BYTE = 8;

    /**
     * Whether merging {@code segments} into one is affordable with a heap of {@code maxHeapBytes}:
     * their documents' vectors, times {@link #MERGE_HEAP_PER_VECTOR_BYTE}, within it. A merge
     * that would exhaust the heap would take the node down with it.
     */
    static boolean mergeFits(List<SegmentView> segments, Schema schema, long maxHeapBytes) {
        long documents = segments.stream().mapToLong(v -> v.entry().documents()).sum();
        long vectorBytes = documents * Math.max(1, schema.vectorDims()) * Float.BYTES;
        return vectorBytes <= maxHeapBytes / MERGE_HEAP_PER_VECTOR_BYTE;
    }

    private record Parts(byte[] segment, int documents, List<DocId> deletes) {}

    private static byte[] build(List<Document> docs, Schema schema, Metric metricOrNull, Executor executor) {
        // The metric only matters for vectors; a namespace without vectors may have none.
        Metric metric = metricOrNull != null ? metricOrNull : Metric.EUCLIDEAN_SQUARED;
        return SegmentBuilder.build(docs, schema, IvfBuildParams.defaults(metric).withParallelism(1), executor);
    }

    /**
     * Writes the segment (and its deletes object) under fresh keys, then opens it; the entry
     * records the layout the open found. A plain put suffices: the id is new, so no other writer
     * uses the key.
     */
    private static CompletableFuture<Built> write(Context ctx, Parts parts, long walFirst, long walLast) {
        String id = NamespaceLayout.sequence(walLast) + "-" + UUID.randomUUID();
        String key = ctx.layout().segmentKey(id);
        String deletesKey = parts.deletes().isEmpty() ? null : ctx.layout().deletesKey(id);
        CompletableFuture<Void> deletesWritten = CompletableFuture.completedFuture(null);
        if (deletesKey != null) {
            WalWriter writer = new WalWriter(Schema.empty());
            parts.deletes().forEach(writer::delete);
            deletesWritten = ctx.store().put(deletesKey, writer.finish());
        }
        Manifest.SegmentEntry entry = new Manifest.SegmentEntry(id, key, parts.segment().length, parts.documents(),
                walFirst, walLast, deletesKey, parts.deletes().size());
        return deletesWritten.thenCompose(ignored -> ctx.store().put(key, parts.segment()))
                // The entity folds the new segment in at once, excluding ids written since: with its ids.
                .thenCompose(ignored -> Hydration.open(entry, ctx.reader(), ctx.compute(), ctx.stats(), true))
                .thenApply(view -> {
                    Manifest.SegmentEntry recorded = entry.withLayout(view.segment().layout());
                    return new Built(recorded, new SegmentView(recorded, view.segment(), view.excluded()));
                });
    }
}
