package dev.strata.tiering.store;

import dev.strata.tiering.testing.ObjectStoreContractTest;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The decorators keep the contract: counting over fault injection (with no faults but a small
 * constant latency, so every request goes through the scheduler) over a local directory.
 */
class DecoratedObjectStoreTest extends ObjectStoreContractTest {

    @TempDir
    static Path root;

    private final ScheduledExecutorService scheduler = new ScheduledThreadPoolExecutor(1);

    @Override
    protected ObjectStore createStore(Executor io) {
        FaultInjectingObjectStore.Faults faults = FaultInjectingObjectStore.Faults.none(1)
                .withLatency(java.time.Duration.ofNanos(20_000), java.time.Duration.ofNanos(20_000));
        return new CountingObjectStore(
                new FaultInjectingObjectStore(new LocalDirectoryObjectStore(root, io), faults, scheduler, io), io);
    }

    @AfterAll
    void stopScheduler() {
        scheduler.shutdownNow();
    }
}
