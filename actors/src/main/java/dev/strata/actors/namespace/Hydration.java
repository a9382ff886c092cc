package dev.strata.actors.namespace;

import dev.strata.actors.storage.NamespaceLayout;
import dev.strata.actors.storage.SequencedLog;
import dev.strata.cache.ObjectId;
import dev.strata.index.attr.IdColumn;
import dev.strata.index.doc.CorruptDataException;
import dev.strata.index.doc.DocId;
import dev.strata.index.doc.Document;
import dev.strata.index.doc.Schema;
import dev.strata.index.io.RangeSource;
import dev.strata.index.search.Segment;
import dev.strata.index.search.SegmentLayout;
import dev.strata.index.segment.SegmentReader;
import dev.strata.index.wal.WalOp;
import dev.strata.index.wal.WalReader;
import dev.strata.tiering.read.ReadStats;
import dev.strata.tiering.read.TieredReader;
import dev.strata.tiering.store.ObjectStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.roaringbitmap.RoaringBitmap;

/**
 * Loads a namespace from the bucket: the newest manifest, its segments (opened through the
 * tiered reader) with their deletes objects, and the WAL entries after {@code indexed_through}
 * replayed into an in-memory tail. A segment's documents whose ids a newer segment holds or
 * deletes, or the tail writes, are marked superseded, so the id columns are loaded too, unless
 * the namespace is one segment whose vector records carry their ids and no tail: then nothing
 * needs them until the first write (see {@link SegmentView}), and a cold query does not read
 * them (at 1M documents, 14 MB). Everything runs on the store's I/O threads and the compute
 * executor; the result is handed to the entity whole.
 */
final class Hydration {

    /**
     * A loaded namespace.
     *
     * @param schema       the manifest's schema extended by the tail's writes
     * @param latest       the newest tail operation (upsert or delete) of each id in the tail
     * @param nextSequence the WAL sequence the next commit creates
     * @param exists       whether anything (a manifest or a WAL entry) was found
     */
    record Loaded(Manifest manifest, Schema schema, List<SegmentView> segments, List<TailBatch> tail,
                  Map<DocId, WalOp> latest, long nextSequence, boolean exists) {}

    private Hydration() {}

    static CompletableFuture<Loaded> load(ManifestLog manifests, ObjectStore store, TieredReader reader,
                                          Executor compute, ReadStats stats) {
        SequencedLog wal = new SequencedLog(store, new NamespaceLayout(manifests.namespace()).walPrefix());
        // The WAL is listed beside the manifest: an entry the listing misses was committed after
        // the load began, and one the manifest's index holds is skipped.
        CompletableFuture<List<Long>> walSequences = wal.sequences();
        return manifests.newest(compute).thenCompose(newest -> {
            Manifest m = newest.manifest();
            return openSegments(m, newest.copy(), store, reader, compute, stats)
                    .thenCombine(readTail(wal, walSequences, m.indexedThrough(), compute), Parts::new)
                    .thenCompose(parts -> parts.idsNeeded().thenApplyAsync(
                            ignored -> assemble(m, parts.segments(), parts.tail()), compute));
        });
    }

    /** What a load read: the manifest's segments, opened, and the tail. */
    private record Parts(List<Opened> segments, List<TailBatch> tail) {
        /**
         * Completes when the id columns that {@link #assemble} reads are in: none for one segment
         * whose hits carry their ids and no tail (nothing supersedes any of its documents), all
         * of them otherwise. A namespace of several segments started reading them with the
         * segments' vector indexes; one segment starts now, with the tail's entries.
         */
        CompletableFuture<Void> idsNeeded() {
            if (segments.size() == 1 && tail.isEmpty() && segments.get(0).view().segment().hitsCarryIds()) {
                return CompletableFuture.completedFuture(null);
            }
            return CompletableFuture.allOf(segments.stream().map(o -> o.view().idsLoaded())
                    .toArray(CompletableFuture[]::new));
        }
    }

    /** An opened segment and the ids its deletes object lists. */
    private record Opened(SegmentView view, List<DocId> deletes) {}

    private static CompletableFuture<List<Opened>> openSegments(Manifest m, ManifestCopy copy, ObjectStore store,
                                                                TieredReader reader, Executor compute, ReadStats stats) {
        List<CompletableFuture<Opened>> views = new ArrayList<>();
        boolean withIds = m.segments().size() > 1;
        for (Manifest.SegmentEntry e : m.segments()) {
            CompletableFuture<SegmentView> view = open(e, copy, reader, compute, stats, withIds);
            CompletableFuture<List<DocId>> deletes = e.deletesKeyOrNull() == null
                    ? CompletableFuture.completedFuture(List.of())
                    : store.get(e.deletesKeyOrNull()).thenApplyAsync(bytes -> deletedIds(bytes, e.deletesKeyOrNull()), compute);
            views.add(view.thenCombine(deletes, Opened::new));
        }
        return CompletableFuture.allOf(views.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> views.stream().map(CompletableFuture::join).toList());
    }

    /**
     * Opens one segment of a manifest, with no document superseded yet, and with its ids loaded
     * when {@code withIds}. With the entry's layout the directory is not read: the vector
     * index's metadata, the ids and the check of the layout against the file's footer all go out
     * at once, in the round trip after the manifest. Without one, the directory is read first.
     */
    static CompletableFuture<SegmentView> open(Manifest.SegmentEntry e, TieredReader reader, Executor compute,
                                               ReadStats stats, boolean withIds) {
        return open(e, ManifestCopy.NONE, reader, compute, stats, withIds);
    }

    /**
     * Like {@link #open(Manifest.SegmentEntry, TieredReader, Executor, ReadStats, boolean)}, with
     * the reads whose bytes {@code copy} carries answered from it: with all of them, the open
     * reads nothing after the manifest.
     */
    private static CompletableFuture<SegmentView> open(Manifest.SegmentEntry e, ManifestCopy copy, TieredReader reader,
                                                       Executor compute, ReadStats stats, boolean withIds) {
        RangeSource source = copy.over(e.key(), reader.open(new ObjectId(e.key(), e.bytes()), stats));
        SegmentLayout layout = e.layoutOrNull();
        CompletableFuture<SegmentReader> container = layout == null ? SegmentReader.open(source, e.key())
                : SegmentReader.open(source, e.key(), layout.directory());
        long metaLength = layout == null ? 0 : layout.vectorsMetaLength();
        return container.thenCompose(c -> {
            CompletableFuture<SegmentView> view = Segment.open(c, source, metaLength, compute)
                    .thenApply(segment -> new SegmentView(e, segment, new RoaringBitmap()));
            // Asked for now, the ids' read goes out with the vector index's centroids.
            return withIds ? view.thenCombine(c.ids(), (v, ids) -> v) : view;
        });
    }

    private static List<DocId> deletedIds(byte[] bytes, String key) {
        List<DocId> ids = new ArrayList<>();
        for (WalOp op : WalReader.read(bytes, key)) {
            if (!(op instanceof WalOp.Delete)) {
                throw new CorruptDataException(key, "a deletes object holds a " + op.getClass().getSimpleName());
            }
            ids.add(op.id());
        }
        return ids;
    }

    private static CompletableFuture<List<TailBatch>> readTail(SequencedLog wal, CompletableFuture<List<Long>> sequences,
                                                               long indexedThrough, Executor compute) {
        return sequences.thenCompose(all -> {
            List<CompletableFuture<TailBatch>> batches = new ArrayList<>();
            for (long seq : all) {
                if (seq > indexedThrough) {
                    batches.add(wal.read(seq).thenApplyAsync(
                            bytes -> new TailBatch(seq, WalReader.read(bytes, wal.key(seq)), bytes.length), compute));
                }
            }
            return CompletableFuture.allOf(batches.toArray(CompletableFuture[]::new))
                    .thenApply(ignored -> batches.stream().map(CompletableFuture::join).toList());
        });
    }

    /** Replays the tail in sequence order, then marks superseded segment documents. */
    private static Loaded assemble(Manifest m, List<Opened> openedWithDeletes, List<TailBatch> rawTail) {
        List<SegmentView> opened = openedWithDeletes.stream().map(Opened::view).toList();
        Schema schema = m.schema();
        Map<DocId, WalOp> latest = new HashMap<>();
        List<TailBatch> tail = new ArrayList<>(rawTail.size());
        long last = m.indexedThrough();
        for (TailBatch raw : rawTail) {
            List<WalOp> ops = new ArrayList<>(raw.ops().size());
            for (WalOp op : raw.ops()) {
                WalOp resolved = resolve(op, latest, opened, raw.sequence());
                if (resolved == null) {
                    continue;
                }
                if (resolved instanceof WalOp.Upsert u) {
                    schema = schema.admit(u.document()).schema();
                }
                latest.put(resolved.id(), resolved);
                ops.add(resolved);
            }
            tail.add(new TailBatch(raw.sequence(), ops, raw.bytes()));
            last = Math.max(last, raw.sequence());
        }
        Set<DocId> newer = new HashSet<>(latest.keySet());
        SegmentView[] views = opened.toArray(SegmentView[]::new);
        for (int i = views.length - 1; i >= 0; i--) {
            views[i] = views[i].exclude(newer);
            if (i == 0) {
                break; // no older segment for this one's ids and deletes to supersede
            }
            IdColumn ids = views[i].ids();
            for (int ordinal = 0; ordinal < ids.rowCount(); ordinal++) {
                newer.add(ids.id(ordinal));
            }
            newer.addAll(openedWithDeletes.get(i).deletes());
        }
        boolean exists = m.version() > 0 || !rawTail.isEmpty();
        return new Loaded(m, schema, List.of(views), tail, latest, last + 1, exists);
    }

    /**
     * The entity writes patches already applied to their document, as upserts. A patch written by
     * anything else applies to the tail's version of its document; one whose document lives only
     * in a segment cannot be replayed here and fails the load rather than silently dropping it.
     */
    private static WalOp resolve(WalOp op, Map<DocId, WalOp> latest, List<SegmentView> segments, long sequence) {
        if (!(op instanceof WalOp.Patch p)) {
            return op;
        }
        WalOp base = latest.get(p.id());
        if (base instanceof WalOp.Upsert u) {
            return new WalOp.Upsert(patched(u.document(), p.attributes()));
        }
        if (base == null && segments.stream().anyMatch(s -> s.liveOrdinal(p.id()) >= 0)) {
            throw new CorruptDataException("wal " + sequence, "patch of " + p.id()
                    + " whose document is only in a segment; this entity writes patches as whole documents");
        }
        return null;
    }

    /** A document with some attributes set (null values remove them). */
    static Document patched(Document base, Map<String, Object> attributes) {
        Map<String, Object> merged = new LinkedHashMap<>(base.attributes());
        merged.putAll(attributes);
        return new Document(base.id(), base.vectorOrNull(), merged);
    }
}
