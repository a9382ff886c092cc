package dev.strata.actors.namespace;

import dev.strata.cache.ObjectId;
import dev.strata.index.io.ByteRange;
import dev.strata.tiering.read.ReadStats;
import dev.strata.tiering.read.TieredReader;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@code hint_cache_warm}: reads every byte of a namespace's segments (centroids, quantized
 * codes, vectors, ids and attribute columns: everything a query may touch) through the
 * {@link TieredReader}, so the pages land in the memory and SSD tiers. One chunk is in flight at
 * a time per warm-up, so warming a large namespace never crowds out queries' reads; the reads
 * run on the reader's I/O path, and nothing here computes. What stays cached is the tiers'
 * decision (their budgets and eviction). Warm-up reads are counted apart from the namespace's
 * statistics, so they do not make concurrent queries look cold.
 */
final class CacheWarmer {

    static final long CHUNK_BYTES = 4L << 20;

    private CacheWarmer() {}

    /** Completes with the number of bytes read once every segment has been read. */
    static CompletableFuture<Long> warm(List<SegmentView> segments, TieredReader reader) {
        ReadStats stats = new ReadStats();
        CompletableFuture<Long> chain = CompletableFuture.completedFuture(0L);
        for (SegmentView view : segments) {
            ObjectId object = new ObjectId(view.entry().key(), view.entry().bytes());
            for (long start = 0; start < view.entry().bytes(); start += CHUNK_BYTES) {
                ByteRange range = new ByteRange(start, Math.min(view.entry().bytes(), start + CHUNK_BYTES));
                // Sequential: the next chunk is asked for only when the previous one arrived.
                chain = chain.thenCompose(read -> reader.read(object, List.of(range), stats)
                        .thenApply(ignored -> read + range.length()));
            }
        }
        return chain;
    }
}
