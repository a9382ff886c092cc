package dev.strata.cache;

/**
 * The identity of an immutable object: its key and its length in bytes. Objects are never
 * rewritten under the same key, so cached bytes keyed by it never need invalidating.
 */
public record ObjectId(String key, long length) {

    public ObjectId {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("object key must not be empty");
        }
        if (length < 0) {
            throw new IllegalArgumentException("object " + key + ": negative length " + length);
        }
    }
}
