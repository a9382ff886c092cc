package dev.strata.tiering.store;

import dev.strata.config.StorageSettings;
import java.util.concurrent.Executor;

/** Opens the {@link ObjectStore} that the settings ask for. */
public final class ObjectStores {

    private ObjectStores() {}

    /**
     * A {@link LocalDirectoryObjectStore} for {@code storage.kind = local}, an
     * {@link S3ObjectStore} for {@code s3}; either runs its blocking work and completes its
     * futures on {@code io}. The caller closes the store.
     */
    public static ObjectStore open(StorageSettings settings, Executor io) {
        return switch (settings.kind()) {
            case LOCAL -> new LocalDirectoryObjectStore(settings.localDirectory(), io);
            case S3 -> new S3ObjectStore(settings.s3(), io);
        };
    }
}
