package dev.strata.tiering.store;

import dev.strata.index.io.ByteRange;

/** The key does not exist in the store. */
public class ObjectNotFoundException extends ObjectStoreException {

    public ObjectNotFoundException(String store, String key, ByteRange range) {
        super(store, key, range, "no such key", false, null);
    }
}
