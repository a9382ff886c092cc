package dev.strata.cache;

/**
 * A point-in-time reading of the SSD tier's counters.
 *
 * @param hits pages served from the cache file
 * @param misses pages requested from the colder tier (never cached, evicted, or failed a check)
 * @param bytesRead bytes read from the cache file
 * @param bytesWritten bytes written to the cache file
 * @param evictions regions reassigned from one chunk of pages to another
 * @param corruptPages pages whose bytes did not match their CRC32C; they were refetched
 * @param racedPages pages whose region was reassigned while they were being read; refetched
 * @param ioErrors failed reads or writes of the cache file (the pages were fetched instead)
 * @param skippedWrites fetched pages not cached because every region was being written
 */
public record SsdCacheStats(long hits, long misses, long bytesRead, long bytesWritten, long evictions,
        long corruptPages, long racedPages, long ioErrors, long skippedWrites) {

    public SsdCacheStats {
        if (hits < 0 || misses < 0 || bytesRead < 0 || bytesWritten < 0 || evictions < 0
                || corruptPages < 0 || racedPages < 0 || ioErrors < 0 || skippedWrites < 0) {
            throw new IllegalArgumentException("negative SSD cache counter in " + hits + "/" + misses + "/"
                    + bytesRead + "/" + bytesWritten + "/" + evictions + "/" + corruptPages + "/" + racedPages
                    + "/" + ioErrors + "/" + skippedWrites);
        }
    }
}
