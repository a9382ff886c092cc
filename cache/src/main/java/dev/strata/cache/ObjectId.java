package dev.strata.cache;

/**
 * The identity of an immutable object: its key and its length in bytes. Objects are never
 * rewritten under the same key, so cached bytes keyed by it never need invalidating.
 *
 * <p>A value class like a record, whose hash is computed once: every cache lookup of a query
 * (a page, a decoded block) hashes the object's id, and segment keys are long strings.
 */
public final class ObjectId {

    private final String key;
    private final long length;
    private final int hash;

    public ObjectId(String key, long length) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("object key must not be empty");
        }
        if (length < 0) {
            throw new IllegalArgumentException("object " + key + ": negative length " + length);
        }
        this.key = key;
        this.length = length;
        this.hash = 31 * key.hashCode() + Long.hashCode(length);
    }

    public String key() {
        return key;
    }

    public long length() {
        return length;
    }

    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof ObjectId other && other.hash == hash && other.length == length
                && other.key.equals(key);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return "ObjectId[key=" + key + ", length=" + length + "]";
    }
}
