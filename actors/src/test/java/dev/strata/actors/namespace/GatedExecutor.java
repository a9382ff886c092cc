package dev.strata.actors.namespace;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An executor that, once armed, holds the next task it is given until released: a test sees
 * what the entity does while a background build is under way.
 */
final class GatedExecutor implements Executor {

    private final Executor delegate;
    private final AtomicBoolean armed = new AtomicBoolean();
    final CompletableFuture<Void> entered = new CompletableFuture<>();
    final CompletableFuture<Void> release = new CompletableFuture<>();

    GatedExecutor(Executor delegate) {
        this.delegate = delegate;
    }

    void arm() {
        armed.set(true);
    }

    @Override
    public void execute(Runnable task) {
        if (armed.compareAndSet(true, false)) {
            entered.complete(null);
            release.thenRunAsync(task, delegate);
        } else {
            delegate.execute(task);
        }
    }
}
