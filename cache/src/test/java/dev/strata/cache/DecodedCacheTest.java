package dev.strata.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DecodedCacheTest {

    private static final ObjectId OBJECT = new ObjectId("segments/a", 1 << 20);

    private static DecodedCache.Key key(long start, Class<?> type) {
        return new DecodedCache.Key(OBJECT, start, start + 100, type);
    }

    @Test
    void valuesAreKeptPerRangeAndType() {
        DecodedCache cache = new DecodedCache(1 << 20, Runnable::run);
        int[] value = {1, 2, 3};
        cache.put(key(0, int[].class), value, 100);
        assertSame(value, cache.get(key(0, int[].class), int[].class));
        assertNull(cache.get(key(0, String.class), String.class), "another type of the same range");
        assertNull(cache.get(key(100, int[].class), int[].class), "another range");
        assertNull(cache.get(new DecodedCache.Key(new ObjectId("segments/b", 1 << 20), 0, 100, int[].class),
                int[].class), "another object");
        MemoryCacheStats stats = cache.stats();
        assertEquals(1, stats.hits());
        assertEquals(3, stats.misses());
        assertEquals(100, stats.bytesHeld());
    }

    @Test
    void theBudgetBoundsTheWeightHeld() {
        DecodedCache cache = new DecodedCache(10_000, Runnable::run);
        for (int i = 0; i < 100; i++) {
            cache.put(key(i * 100L, Integer.class), i, 1_000);
        }
        cache.cleanUp();
        MemoryCacheStats stats = cache.stats();
        assertTrue(stats.bytesHeld() <= 10_000, "held " + stats.bytesHeld());
        assertTrue(stats.evictions() >= 90, "evicted " + stats.evictions());
    }

    @Test
    void aZeroBudgetKeepsNothing() {
        DecodedCache cache = new DecodedCache(0, Runnable::run);
        assertFalse(cache.enabled());
        cache.put(key(0, Integer.class), 7, 10);
        assertNull(cache.get(key(0, Integer.class), Integer.class));
        assertEquals(MemoryCacheStats.EMPTY, cache.stats());
        assertThrows(IllegalArgumentException.class, () -> new DecodedCache(-1, Runnable::run));
    }
}
