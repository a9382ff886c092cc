package dev.strata.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import java.util.concurrent.Executor;

/**
 * The memory tier's decoded half: values decoded from byte ranges of immutable objects (for
 * example verified, scoring-ready blocks of vector codes), so that hot reads skip the page
 * copies, checksums and decoding that the bytes would need again on every read.
 *
 * <p>A node-wide Caffeine cache with a byte budget of its own, weighed by each value's estimate
 * of the heap it holds. A key names the object, the range and the type of the value; objects are
 * immutable, so nothing is ever invalidated. The pages a value was decoded from stay in the page
 * cache until its policy finds them unused. A budget of 0 keeps nothing.
 */
public final class DecodedCache {

    /** A range of an object, decoded into a value of {@code type}. */
    public record Key(ObjectId object, long start, long end, Class<?> type) {}

    private record Held(Object value, int weight) {}

    /** Keeps nothing. */
    public static final DecodedCache NONE = new DecodedCache(0, Runnable::run);

    private final Cache<Key, Held> cache;

    /**
     * @param budgetBytes the most heap bytes the values may hold together (by their own
     *     estimates); 0 for none
     * @param executor runs Caffeine's maintenance
     */
    public DecodedCache(long budgetBytes, Executor executor) {
        if (budgetBytes < 0) {
            throw new IllegalArgumentException("decoded cache budget must not be negative: " + budgetBytes);
        }
        this.cache = budgetBytes == 0 ? null : Caffeine.newBuilder()
                .maximumWeight(budgetBytes)
                .weigher((Key key, Held held) -> held.weight())
                .executor(executor)
                .recordStats()
                .build();
    }

    /** Whether this cache keeps anything. */
    public boolean enabled() {
        return cache != null;
    }

    /** The value kept under {@code key}, or null. */
    public <T> T get(Key key, Class<T> type) {
        Held held = cache == null ? null : cache.getIfPresent(key);
        return held == null ? null : type.cast(held.value());
    }

    /** Keeps {@code value} under {@code key}, weighing {@code weight} bytes. */
    public void put(Key key, Object value, long weight) {
        if (cache != null) {
            cache.put(key, new Held(value, (int) Math.min(Integer.MAX_VALUE, Math.max(0, weight))));
        }
    }

    /** Runs Caffeine's pending maintenance now (tests, exact statistics). */
    public void cleanUp() {
        if (cache != null) {
            cache.cleanUp();
        }
    }

    /**
     * A snapshot of the counters: lookups that found a value or not, values evicted, and the
     * weight held (the values' estimates of their heap bytes).
     */
    public MemoryCacheStats stats() {
        if (cache == null) {
            return MemoryCacheStats.EMPTY;
        }
        CacheStats s = cache.stats();
        long held = cache.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
        return new MemoryCacheStats(s.hitCount(), s.missCount(), 0, s.evictionCount(), held);
    }
}
