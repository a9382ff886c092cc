package dev.strata.actors.namespace;

import dev.strata.index.attr.IdColumn;
import dev.strata.index.doc.DocId;
import dev.strata.index.search.Segment;
import java.util.Collection;
import org.roaringbitmap.RoaringBitmap;

/**
 * An open segment as the entity serves it: the segment, its id column (kept in memory, so
 * "is this id here" is a local lookup) and the ordinals whose documents a newer write has
 * superseded or deleted. Queries remove {@code excluded} from the allowed set before the ANN
 * search, so stale documents never take a candidate slot.
 *
 * <p>Immutable: {@code excluded} is never modified after construction; {@link #exclude} returns
 * a new view with a copy, so snapshots handed to queries stay stable.
 */
public record SegmentView(Manifest.SegmentEntry entry, Segment segment, IdColumn ids, RoaringBitmap excluded) {

    /** The ordinal of a live (not superseded) document with this id, or -1. */
    public int liveOrdinal(DocId id) {
        int ordinal = ids.ordinalOf(id);
        return ordinal >= 0 && !excluded.contains(ordinal) ? ordinal : -1;
    }

    /** This view with the documents of {@code superseded} ids excluded; itself if none is here. */
    public SegmentView exclude(Collection<DocId> superseded) {
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
        return next == null ? this : new SegmentView(entry, segment, ids, next);
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
