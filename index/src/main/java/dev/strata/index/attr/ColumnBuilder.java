package dev.strata.index.attr;

import dev.strata.index.doc.AttributeType;
import dev.strata.index.doc.BinaryWriter;
import dev.strata.index.doc.Values;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.roaringbitmap.RoaringBitmap;

/**
 * Accumulates one attribute's canonical values row by row (row {@code i} is ordinal {@code i})
 * and builds its {@link AttributeColumn}. Not thread-safe.
 */
public final class ColumnBuilder {

    private final String name;
    private final AttributeType type;
    private final boolean filterable;
    private final List<Object> rows = new ArrayList<>();

    public ColumnBuilder(String name, AttributeType type, boolean filterable) {
        this.name = name;
        this.type = type;
        this.filterable = filterable;
    }

    /** Appends the next row's canonical value (null when missing). */
    public ColumnBuilder add(Object canonicalOrNull) {
        if (canonicalOrNull != null && type.isArray() != (canonicalOrNull instanceof List)) {
            throw new IllegalArgumentException("column '" + name + "' of type " + type + " got " + canonicalOrNull);
        }
        rows.add(canonicalOrNull);
        return this;
    }

    public int rowCount() {
        return rows.size();
    }

    public AttributeColumn build() {
        AttributeType element = type.elementType();
        Map<Object, Integer> distinct = new HashMap<>();
        for (Object v : rows) {
            if (v instanceof List<?> list) {
                for (Object e : list) {
                    distinct.putIfAbsent(e, 0);
                }
            } else if (v != null) {
                distinct.putIfAbsent(v, 0);
            }
        }
        List<Object> sorted = new ArrayList<>(distinct.keySet());
        sorted.sort((a, b) -> Values.compare(element, a, b));
        for (int i = 0; i < sorted.size(); i++) {
            distinct.put(sorted.get(i), i);
        }
        int n = rows.size();
        int[] counts = new int[sorted.size()];
        RoaringBitmap present = new RoaringBitmap();
        int[] ends = null;
        int[] ids;
        if (type.isArray()) {
            ends = new int[n];
            int total = 0;
            for (int r = 0; r < n; r++) {
                Object v = rows.get(r);
                total += v == null ? 0 : ((List<?>) v).size();
                ends[r] = total;
            }
            ids = new int[total];
        } else {
            ids = new int[n];
        }
        int k = 0;
        int[] lastRowOf = new int[sorted.size()];
        java.util.Arrays.fill(lastRowOf, -1);
        for (int r = 0; r < n; r++) {
            Object v = rows.get(r);
            if (v == null) {
                if (!type.isArray()) {
                    ids[r] = -1;
                }
                continue;
            }
            present.add(r);
            for (Object e : type.isArray() ? (List<?>) v : List.of(v)) {
                int id = distinct.get(e);
                if (type.isArray()) {
                    ids[k++] = id;
                } else {
                    ids[r] = id;
                }
                if (lastRowOf[id] != r) {
                    lastRowOf[id] = r;
                    counts[id]++;
                }
            }
        }
        AttributeColumn.Postings postings = filterable ? postings(ids, ends, counts, n) : null;
        return new AttributeColumn(name, type, n, Dictionary.of(element, sorted), ids, ends, present, counts,
                postings);
    }

    /** Groups rows by dictionary id (a counting sort, rows stay ascending) and encodes each group. */
    private AttributeColumn.Postings postings(int[] ids, int[] ends, int[] counts, int n) {
        int size = counts.length;
        int[] start = new int[size + 1];
        for (int i = 0; i < size; i++) {
            start[i + 1] = start[i] + counts[i];
        }
        int[] next = start.clone();
        int[] grouped = new int[start[size]];
        int[] lastRowOf = new int[size];
        java.util.Arrays.fill(lastRowOf, -1);
        int k = 0;
        for (int r = 0; r < n; r++) {
            int end = ends == null ? r + 1 : ends[r];
            for (; k < end; k++) {
                int id = ids[k];
                if (id >= 0 && lastRowOf[id] != r) {
                    lastRowOf[id] = r;
                    grouped[next[id]++] = r;
                }
            }
        }
        BinaryWriter blob = new BinaryWriter(Math.max(256, grouped.length * 2));
        int[] postingEnds = new int[size];
        for (int id = 0; id < size; id++) {
            RoaringBitmap posting = new RoaringBitmap();
            posting.addN(grouped, start[id], counts[id]);
            blob.bytes(AttributeColumn.serialize(posting));
            postingEnds[id] = blob.position();
        }
        ByteBuffer bytes = ByteBuffer.wrap(blob.toByteArray()).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        return new AttributeColumn.Postings(bytes, postingEnds, "column '" + name + "' being built", name);
    }
}
