package dev.strata.tiering.testing;

import dev.strata.index.io.ByteRange;
import dev.strata.tiering.store.ListPage;
import dev.strata.tiering.store.ObjectInfo;
import dev.strata.tiering.store.ObjectStore;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * An object store passing every request to a delegate: tests extend it and override only the
 * requests they hold, fail or observe.
 */
public abstract class ForwardingObjectStore implements ObjectStore {

    protected final ObjectStore delegate;

    protected ForwardingObjectStore(ObjectStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public CompletableFuture<byte[]> get(String key) {
        return delegate.get(key);
    }

    @Override
    public CompletableFuture<byte[]> getRange(String key, ByteRange range) {
        return delegate.getRange(key, range);
    }

    @Override
    public CompletableFuture<Void> put(String key, byte[] data) {
        return delegate.put(key, data);
    }

    @Override
    public CompletableFuture<Boolean> createIfAbsent(String key, byte[] data) {
        return delegate.createIfAbsent(key, data);
    }

    @Override
    public CompletableFuture<Optional<ObjectInfo>> head(String key) {
        return delegate.head(key);
    }

    @Override
    public CompletableFuture<ListPage> list(String prefix, String continuationToken, int maxKeys) {
        return delegate.list(prefix, continuationToken, maxKeys);
    }

    @Override
    public CompletableFuture<Void> delete(String key) {
        return delegate.delete(key);
    }

    @Override
    public String describe() {
        return getClass().getSimpleName() + "(" + delegate.describe() + ")";
    }

    @Override
    public void close() {
        delegate.close();
    }
}
