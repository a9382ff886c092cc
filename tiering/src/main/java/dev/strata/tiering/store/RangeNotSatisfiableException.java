package dev.strata.tiering.store;

import dev.strata.index.io.ByteRange;

/** A range read asked for bytes past the end of the object (HTTP 416, or a clamped response). */
public class RangeNotSatisfiableException extends ObjectStoreException {

    private final long objectSize;

    /** {@code objectSize} is the object's length when the store reported it, otherwise -1. */
    public RangeNotSatisfiableException(String store, String key, ByteRange range, long objectSize) {
        super(store, key, range,
                "range lies past the end of the object" + (objectSize >= 0 ? " (size " + objectSize + ")" : ""),
                false, null);
        this.objectSize = objectSize;
    }

    /** The object's length, or -1 when the store did not say. */
    public long objectSize() {
        return objectSize;
    }
}
