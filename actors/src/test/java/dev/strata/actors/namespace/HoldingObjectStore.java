package dev.strata.actors.namespace;

import dev.strata.tiering.store.ObjectStore;
import dev.strata.tiering.testing.ForwardingObjectStore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiPredicate;

/**
 * An object store that, once armed, holds the next write (put or create-if-absent) its predicate
 * picks, by key and bytes, until released: a test sees what happens while that write is in
 * flight, or simulates a crash by stopping the node and never releasing it. The plain
 * constructors pick writes under a key containing a fragment ({@code /wal/} unless told
 * otherwise) and wait for {@link #arm}; {@link #holdingFirst} is armed from the start and its
 * predicate sees every write until one is held, so it may count them or decode what is written.
 */
final class HoldingObjectStore extends ForwardingObjectStore {

    private final BiPredicate<String, byte[]> when;
    private final AtomicBoolean armed;
    final CompletableFuture<String> entered = new CompletableFuture<>();
    final CompletableFuture<Void> release = new CompletableFuture<>();

    HoldingObjectStore(ObjectStore delegate) {
        this(delegate, "/wal/");
    }

    HoldingObjectStore(ObjectStore delegate, String fragment) {
        this(delegate, (key, data) -> key.contains(fragment), false);
    }

    private HoldingObjectStore(ObjectStore delegate, BiPredicate<String, byte[]> when, boolean armed) {
        super(delegate);
        this.when = when;
        this.armed = new AtomicBoolean(armed);
    }

    /** A store that holds the first write {@code when} picks. */
    static HoldingObjectStore holdingFirst(ObjectStore delegate, BiPredicate<String, byte[]> when) {
        return new HoldingObjectStore(delegate, when, true);
    }

    void arm() {
        armed.set(true);
    }

    private boolean hold(String key, byte[] data) {
        // The predicate may count what it sees; writes are issued from many threads, hence synchronized.
        synchronized (this) {
            if (!armed.get() || !when.test(key, data)) {
                return false;
            }
            armed.set(false);
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
    public String describe() {
        return "holding(" + delegate.describe() + ")";
    }
}
