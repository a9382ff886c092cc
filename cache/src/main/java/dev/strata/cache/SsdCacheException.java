package dev.strata.cache;

import java.nio.file.Path;

/** A failure to create, preallocate or remove the SSD tier's file; the message names the file. */
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
