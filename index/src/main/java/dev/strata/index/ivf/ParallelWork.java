package dev.strata.index.ivf;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs chunked work on a provided executor with the calling thread taking part.
 *
 * <p>Chunks are claimed from a shared counter, so the caller never waits for a chunk nobody has
 * started: if the executor is busy (or is the caller's own, saturated pool) the caller simply
 * claims and runs every chunk itself. This makes nested or same-pool use deadlock-free.
 */
final class ParallelWork {

    /** The body of one chunk: {@code chunk} in {@code [0, chunks)} covers {@code [from, to)}. */
    @FunctionalInterface
    interface Chunk {
        void run(int chunk, int from, int to);
    }

    private final Executor executor;
    private final int parallelism;

    ParallelWork(Executor executor, int parallelism) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be positive: " + parallelism);
        }
        this.executor = executor;
        this.parallelism = parallelism;
    }

    int parallelism() {
        return parallelism;
    }

    /** Splits {@code [0, n)} into {@code chunks} near-equal ranges and runs them all. */
    void run(int n, int chunks, Chunk body) {
        int count = Math.max(1, Math.min(chunks, n));
        if (count == 1 || parallelism == 1) {
            for (int c = 0; c < count; c++) {
                body.run(c, bound(n, count, c), bound(n, count, c + 1));
            }
            return;
        }
        AtomicInteger next = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(count);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable worker = () -> {
            int c;
            while ((c = next.getAndIncrement()) < count) {
                try {
                    if (failure.get() == null) {
                        body.run(c, bound(n, count, c), bound(n, count, c + 1));
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    done.countDown();
                }
            }
        };
        for (int i = 1; i < Math.min(parallelism, count); i++) {
            try {
                executor.execute(worker);
            } catch (RejectedExecutionException e) {
                break; // the caller claims the remaining chunks itself
            }
        }
        worker.run();
        try {
            // Only chunks already claimed by running workers can be outstanding here.
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for parallel work", e);
        }
        Throwable t = failure.get();
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error err) {
            throw err;
        }
        if (t != null) {
            throw new IllegalStateException(t);
        }
    }

    private static int bound(int n, int chunks, int c) {
        return (int) ((long) n * c / chunks);
    }
}
