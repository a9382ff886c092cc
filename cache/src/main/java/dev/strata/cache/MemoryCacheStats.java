package dev.strata.cache;

/**
 * A point-in-time reading of the memory tier's counters.
 *
 * @param hits pages found in the cache, loaded or still loading for another reader
 * @param misses pages this tier had to ask the colder tier for
 * @param loadFailures bulk loads from the colder tier that failed (nothing of them is kept)
 * @param evictions pages dropped to stay within the byte budget
 * @param bytesHeld page bytes currently cached (without the per-entry overhead estimate)
 */
public record MemoryCacheStats(long hits, long misses, long loadFailures, long evictions, long bytesHeld) {

    public MemoryCacheStats {
        if (hits < 0 || misses < 0 || loadFailures < 0 || evictions < 0 || bytesHeld < 0) {
            throw new IllegalArgumentException("negative memory cache counter: hits=" + hits + " misses=" + misses
                    + " loadFailures=" + loadFailures + " evictions=" + evictions + " bytesHeld=" + bytesHeld);
        }
    }

    /** The statistics of a tier that caches nothing. */
    public static final MemoryCacheStats EMPTY = new MemoryCacheStats(0, 0, 0, 0, 0);
}
