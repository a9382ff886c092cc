package dev.strata.cache;

/**
 * How objects are cut into fixed-size pages, the unit every cache tier stores and tracks.
 * Page {@code i} of an object covers bytes {@code [i * pageSize, min((i + 1) * pageSize, length))}.
 */
public record PageGeometry(int pageSize) {

    public static final int ALIGNMENT = 4096;

    public PageGeometry {
        if (pageSize <= 0 || pageSize % ALIGNMENT != 0) {
            throw new IllegalArgumentException("page size must be a positive multiple of 4 KiB: " + pageSize);
        }
    }

    public long pageCount(long objectLength) {
        return (objectLength + pageSize - 1) / pageSize;
    }

    public long pageStart(long pageIndex) {
        return pageIndex * pageSize;
    }

    /** The length of page {@code pageIndex} of an object of the given length. */
    public int pageLength(ObjectId object, long pageIndex) {
        long count = pageCount(object.length());
        if (pageIndex < 0 || pageIndex >= count) {
            throw new IllegalArgumentException("page " + pageIndex + " outside " + object);
        }
        return (int) Math.min(pageSize, object.length() - pageStart(pageIndex));
    }

    /** The index of the page holding byte {@code position}. */
    public long pageOf(long position) {
        return position / pageSize;
    }
}
