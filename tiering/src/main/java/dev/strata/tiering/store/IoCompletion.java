package dev.strata.tiering.store;

import dev.strata.config.StrataThreads;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;

/** Keeps the promise of {@link ObjectStore} that futures complete on an I/O thread. */
final class IoCompletion {

    private IoCompletion() {}

    /**
     * A future completed with {@code handler}'s answer to {@code source}'s outcome (or with what
     * the handler throws), always on an I/O thread: the handler runs where {@code source}
     * completed if that is an I/O thread, and is handed to {@code io} otherwise, which also
     * covers a {@code source} that was already complete on the caller's thread.
     */
    static <R, T> CompletableFuture<T> relay(CompletableFuture<R> source, Executor io,
                                             BiFunction<? super R, Throwable, ? extends T> handler) {
        CompletableFuture<T> result = new CompletableFuture<>();
        source.whenComplete((value, error) -> {
            Runnable finish = () -> {
                try {
                    result.complete(handler.apply(value, unwrap(error)));
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                }
            };
            if (StrataThreads.onPool(StrataThreads.IO)) {
                finish.run();
            } else {
                io.execute(finish);
            }
        });
        return result;
    }

    static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }
}
