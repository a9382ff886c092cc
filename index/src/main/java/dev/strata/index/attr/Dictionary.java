package dev.strata.index.attr;

import dev.strata.index.doc.AttributeType;
import dev.strata.index.doc.BinaryReader;
import dev.strata.index.doc.BinaryWriter;
import dev.strata.index.doc.Values;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

/**
 * The sorted distinct values of one column, stored in a primitive array per type; a value's
 * position is its dictionary id, so comparing ids compares values.
 *
 * <p>Encoding (after the column header, see {@link AttributeColumn}): {@code int}, {@code uint},
 * {@code datetime}, {@code bool} → i64 per value ({@code bool} as 0/1); {@code float} → f64 per
 * value; {@code uuid} → two i64 per value (most, least significant); {@code string} → u32 end
 * offset per value, then the concatenated UTF-8 bytes. Immutable and thread-safe.
 */
abstract sealed class Dictionary {

    final AttributeType elementType;

    Dictionary(AttributeType elementType) {
        this.elementType = elementType;
    }

    abstract int size();

    /** The canonical value with this id. */
    abstract Object value(int id);

    /** Compares the value with this id to a canonical value of the element type. */
    abstract int compareAt(int id, Object value);

    abstract void write(BinaryWriter out);

    /** Like {@link java.util.Arrays#binarySearch}: the id, or {@code -(insertion point) - 1}. */
    final int search(Object value) {
        int lo = 0;
        int hi = size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = compareAt(mid, value);
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

    /** The first id whose value is {@code >= value}. */
    final int lowerBound(Object value) {
        int r = search(value);
        return r >= 0 ? r : -r - 1;
    }

    /** The first id whose value is {@code > value}. */
    final int upperBound(Object value) {
        int r = search(value);
        return r >= 0 ? r + 1 : -r - 1;
    }

    /** Builds a dictionary from canonical values already sorted and distinct. */
    static Dictionary of(AttributeType elementType, List<Object> sorted) {
        int n = sorted.size();
        switch (elementType) {
            case STRING:
                return new Strings(sorted.toArray(new String[0]));
            case FLOAT: {
                double[] v = new double[n];
                for (int i = 0; i < n; i++) {
                    v[i] = (Double) sorted.get(i);
                }
                return new Doubles(v);
            }
            case UUID: {
                long[] v = new long[2 * n];
                for (int i = 0; i < n; i++) {
                    UUID u = (UUID) sorted.get(i);
                    v[2 * i] = u.getMostSignificantBits();
                    v[2 * i + 1] = u.getLeastSignificantBits();
                }
                return new Uuids(v);
            }
            default: {
                long[] v = new long[n];
                for (int i = 0; i < n; i++) {
                    Object o = sorted.get(i);
                    v[i] = o instanceof Boolean b ? (b ? 1 : 0) : (Long) o;
                }
                return new Longs(elementType, v);
            }
        }
    }

    static Dictionary read(BinaryReader in, AttributeType elementType, int size) {
        Dictionary d;
        switch (elementType) {
            case STRING: {
                int[] ends = in.i32s(size);
                byte[] bytes = in.bytes(size == 0 ? 0 : checkEnds(in, ends));
                String[] v = new String[size];
                int start = 0;
                for (int i = 0; i < size; i++) {
                    v[i] = new String(bytes, start, ends[i] - start, StandardCharsets.UTF_8);
                    start = ends[i];
                }
                d = new Strings(v);
                break;
            }
            case FLOAT: {
                long[] bits = in.i64s(size);
                double[] v = new double[size];
                for (int i = 0; i < size; i++) {
                    v[i] = Double.longBitsToDouble(bits[i]);
                }
                d = new Doubles(v);
                break;
            }
            case UUID:
                d = new Uuids(in.i64s(Math.multiplyExact(2, size)));
                break;
            default: {
                long[] v = in.i64s(size);
                if (elementType == AttributeType.BOOL) {
                    for (long b : v) {
                        if (b != 0 && b != 1) {
                            throw in.corrupt("bool dictionary value " + b);
                        }
                    }
                }
                d = new Longs(elementType, v);
            }
        }
        for (int i = 1; i < size; i++) {
            if (d.compareAt(i - 1, d.value(i)) >= 0) {
                throw in.corrupt("dictionary of " + elementType + " not strictly increasing at id " + i);
            }
        }
        return d;
    }

    private static int checkEnds(BinaryReader in, int[] ends) {
        int prev = 0;
        for (int end : ends) {
            if (end < prev) {
                throw in.corrupt("string dictionary offsets decrease");
            }
            prev = end;
        }
        return prev;
    }

    static final class Longs extends Dictionary {
        private final long[] values;

        Longs(AttributeType type, long[] values) {
            super(type);
            this.values = values;
        }

        @Override
        int size() {
            return values.length;
        }

        @Override
        Object value(int id) {
            return elementType == AttributeType.BOOL ? (Object) (values[id] == 1) : (Object) values[id];
        }

        @Override
        int compareAt(int id, Object value) {
            long v = value instanceof Boolean b ? (b ? 1 : 0) : (Long) value;
            return elementType == AttributeType.UINT ? Long.compareUnsigned(values[id], v)
                    : Long.compare(values[id], v);
        }

        @Override
        void write(BinaryWriter out) {
            out.i64s(values);
        }
    }

    static final class Doubles extends Dictionary {
        private final double[] values;

        Doubles(double[] values) {
            super(AttributeType.FLOAT);
            this.values = values;
        }

        @Override
        int size() {
            return values.length;
        }

        @Override
        Object value(int id) {
            return values[id];
        }

        @Override
        int compareAt(int id, Object value) {
            return Double.compare(values[id], (Double) value);
        }

        @Override
        void write(BinaryWriter out) {
            for (double v : values) {
                out.f64(v);
            }
        }
    }

    static final class Uuids extends Dictionary {
        private final long[] halves;

        Uuids(long[] halves) {
            super(AttributeType.UUID);
            this.halves = halves;
        }

        @Override
        int size() {
            return halves.length / 2;
        }

        @Override
        Object value(int id) {
            return new UUID(halves[2 * id], halves[2 * id + 1]);
        }

        @Override
        int compareAt(int id, Object value) {
            UUID u = (UUID) value;
            int c = Long.compareUnsigned(halves[2 * id], u.getMostSignificantBits());
            return c != 0 ? c : Long.compareUnsigned(halves[2 * id + 1], u.getLeastSignificantBits());
        }

        @Override
        void write(BinaryWriter out) {
            out.i64s(halves);
        }
    }

    static final class Strings extends Dictionary {
        private final String[] values;

        Strings(String[] values) {
            super(AttributeType.STRING);
            this.values = values;
        }

        @Override
        int size() {
            return values.length;
        }

        @Override
        Object value(int id) {
            return values[id];
        }

        String string(int id) {
            return values[id];
        }

        @Override
        int compareAt(int id, Object value) {
            return Values.compareStrings(values[id], (String) value);
        }

        @Override
        void write(BinaryWriter out) {
            byte[][] utf8 = new byte[values.length][];
            int end = 0;
            for (int i = 0; i < values.length; i++) {
                utf8[i] = values[i].getBytes(StandardCharsets.UTF_8);
                end = Math.addExact(end, utf8[i].length);
                out.i32(end);
            }
            for (byte[] b : utf8) {
                out.bytes(b);
            }
        }
    }
}
