package dev.strata.tiering.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.strata.config.StorageSettings;
import dev.strata.config.StrataThreads;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ObjectStoresTest {

    @TempDir
    Path directory;

    @Test
    void localSettingsOpenADirectoryStore() throws Exception {
        StorageSettings settings = new StorageSettings(StorageSettings.Kind.LOCAL, directory.resolve("bucket"),
                new StorageSettings.S3("", "", Optional.empty(), "us-east-1", "", "", false, 1, 0, Duration.ofSeconds(1)));
        ExecutorService io = StrataThreads.newPool(StrataThreads.IO, 1);
        try (ObjectStore store = ObjectStores.open(settings, io)) {
            assertInstanceOf(LocalDirectoryObjectStore.class, store);
            store.put("k", new byte[] {1}).join();
            assertArrayEquals(new byte[] {1}, Files.readAllBytes(directory.resolve("bucket/k")));
            assertEquals("file://" + directory.resolve("bucket").toAbsolutePath(), store.describe());
        } finally {
            io.shutdownNow();
        }
    }
}
