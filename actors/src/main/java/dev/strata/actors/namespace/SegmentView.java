package dev.strata.actors.namespace;

import dev.strata.index.attr.IdColumn;
import dev.strata.index.doc.DocId;
import dev.strata.index.search.Segment;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import org.roaringbitmap.RoaringBitmap;

/**
 * An open segment as the entity serves it: the segment and the ordinals whose documents a newer
 * write has superseded or deleted. Queries remove {@code excluded} from the allowed set before
 * the ANN search, so stale documents never take a candidate slot.
 *
 * <p>The segment's id column (kept in memory once loaded, so "is this id here" is a local
 * lookup) is needed to apply writes and to supersede documents, not to answer a nearest-neighbour
 * query: the segment's vector records carry their ids. So a namespace whose only segment nothing
 * newer supersedes is served without it (see {@link Hydration}), and the entity loads it before
 * the first write ({@link #idsLoaded()}). {@link #ids()} is for the write path, indexing and
 * compaction, which run only once it is in.
 *
 * <p>Immutable: {@code excluded} is never modified after construction; {@link #exclude} returns
 * a new view with a copy, so snapshots handed to queries stay stable.
 */
public record SegmentView(Manifest.SegmentEntry entry, Segment segment, RoaringBitmap excluded) {

    /** The id column, loading it on first use; the segment keeps it once loaded. */
    public CompletableFuture<IdColumn> idsLoaded() {
        return segment.container().ids();
    }

    /** The id column; asking before it has loaded is a bug in the caller, and fails here. */
    public IdColumn ids() {
        CompletableFuture<IdColumn> ids = idsLoaded();
        if (!ids.isDone()) {
            throw new IllegalStateException("the ids of " + entry.key() + " were asked for before they were loaded");
        }
        return ids.join();
    }

    /** The ordinal of a live (not superseded) document with this id, or -1. */
    public int liveOrdinal(DocId id) {
        int ordinal = ids().ordinalOf(id);
        return ordinal >= 0 && !excluded.contains(ordinal) ? ordinal : -1;
    }

    /** This view with the documents of {@code superseded} ids excluded; itself if none is here. */
    public SegmentView exclude(Collection<DocId> superseded) {
        if (superseded.isEmpty()) {
            return this;
        }
        IdColumn ids = ids();
        RoaringBitmap next = null;
        for (DocId id : superseded) {
            int ordinal = ids.ordinalOf(id);
            if (ordinal >= 0 && !excluded.contains(ordinal)) {
                if (next == null) {
                    next = excluded.clone();
                }
                next.add(ordinal);
            }
        }
        return next == null ? this : new SegmentView(entry, segment, next);
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
