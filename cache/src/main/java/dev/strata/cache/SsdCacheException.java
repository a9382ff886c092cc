package dev.strata.cache;

import java.nio.file.Path;

/** The SSD tier's file could not be created, preallocated or removed; the message names it. */
public final class SsdCacheException extends RuntimeException {

    private final Path file;

    public SsdCacheException(Path file, String problem, Throwable cause) {
        super("SSD cache file " + file + ": " + problem, cause);
        this.file = file;
    }

    /** The cache file concerned. */
    public Path file() {
        return file;
    }
}
