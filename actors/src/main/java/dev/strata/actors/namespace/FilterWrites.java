package dev.strata.actors.namespace;

import dev.strata.index.doc.DocId;
import dev.strata.index.doc.Document;
import dev.strata.index.doc.Schema;
import dev.strata.index.filter.DocumentMatcher;
import dev.strata.index.filter.Filter;
import dev.strata.index.wal.WalOp;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.roaringbitmap.RoaringBitmap;

/**
 * Resolves one admitted write against the namespace's current documents into the upserts and
 * deletes its WAL object holds, in turbopuffer's order: {@code delete_by_filter}, then
 * {@code patch_by_filter}, then upserts, patches and deletes, each seeing the effect of the ones
 * before. A conditional operation applies when its document is missing (a patch then does
 * nothing: patches never create) or its condition holds on the document; otherwise it is
 * skipped. A patch of an id the same request deletes is ignored.
 *
 * <p>Two entry points: {@link #apply} is the pure, synchronous resolution over a {@link Lookup}
 * of current documents (the entity uses it directly for plain writes, whose patch bases it has
 * fetched); {@link #evaluate} first computes what filters and conditions need — the documents a
 * by-filter operation matches (segment ordinals through {@code Segment.allowed}, minus documents
 * a newer write replaced, plus matching upserts of the unindexed tail and pending writes) and the
 * current documents of conditioned rows — then applies. The caller guarantees the {@link View}
 * is the state after every earlier write and before any later one (the entity evaluates a write
 * only at the head of its admission queue, and holds the writes behind it).
 *
 * <p>By-filter operations are bounded ({@link Limits}) because every match becomes an operation
 * of the request's single WAL object (a whole document, for a patch): more matches than the limit
 * is a BadRequest, unless {@code allowPartial}, which applies the operation to the matches with
 * the smallest ids.
 */
final class FilterWrites {

    /** The by-filter operations and the condition of each row operation (null entries: none). */
    record Plan(Filter deleteByFilterOrNull, Filter patchByFilterOrNull, Map<String, Object> patchOrNull,
                boolean allowPartial, List<Filter> conditions) {

        /** Whether the plan has a by-filter operation (which needs every id's newest operation). */
        boolean byFilter() {
            return deleteByFilterOrNull != null || patchByFilterOrNull != null;
        }
    }

    /** The most documents one delete_by_filter and one patch_by_filter may match. */
    record Limits(long maxDeleteMatches, long maxPatchMatches) {}

    /**
     * The state a write is evaluated against: segments with their superseded ordinals, and the
     * newest operation per id of the tail and every resolved pending write (upserts and deletes);
     * for a plan without by-filter operations, only the entries of the write's own ids.
     */
    record View(List<SegmentView> segments, Map<DocId, WalOp> latest, Schema schema) {}

    /** What the current documents are: the document of an id, or null when it does not exist. */
    interface Lookup {
        Document current(DocId id);

        /** Whether the id has a document (cheaper than {@link #current} when only that matters). */
        default boolean exists(DocId id) {
            return current(id) != null;
        }
    }

    /** A resolved write: its WAL operations in order and what it applied. */
    record Outcome(List<WalOp> ops, int upserted, int patched, int deleted, List<DocId> upsertedIds,
                   List<DocId> patchedIds, List<DocId> deletedIds) {}

    private FilterWrites() {}

    /**
     * A view whose {@code latest} is rebuilt on {@code compute} from the tail batches and the
     * resolved pending operations after them, in order: what a by-filter operation needs,
     * without copying the entity's map on the actor.
     */
    static CompletableFuture<View> replay(List<TailBatch> tail, List<WalOp> pending, List<SegmentView> segments,
                                          Schema schema, Executor compute) {
        return CompletableFuture.supplyAsync(() -> {
            Map<DocId, WalOp> latest = new HashMap<>();
            tail.forEach(b -> b.ops().forEach(op -> latest.put(op.id(), op)));
            pending.forEach(op -> latest.put(op.id(), op));
            return new View(segments, latest, schema);
        }, compute);
    }

    /** The entries of {@code latest} for the ids of {@code ops}: all that row conditions and patches read. */
    static Map<DocId, WalOp> restrict(Map<DocId, WalOp> latest, List<WalOp> ops) {
        Map<DocId, WalOp> out = new HashMap<>();
        for (WalOp op : ops) {
            WalOp newest = latest.get(op.id());
            if (newest != null) {
                out.put(op.id(), newest);
            }
        }
        return out;
    }

    /** Resolves a write whose plan needs documents read first; completes on {@code compute}. */
    static CompletableFuture<Outcome> evaluate(View view, Plan plan, List<WalOp> ops, Limits limits, Executor compute) {
        CompletableFuture<List<Match>> deletes = plan.deleteByFilterOrNull() == null
                ? CompletableFuture.completedFuture(List.of())
                : matches(view, plan.deleteByFilterOrNull(), compute).thenApply(all ->
                        limit(all, limits.maxDeleteMatches(), plan.allowPartial(), "delete_by_filter"));
        CompletableFuture<List<Document>> patches = plan.patchByFilterOrNull() == null
                ? deletes.thenApply(d -> List.of())
                : deletes.thenCombine(matches(view, plan.patchByFilterOrNull(), compute), (deleted, all) -> {
                    Set<DocId> gone = new HashSet<>();
                    deleted.forEach(m -> gone.add(m.id()));
                    List<Match> remaining = all.stream().filter(m -> !gone.contains(m.id())).toList();
                    return limit(remaining, limits.maxPatchMatches(), plan.allowPartial(), "patch_by_filter");
                }).thenCompose(matches -> documents(view, matches));
        CompletableFuture<Map<DocId, Document>> rows = rowDocuments(view, plan, ops);
        return deletes.thenCombine(patches, (d, p) -> new Object[] {d, p}).thenCombineAsync(rows, (dp, docs) -> {
            @SuppressWarnings("unchecked")
            List<Match> deleted = (List<Match>) dp[0];
            @SuppressWarnings("unchecked")
            List<Document> patched = (List<Document>) dp[1];
            return apply(ops, plan.conditions(), deleted.stream().map(Match::id).toList(), patched,
                    plan.patchOrNull(), lookup(view.latest(), view.segments(), docs), view.schema());
        }, compute);
    }

    /**
     * Resolves row operations (after the by-filter ones: ids to delete, documents to patch with
     * {@code patchOrNull}) against current documents.
     *
     * @param conditionsOrNull one condition (or null) per operation of {@code ops}, or null for none
     */
    static Outcome apply(List<WalOp> ops, List<Filter> conditionsOrNull, List<DocId> deleteMatches,
                         List<Document> patchMatches, Map<String, Object> patchOrNull, Lookup lookup, Schema schema) {
        DocumentMatcher matcher = new DocumentMatcher(schema);
        // id → document after the operations so far; a null value means deleted by this request.
        Map<DocId, Document> overlay = new HashMap<>();
        List<WalOp> out = new ArrayList<>(ops.size() + deleteMatches.size() + patchMatches.size());
        List<DocId> upserted = new ArrayList<>();
        List<DocId> patched = new ArrayList<>();
        List<DocId> deleted = new ArrayList<>();
        for (DocId id : deleteMatches) {
            overlay.put(id, null);
            out.add(new WalOp.Delete(id));
            deleted.add(id);
        }
        for (Document doc : patchMatches) {
            Document next = Hydration.patched(doc, patchOrNull);
            overlay.put(doc.id(), next);
            out.add(new WalOp.Upsert(next));
            patched.add(doc.id());
        }
        Set<DocId> deletedByRows = new HashSet<>();
        for (WalOp op : ops) {
            if (op instanceof WalOp.Delete) {
                deletedByRows.add(op.id());
            }
        }
        for (int i = 0; i < ops.size(); i++) {
            WalOp op = ops.get(i);
            DocId id = op.id();
            Filter condition = conditionsOrNull == null ? null : conditionsOrNull.get(i);
            boolean needDocument = condition != null || op instanceof WalOp.Patch;
            Document current = !needDocument ? null : overlay.containsKey(id) ? overlay.get(id) : lookup.current(id);
            if (condition != null && current != null && !matcher.matches(condition, current)) {
                continue;
            }
            if (op instanceof WalOp.Upsert u) {
                overlay.put(id, u.document());
                out.add(u);
                upserted.add(id);
            } else if (op instanceof WalOp.Patch p) {
                if (current == null || deletedByRows.contains(id)) {
                    continue;
                }
                Document next = Hydration.patched(current, p.attributes());
                overlay.put(id, next);
                out.add(new WalOp.Upsert(next));
                patched.add(id);
            } else {
                boolean existed = overlay.containsKey(id) ? overlay.get(id) != null
                        : needDocument ? current != null : lookup.exists(id);
                overlay.put(id, null);
                out.add(op);
                if (existed) {
                    deleted.add(id);
                }
            }
        }
        return new Outcome(out, upserted.size(), patched.size(), deleted.size(), upserted, patched, deleted);
    }

    /** A document a filter matched: in a segment (its view and ordinal) or in the tail (its document). */
    private record Match(DocId id, SegmentView viewOrNull, int ordinal, Document documentOrNull) {}

    /** Every live document the filter matches, in id order. */
    private static CompletableFuture<List<Match>> matches(View view, Filter filter, Executor compute) {
        List<CompletableFuture<List<Match>>> parts = new ArrayList<>();
        for (SegmentView segment : view.segments()) {
            parts.add(segment.segment().allowed(filter, view.schema()).thenApply(allowed -> {
                RoaringBitmap live = segment.live(allowed);
                List<Match> out = new ArrayList<>();
                if (live == null) {
                    return out;
                }
                live.forEach((int ordinal) -> {
                    DocId id = segment.ids().id(ordinal);
                    // A pending or tail write replaced this document: the tail side decides.
                    if (!view.latest().containsKey(id)) {
                        out.add(new Match(id, segment, ordinal, null));
                    }
                });
                return out;
            }));
        }
        parts.add(CompletableFuture.supplyAsync(() -> {
            DocumentMatcher matcher = new DocumentMatcher(view.schema());
            List<Match> out = new ArrayList<>();
            view.latest().forEach((id, op) -> {
                if (op instanceof WalOp.Upsert u && matcher.matches(filter, u.document())) {
                    out.add(new Match(id, null, -1, u.document()));
                }
            });
            return out;
        }, compute));
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            List<Match> all = new ArrayList<>();
            parts.forEach(p -> all.addAll(p.join()));
            all.sort(Comparator.comparing(Match::id));
            return all;
        });
    }

    private static List<Match> limit(List<Match> all, long max, boolean allowPartial, String operation) {
        if (all.size() <= max) {
            return all;
        }
        if (!allowPartial) {
            throw new NamespaceException.BadRequest(operation + " matches " + all.size()
                    + " documents, more than the limit of " + max + " per request; narrow the filter or set "
                    + operation + "_allow_partial to apply it to the first " + max + " (by id) and repeat");
        }
        return all.subList(0, (int) max);
    }

    /** The whole documents of matches, in the same order; each segment's are read in bulk. */
    private static CompletableFuture<List<Document>> documents(View view, List<Match> matches) {
        // By identity: a view is a record whose equality would hash its whole excluded bitmap.
        Map<SegmentView, RoaringBitmap> wanted = new IdentityHashMap<>();
        for (Match m : matches) {
            if (m.documentOrNull() == null) {
                wanted.computeIfAbsent(m.viewOrNull(), v -> new RoaringBitmap()).add(m.ordinal());
            }
        }
        Map<SegmentView, CompletableFuture<List<Document>>> read = new IdentityHashMap<>();
        wanted.forEach((segment, ordinals) ->
                read.put(segment, SegmentDocuments.documents(segment, ordinals.toArray(), view.schema())));
        return CompletableFuture.allOf(read.values().toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            List<Document> out = new ArrayList<>(matches.size());
            for (Match m : matches) {
                out.add(m.documentOrNull() != null ? m.documentOrNull()
                        : read.get(m.viewOrNull()).join().get(wanted.get(m.viewOrNull()).rank(m.ordinal()) - 1));
            }
            return out;
        });
    }

    /** The segment documents of ids whose row operation needs its current document (patch or condition). */
    private static CompletableFuture<Map<DocId, Document>> rowDocuments(View view, Plan plan, List<WalOp> ops) {
        Map<DocId, CompletableFuture<Document>> wanted = new LinkedHashMap<>();
        for (int i = 0; i < ops.size(); i++) {
            DocId id = ops.get(i).id();
            boolean needs = ops.get(i) instanceof WalOp.Patch || plan.conditions().get(i) != null;
            if (needs && !wanted.containsKey(id) && !view.latest().containsKey(id)) {
                SegmentView holder = liveSegment(view, id);
                if (holder != null) {
                    wanted.put(id, SegmentDocuments.document(holder, holder.liveOrdinal(id), view.schema()));
                }
            }
        }
        return CompletableFuture.allOf(wanted.values().toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            Map<DocId, Document> out = new HashMap<>();
            wanted.forEach((id, doc) -> out.put(id, doc.join()));
            return out;
        });
    }

    /**
     * The segment documents a plain write's patches apply to: ids neither earlier in the write,
     * nor in {@code latest}, nor already {@code fetched}, with the segment holding each one's live document (ids in no segment
     * have no document: their patches are dropped).
     */
    static Map<DocId, SegmentView> patchBases(List<WalOp> ops, Map<DocId, WalOp> latest, Map<DocId, Document> fetched,
                                              List<SegmentView> segments) {
        Map<DocId, SegmentView> wanted = new LinkedHashMap<>();
        Set<DocId> seen = new HashSet<>();
        for (WalOp op : ops) {
            if (op instanceof WalOp.Patch && !seen.contains(op.id()) && !latest.containsKey(op.id())
                    && !fetched.containsKey(op.id())) {
                SegmentView holder = liveSegment(segments, op.id());
                if (holder != null) {
                    wanted.put(op.id(), holder);
                }
            }
            seen.add(op.id());
        }
        return wanted;
    }

    /**
     * Current documents: an id's newest operation in {@code latest} decides; an id it does not
     * mention has the document {@code fetched} holds for it, which must include every segment
     * document {@link #apply} asks for (patched or conditioned ids).
     */
    static Lookup lookup(Map<DocId, WalOp> latest, List<SegmentView> segments, Map<DocId, Document> fetched) {
        return new Lookup() {
            @Override
            public Document current(DocId id) {
                WalOp op = latest.get(id);
                return op != null ? (op instanceof WalOp.Upsert u ? u.document() : null) : fetched.get(id);
            }

            @Override
            public boolean exists(DocId id) {
                WalOp op = latest.get(id);
                return op != null ? op instanceof WalOp.Upsert : liveSegment(segments, id) != null;
            }
        };
    }

    private static SegmentView liveSegment(View view, DocId id) {
        return liveSegment(view.segments(), id);
    }

    /** The segment holding the live document of {@code id}, or null. */
    static SegmentView liveSegment(List<SegmentView> segments, DocId id) {
        for (int i = segments.size() - 1; i >= 0; i--) {
            if (segments.get(i).liveOrdinal(id) >= 0) {
                return segments.get(i);
            }
        }
        return null;
    }
}
