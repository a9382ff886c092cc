package dev.strata.actors.namespace;

import dev.strata.index.io.ByteRange;
import dev.strata.tiering.store.ListPage;
import dev.strata.tiering.store.ObjectInfo;
import dev.strata.tiering.store.ObjectStore;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An object store that, once armed, holds the next create-if-absent under a key containing
 * {@code /wal/} until released: a test sees what happens while a WAL write is in flight.
 */
final class HoldingObjectStore implements ObjectStore {

    private final ObjectStore delegate;
    private final AtomicBoolean armed = new AtomicBoolean();
    final CompletableFuture<String> entered = new CompletableFuture<>();
    final CompletableFuture<Void> release = new CompletableFuture<>();

    HoldingObjectStore(ObjectStore delegate) {
        this.delegate = delegate;
    }

    void arm() {
        armed.set(true);
    }

    @Override
    public CompletableFuture<Boolean> createIfAbsent(String key, byte[] data) {
        if (key.contains("/wal/") && armed.compareAndSet(true, false)) {
            entered.complete(key);
            return release.thenCompose(ignored -> delegate.createIfAbsent(key, data));
        }
        return delegate.createIfAbsent(key, data);
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
        return "holding(" + delegate.describe() + ")";
    }

    @Override
    public void close() {
        delegate.close();
    }
}
