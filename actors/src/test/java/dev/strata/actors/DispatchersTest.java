package dev.strata.actors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.strata.config.StrataThreads;
import dev.strata.tiering.store.LocalDirectoryObjectStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The named dispatchers of reference.conf: their threads are recognised by {@link StrataThreads}
 * as the server relies on, and blocking storage calls (which assert they run on an I/O thread)
 * work on {@code strata.io} and are refused on {@code strata.compute}.
 */
class DispatchersTest {

    @TempDir
    Path dir;

    private final ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "strata", ConfigFactory.load());

    @AfterEach
    void stop() {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().join();
    }

    private Executor dispatcher(String id) {
        return system.dispatchers().lookup(DispatcherSelector.fromConfig(id));
    }

    private static String threadOf(Executor executor) {
        return CompletableFuture.supplyAsync(() -> Thread.currentThread().getName(), executor).join();
    }

    private static boolean on(Executor executor, String kind) {
        return CompletableFuture.supplyAsync(() -> StrataThreads.onPool(kind), executor).join();
    }

    @Test
    void eachDispatcherIsItsOwnKindOfThread() {
        Executor io = dispatcher(StrataThreads.IO_DISPATCHER);
        Executor compute = dispatcher(StrataThreads.COMPUTE_DISPATCHER);
        Executor indexer = dispatcher(StrataThreads.INDEXER_DISPATCHER);
        assertTrue(threadOf(io).startsWith("strata-strata.io-"), threadOf(io));
        assertTrue(on(io, StrataThreads.IO));
        assertFalse(on(io, StrataThreads.COMPUTE));
        assertTrue(on(compute, StrataThreads.COMPUTE));
        assertFalse(on(compute, StrataThreads.IO));
        assertTrue(on(indexer, StrataThreads.INDEXER));
        assertFalse(on(indexer, StrataThreads.IO));
    }

    @Test
    void blockingStorageRunsOnStrataIoAndIsRefusedOnCompute() {
        byte[] bytes = "strata".getBytes(StandardCharsets.UTF_8);
        try (LocalDirectoryObjectStore onIo = new LocalDirectoryObjectStore(dir, dispatcher(StrataThreads.IO_DISPATCHER))) {
            onIo.put("k", bytes).join();
            assertArrayEquals(bytes, onIo.get("k").join());
        }
        try (LocalDirectoryObjectStore onCompute = new LocalDirectoryObjectStore(dir,
                dispatcher(StrataThreads.COMPUTE_DISPATCHER))) {
            CompletionException e = assertThrows(CompletionException.class, () -> onCompute.get("k").join());
            assertTrue(e.getCause() instanceof AssertionError, e.toString());
        }
    }
}
