package dev.strata.tiering.store;

import dev.strata.tiering.testing.ObjectStoreContractTest;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The decorators keep the contract: metering over counting over fault injection (with no faults
 * but a small constant latency, so every request goes through the scheduler) over a local
 * directory.
 */
class DecoratedObjectStoreTest extends ObjectStoreContractTest {

    @TempDir
    static Path root;

    private final ScheduledExecutorService scheduler = new ScheduledThreadPoolExecutor(1);

    @Override
    protected ObjectStore createStore(Executor io) {
        FaultInjectingObjectStore.Faults faults = FaultInjectingObjectStore.Faults.none(1)
                .withLatency(java.time.Duration.ofNanos(20_000), java.time.Duration.ofNanos(20_000));
        return new MeteredObjectStore(new CountingObjectStore(
                new FaultInjectingObjectStore(new LocalDirectoryObjectStore(root, io), faults, scheduler, io), io), io,
                (operation, outcome, nanos, bytes) -> {
                    if (nanos < 0 || bytes < 0) {
                        throw new AssertionError("negative measurement " + operation + " " + nanos + " ns " + bytes + " B");
                    }
                });
    }

    @AfterAll
    void stopScheduler() {
        scheduler.shutdownNow();
    }
}
