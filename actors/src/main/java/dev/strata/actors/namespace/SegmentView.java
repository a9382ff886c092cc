package dev.strata.actors.namespace;

import dev.strata.index.attr.IdColumn;
import dev.strata.index.doc.DocId;
import dev.strata.index.search.Segment;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import org.roaringbitmap.RoaringBitmap;

/**
 * An open segment as the entity serves it: the segment, its id column (kept in memory once
 * loaded, so "is this id here" is a local lookup) and the ordinals whose documents a newer write
 * has superseded or deleted. Queries remove {@code excluded} from the allowed set before the ANN
 * search, so stale documents never take a candidate slot.
 *
 * <p>The id column may still be loading when the view is served: a namespace whose only segment
 * nothing newer supersedes answers its first queries without waiting for it (see
 * {@link Hydration}). Queries wait for {@link #idsLoaded()} themselves; the entity takes writes
 * only once every view's ids are in, so {@link #ids()} and everything built on it are for the
 * write path, indexing and compaction.
 *
 * <p>Immutable: {@code excluded} is never modified after construction; {@link #exclude} returns
 * a new view with a copy, so snapshots handed to queries stay stable.
 */
public record SegmentView(Manifest.SegmentEntry entry, Segment segment, CompletableFuture<IdColumn> idsLoaded,
                          RoaringBitmap excluded) {

    /** A view whose id column is already in memory. */
    public SegmentView(Manifest.SegmentEntry entry, Segment segment, IdColumn ids, RoaringBitmap excluded) {
        this(entry, segment, CompletableFuture.completedFuture(ids), excluded);
    }

    /** The id column; asking before it has loaded is a bug in the caller, and fails here. */
    public IdColumn ids() {
        if (!idsLoaded.isDone()) {
            throw new IllegalStateException("the ids of " + entry.key() + " were asked for before they were loaded");
        }
        return idsLoaded.join();
    }

    /** The ordinal of a live (not superseded) document with this id, or -1. */
    public int liveOrdinal(DocId id) {
        int ordinal = ids().ordinalOf(id);
        return ordinal >= 0 && !excluded.contains(ordinal) ? ordinal : -1;
    }

    /** This view with the documents of {@code superseded} ids excluded; itself if none is here. */
    public SegmentView exclude(Collection<DocId> superseded) {
        RoaringBitmap next = null;
        for (DocId id : superseded) {
            int ordinal = ids().ordinalOf(id);
            if (ordinal >= 0 && !excluded.contains(ordinal)) {
                if (next == null) {
                    next = excluded.clone();
                }
                next.add(ordinal);
            }
        }
        return next == null ? this : new SegmentView(entry, segment, idsLoaded, next);
    }

    /** The live ordinals among {@code allowedOrNull} (null = all rows), or null for "all rows". */
    public RoaringBitmap live(RoaringBitmap allowedOrNull) {
        if (excluded.isEmpty()) {
            return allowedOrNull;
        }
        RoaringBitmap base = allowedOrNull != null ? allowedOrNull.clone()
                : RoaringBitmap.bitmapOfRange(0, segment.size());
        base.andNot(excluded);
        return base;
    }
}
