package dev.strata.actors.namespace;

import dev.strata.index.io.ByteRange;
import dev.strata.tiering.store.ListPage;
import dev.strata.tiering.store.ObjectInfo;
import dev.strata.tiering.store.ObjectStore;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An object store that, once armed, holds the next write (put or create-if-absent) under a key
 * containing a fragment ({@code /wal/} unless told otherwise) until released: a test sees what
 * happens while that write is in flight, or simulates a crash by never releasing it.
 */
final class HoldingObjectStore implements ObjectStore {

    private final ObjectStore delegate;
    private final String fragment;
    private final AtomicBoolean armed = new AtomicBoolean();
    final CompletableFuture<String> entered = new CompletableFuture<>();
    final CompletableFuture<Void> release = new CompletableFuture<>();

    HoldingObjectStore(ObjectStore delegate) {
        this(delegate, "/wal/");
    }

    HoldingObjectStore(ObjectStore delegate, String fragment) {
        this.delegate = delegate;
        this.fragment = fragment;
    }

    void arm() {
        armed.set(true);
    }

    @Override
    public CompletableFuture<Boolean> createIfAbsent(String key, byte[] data) {
        if (key.contains(fragment) && armed.compareAndSet(true, false)) {
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
        if (key.contains(fragment) && armed.compareAndSet(true, false)) {
            entered.complete(key);
            return release.thenCompose(ignored -> delegate.put(key, data));
        }
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
