package dev.strata.index.attr;

import dev.strata.index.doc.BinaryReader;
import dev.strata.index.doc.BinaryWriter;
import dev.strata.index.doc.DocId;
import java.nio.ByteBuffer;
import java.util.BitSet;
import java.util.List;
import org.roaringbitmap.RoaringBitmap;

/**
 * The document ids of one segment by ordinal, with the ordinals sorted by id for lookups, id
 * range filters and ordering by id.
 *
 * <p>Ids section encoding: {@code u32 R}, {@code u32} end offset of each encoded id (R entries,
 * relative to the first id), then the ids in ordinal order, each as {@link DocId#writeTo}.
 * Id index section encoding: {@code u32 R}, then {@code i32} ordinals (R entries) in ascending id
 * order. Immutable and thread-safe.
 */
public final class IdColumn {

    private final int[] ends;
    private final ByteBuffer blob;
    private final int[] sorted;
    private final String resource;

    private IdColumn(int[] ends, ByteBuffer blob, int[] sorted, String resource) {
        this.ends = ends;
        this.blob = blob;
        this.sorted = sorted;
        this.resource = resource;
    }

    /** Builds the column for ids given in ordinal order; a repeated id is an error. */
    public static IdColumn build(List<DocId> ids) {
        BinaryWriter out = new BinaryWriter(ids.size() * 10 + 16);
        int[] ends = new int[ids.size()];
        for (int i = 0; i < ids.size(); i++) {
            ids.get(i).writeTo(out);
            ends[i] = out.position();
        }
        Integer[] order = new Integer[ids.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> ids.get(a).compareTo(ids.get(b)));
        int[] sorted = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            sorted[i] = order[i];
            if (i > 0 && ids.get(order[i]).equals(ids.get(order[i - 1]))) {
                throw new IllegalArgumentException("id " + ids.get(order[i]) + " appears twice in one segment");
            }
        }
        return new IdColumn(ends, ByteBuffer.wrap(out.toByteArray()).asReadOnlyBuffer(), sorted, "new segment");
    }

    public int rowCount() {
        return ends.length;
    }

    public DocId id(int ordinal) {
        int start = ordinal == 0 ? 0 : ends[ordinal - 1];
        // duplicate(): a private position per call keeps concurrent readers apart.
        BinaryReader in = new BinaryReader(blob.duplicate().position(start).limit(ends[ordinal]), resource);
        DocId id = DocId.readFrom(in);
        in.expectEnd();
        return id;
    }

    /** The ordinal of an id, or -1 if this segment does not hold it. */
    public int ordinalOf(DocId id) {
        int r = search(id);
        return r >= 0 ? sorted[r] : -1;
    }

    private int search(DocId id) {
        int lo = 0;
        int hi = sorted.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = id(sorted[mid]).compareTo(id);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }

    /** The number of ids below {@code id} (or up to it, when {@code inclusive}). */
    int rank(DocId id, boolean inclusive) {
        int r = search(id);
        return r >= 0 ? (inclusive ? r + 1 : r) : -r - 1;
    }

    /** Ordinals of the ids at sorted positions {@code [from, to)}. A fresh bitmap. */
    RoaringBitmap ordinalsOfRanks(int from, int to) {
        RoaringBitmap out = new RoaringBitmap();
        if (from < to) {
            out.addN(sorted, from, to - from);
        }
        return out;
    }

    /** Ordinals in id order (ascending or descending), keeping only {@code allowed} (null = all), at most {@code limit}. */
    public int[] topN(boolean descending, RoaringBitmap allowedOrNull, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("negative limit " + limit);
        }
        int[] out = new int[Math.min(limit, sorted.length)];
        int found = 0;
        for (int i = 0; i < sorted.length && found < out.length; i++) {
            int ordinal = sorted[descending ? sorted.length - 1 - i : i];
            if (allowedOrNull == null || allowedOrNull.contains(ordinal)) {
                out[found++] = ordinal;
            }
        }
        return found == out.length ? out : java.util.Arrays.copyOf(out, found);
    }

    public void writeIds(BinaryWriter out) {
        out.i32(ends.length).i32s(ends);
        ByteBuffer b = blob.duplicate();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        out.bytes(bytes);
    }

    public void writeIndex(BinaryWriter out) {
        out.i32(sorted.length).i32s(sorted);
    }

    /** Decodes the two sections (already verified against their checksums). */
    public static IdColumn read(ByteBuffer ids, ByteBuffer index, String resource) {
        BinaryReader in = new BinaryReader(ids, resource);
        int rows = in.count(in.remaining() / 4, "id count");
        int[] ends = in.i32s(rows);
        int prev = 0;
        for (int e : ends) {
            if (e <= prev) {
                throw in.corrupt("id offsets do not increase");
            }
            prev = e;
        }
        ByteBuffer blob = in.slice(prev);
        in.expectEnd();
        BinaryReader ix = new BinaryReader(index, resource);
        int count = ix.count(ix.remaining() / 4, "id index count");
        if (count != rows) {
            throw ix.corrupt("id index holds " + count + " ordinals for " + rows + " ids");
        }
        int[] sorted = ix.i32s(count);
        ix.expectEnd();
        BitSet seen = new BitSet(rows);
        for (int o : sorted) {
            if (o < 0 || o >= rows || seen.get(o)) {
                throw ix.corrupt("id index is not a permutation of the ordinals");
            }
            seen.set(o);
        }
        return new IdColumn(ends, blob, sorted, resource);
    }
}
