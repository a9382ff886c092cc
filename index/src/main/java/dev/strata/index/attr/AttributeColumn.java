package dev.strata.index.attr;

import dev.strata.index.doc.AttributeType;
import dev.strata.index.doc.BinaryReader;
import dev.strata.index.doc.BinaryWriter;
import dev.strata.index.doc.CorruptDataException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import org.roaringbitmap.RoaringBitmap;
import org.roaringbitmap.RoaringBitmapWriter;

/**
 * One attribute of one segment, by ordinal: dictionary-encoded values (nulls allowed), and for
 * filterable attributes per-value postings (dictionary id → bitmap of ordinals).
 *
 * <p>Values section encoding (little-endian):
 * <pre>
 *   u8   type code (AttributeType#code)
 *   u8   0 (reserved)
 *   u16  0 (reserved)
 *   u32  row count R
 *   u32  dictionary size K
 *   ...  dictionary (see Dictionary)
 *   u32  rows containing each value, K entries
 *   scalars: i32 dictionary id per row, R entries, -1 for a missing value
 *   arrays:  i32 element end offset per row, R entries; then i32 dictionary id per element
 *   u32  length P, then P bytes: the bitmap of rows that have a value (portable Roaring format)
 * </pre>
 * Postings section encoding: {@code u32 K}, {@code u32} end offset of each posting (K entries,
 * relative to the first posting), then each posting as a portable Roaring bitmap. A row appears
 * once in the posting of every distinct value it holds.
 *
 * <p>Immutable and thread-safe once built: every bitmap it returns is a fresh copy or a read-only
 * shared one the caller must not mutate (documented per method).
 */
public final class AttributeColumn {

    private final String name;
    private final AttributeType type;
    private final int rowCount;
    private final Dictionary dictionary;
    /** Scalars: dictionary id per row (-1 = missing). Arrays: dictionary id per element. */
    private final int[] ids;
    /** Arrays only: end offset in {@link #ids} of each row's elements; null for scalars. */
    private final int[] ends;
    /** Rows with a value; shared, never mutated. */
    private final RoaringBitmap present;
    /** cumulative[i] = rows containing any of the values with id below i. */
    private final long[] cumulative;
    private final Postings postings;

    AttributeColumn(String name, AttributeType type, int rowCount, Dictionary dictionary, int[] ids, int[] ends,
            RoaringBitmap present, int[] counts, Postings postings) {
        this.name = name;
        this.type = type;
        this.rowCount = rowCount;
        this.dictionary = dictionary;
        this.ids = ids;
        this.ends = ends;
        this.present = present;
        this.cumulative = new long[counts.length + 1];
        for (int i = 0; i < counts.length; i++) {
            cumulative[i + 1] = cumulative[i] + counts[i];
        }
        this.postings = postings;
    }

    /** A column for an attribute this segment has no values for: every row is missing it. */
    public static AttributeColumn absent(String name, AttributeType type, int rowCount) {
        // No per-row arrays: with an empty dictionary and no present rows nothing ever reads them.
        return new AttributeColumn(name, type, rowCount, Dictionary.of(type.elementType(), List.of()),
                new int[0], type.isArray() ? new int[0] : null, new RoaringBitmap(), new int[0], null);
    }

    public String name() {
        return name;
    }

    public AttributeType type() {
        return type;
    }

    public int rowCount() {
        return rowCount;
    }

    /** The number of distinct values (of elements, for arrays). */
    public int distinctValues() {
        return dictionary.size();
    }

    public boolean hasPostings() {
        return postings != null;
    }

    /** The canonical value of a row (an unmodifiable list for arrays), or null when missing. */
    public Object value(int ordinal) {
        if (ordinal < 0 || ordinal >= rowCount) {
            throw new IndexOutOfBoundsException("ordinal " + ordinal + " of " + rowCount + " rows");
        }
        if (!present.contains(ordinal)) {
            return null;
        }
        if (ends == null) {
            return dictionary.value(ids[ordinal]);
        }
        int start = ordinal == 0 ? 0 : ends[ordinal - 1];
        List<Object> out = new ArrayList<>(ends[ordinal] - start);
        for (int k = start; k < ends[ordinal]; k++) {
            out.add(dictionary.value(ids[k]));
        }
        return Collections.unmodifiableList(out);
    }

    /** Rows that have a value. Shared: callers must not mutate it. */
    public RoaringBitmap present() {
        return present;
    }

    Dictionary dictionary() {
        return dictionary;
    }

    /** Dictionary id of a scalar row, -1 when missing. */
    int idAt(int ordinal) {
        return ids.length == 0 ? -1 : ids[ordinal];
    }

    /** Rows holding at least one value with a dictionary id in {@code [lo, hi)}. A fresh bitmap. */
    RoaringBitmap rowsWithIds(int lo, int hi) {
        if (lo >= hi) {
            return new RoaringBitmap();
        }
        if (postings != null && postingsCheaper(hi - lo, cumulative[hi] - cumulative[lo])) {
            List<RoaringBitmap> parts = new ArrayList<>(hi - lo);
            for (int id = lo; id < hi; id++) {
                parts.add(postings.get(id));
            }
            return RoaringBitmap.or(parts.iterator());
        }
        RoaringBitmapWriter<RoaringBitmap> out = RoaringBitmapWriter.writer().get();
        if (ends == null) {
            for (int r = 0; r < rowCount; r++) {
                int id = ids[r];
                if (id >= lo && id < hi) {
                    out.add(r);
                }
            }
        } else {
            int k = 0;
            for (int r = 0; r < rowCount; r++) {
                for (int end = ends[r]; k < end; k++) {
                    int id = ids[k];
                    if (id >= lo && id < hi) {
                        out.add(r);
                        k = end;
                        break;
                    }
                }
            }
        }
        return out.get();
    }

    /** Rows holding at least one value whose dictionary id is set in {@code selected}. A fresh bitmap. */
    RoaringBitmap rowsWithIds(BitSet selected) {
        int k = selected.cardinality();
        if (k == 0) {
            return new RoaringBitmap();
        }
        int first = selected.nextSetBit(0);
        int last = selected.previousSetBit(selected.length());
        if (k == last - first + 1) {
            return rowsWithIds(first, last + 1);
        }
        if (postings != null && postingsCheaper(k, count(selected))) {
            List<RoaringBitmap> parts = new ArrayList<>(k);
            for (int id = first; id >= 0; id = selected.nextSetBit(id + 1)) {
                parts.add(postings.get(id));
            }
            return RoaringBitmap.or(parts.iterator());
        }
        RoaringBitmapWriter<RoaringBitmap> out = RoaringBitmapWriter.writer().get();
        if (ends == null) {
            for (int r = 0; r < rowCount; r++) {
                int id = ids[r];
                if (id >= 0 && selected.get(id)) {
                    out.add(r);
                }
            }
        } else {
            int e = 0;
            for (int r = 0; r < rowCount; r++) {
                for (int end = ends[r]; e < end; e++) {
                    if (selected.get(ids[e])) {
                        out.add(r);
                        e = end;
                        break;
                    }
                }
            }
        }
        return out.get();
    }

    /** Rows containing any value with an id in {@code [lo, hi)}, counted once per value (an upper bound). */
    long count(int lo, int hi) {
        return lo >= hi ? 0 : cumulative[hi] - cumulative[lo];
    }

    long count(BitSet selected) {
        long total = 0;
        for (int id = selected.nextSetBit(0); id >= 0; id = selected.nextSetBit(id + 1)) {
            total += cumulative[id + 1] - cumulative[id];
        }
        return total;
    }

    /**
     * Whether OR-ing {@code postings} postings totalling {@code rows} entries beats one pass over
     * the ids array; each posting costs a decode, weighed as a few dozen rows.
     */
    private boolean postingsCheaper(int postingCount, long rows) {
        return 32L * postingCount + rows < ids.length;
    }

    // ---------------------------------------------------------------- encoding

    /** Encodes the values section. */
    public void writeValues(BinaryWriter out) {
        out.u8(type.code()).u8(0).u16(0).i32(rowCount).i32(dictionary.size());
        dictionary.write(out);
        for (int i = 0; i < dictionary.size(); i++) {
            out.i32((int) (cumulative[i + 1] - cumulative[i]));
        }
        if (ends != null) {
            out.i32s(ends);
        }
        out.i32s(ids);
        byte[] bitmap = serialize(present);
        out.i32(bitmap.length).bytes(bitmap);
    }

    /** Writes the postings section; only for columns built with postings. */
    public void writePostings(BinaryWriter out) {
        postings.write(out);
    }

    static byte[] serialize(RoaringBitmap bitmap) {
        bitmap.runOptimize();
        ByteBuffer buf = ByteBuffer.allocate(bitmap.serializedSizeInBytes()).order(ByteOrder.LITTLE_ENDIAN);
        bitmap.serialize(buf);
        return buf.array();
    }

    static RoaringBitmap deserialize(ByteBuffer bytes, String resource, String what) {
        RoaringBitmap bitmap = new RoaringBitmap();
        try {
            bitmap.deserialize(bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN));
        } catch (IOException | RuntimeException e) {
            throw new CorruptDataException(resource, "unreadable bitmap in " + what, e);
        }
        return bitmap;
    }

    /**
     * Decodes a column from its values section and, if it has one, its postings section. Both
     * buffers must already be verified against their checksums; structural checks still apply.
     */
    public static AttributeColumn read(String name, ByteBuffer values, ByteBuffer postingsOrNull, String resource) {
        BinaryReader in = new BinaryReader(values, resource);
        int code = in.u8();
        AttributeType type = AttributeType.fromCode(code)
                .orElseThrow(() -> in.corrupt("column '" + name + "' has unknown type code " + code));
        in.u8();
        in.u16();
        int rows = in.count(Integer.MAX_VALUE - 8, "row count");
        int size = in.count(in.remaining(), "dictionary size");
        Dictionary dictionary = Dictionary.read(in, type.elementType(), size);
        int[] counts = in.i32s(size);
        int[] ends = null;
        int[] ids;
        if (type.isArray()) {
            ends = in.i32s(rows);
            int prev = 0;
            for (int e : ends) {
                if (e < prev) {
                    throw in.corrupt("column '" + name + "': element offsets decrease");
                }
                prev = e;
            }
            ids = in.i32s(prev);
        } else {
            ids = in.i32s(rows);
        }
        for (int id : ids) {
            if (id < (type.isArray() ? 0 : -1) || id >= size) {
                throw in.corrupt("column '" + name + "': dictionary id " + id + " out of range");
            }
        }
        int bitmapLength = in.count(in.remaining(), "bitmap length");
        RoaringBitmap present = deserialize(in.slice(bitmapLength), resource, "column '" + name + "'");
        in.expectEnd();
        if (!present.isEmpty() && present.last() >= rows) {
            throw in.corrupt("column '" + name + "': present rows beyond the row count");
        }
        if (!type.isArray()) {
            int withValue = 0;
            for (int id : ids) {
                withValue += id >= 0 ? 1 : 0;
            }
            if (withValue != present.getCardinality()) {
                throw in.corrupt("column '" + name + "': " + withValue + " values for "
                        + present.getCardinality() + " present rows");
            }
        }
        Postings postings = postingsOrNull == null ? null : Postings.read(postingsOrNull, size, resource, name);
        return new AttributeColumn(name, type, rows, dictionary, ids, ends, present, counts, postings);
    }

    /** Postings kept in their encoded form and decoded one value at a time. Thread-safe. */
    static final class Postings {
        private final ByteBuffer blob;
        private final int[] ends;
        private final String resource;
        private final String column;

        Postings(ByteBuffer blob, int[] ends, String resource, String column) {
            this.blob = blob;
            this.ends = ends;
            this.resource = resource;
            this.column = column;
        }

        static Postings read(ByteBuffer bytes, int expectedSize, String resource, String column) {
            BinaryReader in = new BinaryReader(bytes, resource);
            int size = in.count(in.remaining(), "postings count");
            if (size != expectedSize) {
                throw in.corrupt("column '" + column + "': " + size + " postings for " + expectedSize + " values");
            }
            int[] ends = in.i32s(size);
            int prev = 0;
            for (int e : ends) {
                if (e < prev) {
                    throw in.corrupt("column '" + column + "': posting offsets decrease");
                }
                prev = e;
            }
            ByteBuffer blob = in.slice(prev);
            in.expectEnd();
            return new Postings(blob, ends, resource, column);
        }

        RoaringBitmap get(int id) {
            int start = id == 0 ? 0 : ends[id - 1];
            // duplicate(): each call gets its own position, so concurrent readers never interfere.
            ByteBuffer slice = blob.duplicate().position(start).limit(ends[id]).slice();
            return deserialize(slice, resource, "postings of column '" + column + "'");
        }

        void write(BinaryWriter out) {
            out.i32(ends.length).i32s(ends);
            ByteBuffer b = blob.duplicate();
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            out.bytes(bytes);
        }
    }
}
