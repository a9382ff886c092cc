package dev.strata.cache;

/** The memory tier's cache key: one page of one immutable object. */
record PageKey(ObjectId object, long pageIndex) {

    PageKey {
        if (object == null || pageIndex < 0) {
            throw new IllegalArgumentException("invalid page " + pageIndex + " of " + object);
        }
    }
}
