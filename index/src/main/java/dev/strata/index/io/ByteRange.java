package dev.strata.index.io;

/**
 * A half-open range {@code [start, end)} of byte positions in one object.
 *
 * <p>Positions are {@code long}; {@link #intLength()} is the one checked place where a length is
 * narrowed to {@code int} for a heap buffer.
 */
public record ByteRange(long start, long end) implements Comparable<ByteRange> {

    public ByteRange {
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("invalid byte range [" + start + ", " + end + ")");
        }
    }

    public static ByteRange ofLength(long start, long length) {
        return new ByteRange(start, Math.addExact(start, length));
    }

    public long length() {
        return end - start;
    }

    public boolean isEmpty() {
        return start == end;
    }

    /** The length as an {@code int}, or an exception if it cannot be held in one array. */
    public int intLength() {
        return toIntExact(length(), this);
    }

    public boolean contains(ByteRange other) {
        return start <= other.start && other.end <= end;
    }

    /** Narrows a position or length to {@code int}, naming the range when it does not fit. */
    public static int toIntExact(long value, Object what) {
        if (value < 0 || value > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(what + ": " + value + " does not fit in one array");
        }
        return (int) value;
    }

    @Override
    public int compareTo(ByteRange o) {
        int c = Long.compare(start, o.start);
        return c != 0 ? c : Long.compare(end, o.end);
    }

    @Override
    public String toString() {
        return "[" + start + ", " + end + ")";
    }
}
