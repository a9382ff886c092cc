package dev.strata.actors.namespace;

import dev.strata.index.io.ByteRange;
import dev.strata.tiering.store.ListPage;
import dev.strata.tiering.store.ObjectInfo;
import dev.strata.tiering.store.ObjectStore;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiPredicate;

/**
 * An object store that holds the first write (put or create-if-absent) its predicate picks, by
 * key and bytes, until released: a test stops the node while that write is in flight, which is
 * a crash at exactly that point. Unlike {@link HoldingObjectStore} the predicate sees every
 * write, so it can count them or decode what is written to find, say, the compaction's manifest.
 */
final class HoldWhenStore implements ObjectStore {

    private final ObjectStore delegate;
    private final BiPredicate<String, byte[]> when;
    private final AtomicBoolean held = new AtomicBoolean();
    final CompletableFuture<String> entered = new CompletableFuture<>();
    final CompletableFuture<Void> release = new CompletableFuture<>();

    HoldWhenStore(ObjectStore delegate, BiPredicate<String, byte[]> when) {
        this.delegate = delegate;
        this.when = when;
    }

    private boolean hold(String key, byte[] data) {
        // The predicate runs for every write until one is held, so it may count; it is called
        // from whichever thread issues the write, hence synchronized.
        synchronized (this) {
            if (held.get() || !when.test(key, data)) {
                return false;
            }
            held.set(true);
        }
        entered.complete(key);
        return true;
    }

    @Override
    public CompletableFuture<Boolean> createIfAbsent(String key, byte[] data) {
        return hold(key, data) ? release.thenCompose(ignored -> delegate.createIfAbsent(key, data))
                : delegate.createIfAbsent(key, data);
    }

    @Override
    public CompletableFuture<Void> put(String key, byte[] data) {
        return hold(key, data) ? release.thenCompose(ignored -> delegate.put(key, data)) : delegate.put(key, data);
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
        return "hold-when(" + delegate.describe() + ")";
    }

    @Override
    public void close() {
        delegate.close();
    }
}
