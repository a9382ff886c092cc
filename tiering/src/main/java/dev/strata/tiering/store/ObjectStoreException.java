package dev.strata.tiering.store;

import dev.strata.index.io.ByteRange;

/**
 * A failed object-store operation, naming where it failed: the store (bucket and prefix), the
 * key, and the range when one was read. {@link #retryable()} tells callers whether trying again
 * may succeed (throttling, 5xx, timeouts) after the store's own retries gave up.
 */
public class ObjectStoreException extends RuntimeException {

    private final String store;
    private final String key;
    private final ByteRange range;
    private final boolean retryable;

    public ObjectStoreException(String store, String key, ByteRange range, String message,
                                boolean retryable, Throwable cause) {
        super(store + " key " + key + (range == null ? "" : " range " + range) + ": " + message, cause);
        this.store = store;
        this.key = key;
        this.range = range;
        this.retryable = retryable;
    }

    public String store() {
        return store;
    }

    public String key() {
        return key;
    }

    /** The range being read, or null for whole-object operations. */
    public ByteRange range() {
        return range;
    }

    public boolean retryable() {
        return retryable;
    }
}
