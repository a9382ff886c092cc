package dev.strata.config;

import static dev.strata.config.SettingsException.require;

import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The cache tiers: the node-wide memory budgets (pages, and values decoded from them), the SSD
 * tier's file, the page size both track, and the window within which range reads are coalesced
 * into one request.
 */
public record CacheSettings(int pageSize, long memoryBytes, long decodedBytes, Path ssdDirectory, long ssdBytes,
                            int regionSize, int coalesceWindow) {

    public CacheSettings {
        require(pageSize > 0 && pageSize % 4096 == 0, "cache.page-size", pageSize,
                "must be a positive multiple of 4 KiB (4096 bytes)");
        require(memoryBytes >= 0, "cache.memory.size", memoryBytes, "must not be negative");
        require(decodedBytes >= 0, "cache.memory.decoded-size", decodedBytes, "must not be negative");
        require(ssdBytes >= 0, "cache.ssd.size", ssdBytes, "must not be negative");
        require(regionSize > 0 && regionSize % 4096 == 0, "cache.ssd.region-size", regionSize,
                "must be a positive multiple of 4 KiB (4096 bytes)");
        require(regionSize % pageSize == 0, "cache.ssd.region-size", regionSize,
                "must be a multiple of cache.page-size (" + pageSize + ")");
        require(ssdBytes == 0 || ssdBytes >= regionSize, "cache.ssd.size", ssdBytes,
                "must hold at least one region of cache.ssd.region-size (" + regionSize + "), or be 0");
        require(coalesceWindow >= 0, "cache.coalesce-window", coalesceWindow, "must not be negative");
    }

    /** Whether the SSD tier is on. */
    public boolean ssdEnabled() {
        return ssdBytes > 0;
    }

    static CacheSettings from(Config c) {
        CacheSettings settings = new CacheSettings(
                intBytes(c, "page-size"),
                c.getBytes("strata.cache.memory.size"),
                c.getBytes("strata.cache.memory.decoded-size"),
                Path.of(c.getString("strata.cache.ssd.directory")),
                c.getBytes("strata.cache.ssd.size"),
                intBytes(c, "ssd.region-size"),
                intBytes(c, "coalesce-window"));
        if (settings.ssdEnabled()) {
            requireWritableDirectory(settings.ssdDirectory());
        }
        return settings;
    }

    private static int intBytes(Config c, String key) {
        long v = c.getBytes("strata.cache." + key);
        require(v <= Integer.MAX_VALUE, "cache." + key, v, "must be below 2 GiB");
        return (int) v;
    }

    private static void requireWritableDirectory(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException | SecurityException e) {
            throw new SettingsException("strata.cache.ssd.directory = " + dir + ": cannot be created (" + e + ")");
        }
        require(Files.isDirectory(dir) && Files.isWritable(dir), "cache.ssd.directory", dir,
                "is not a writable directory");
    }
}
