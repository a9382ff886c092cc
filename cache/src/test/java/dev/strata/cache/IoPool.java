package dev.strata.cache;

import dev.strata.config.StrataThreads;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A single I/O thread for tests. With one thread, tasks run in submission order, so
 * {@link #drain()} returns once everything queued before it (such as the SSD tier's deferred
 * writes) has finished.
 */
final class IoPool implements AutoCloseable {

    final ExecutorService executor = StrataThreads.newPool(StrataThreads.IO, 1);

    void drain() throws Exception {
        executor.submit(() -> {}).get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
