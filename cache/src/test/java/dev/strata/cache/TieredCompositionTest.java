package dev.strata.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The memory tier over the SSD tier over a counting in-memory object store. */
class TieredCompositionTest {

    private static final int PAGE = 4096;
    private static final PageGeometry GEOMETRY = new PageGeometry(PAGE);

    @TempDir
    Path dir;

    private static byte[] randomBytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private static long[] range(int count) {
        long[] indexes = new long[count];
        Arrays.setAll(indexes, i -> i);
        return indexes;
    }

    /** Reads pages through the memory tier and lets both tiers finish their deferred work. */
    private static List<Page> read(MemoryPageCache memory, IoPool io, FakeColdSource model, ObjectId object,
            long[] indexes) throws Exception {
        List<Page> pages = memory.readPages(object, indexes).get(10, TimeUnit.SECONDS);
        // The single I/O thread completes the SSD tier's reads, and with them (the memory tier
        // runs Caffeine on the completing thread) the memory tier's bookkeeping; draining it
        // waits for that and for the SSD writes queued by this read.
        io.drain();
        memory.cleanUp();
        for (int i = 0; i < indexes.length; i++) {
            assertArrayEquals(model.page(object, indexes[i]), pages.get(i).bytes(), "page " + indexes[i]);
        }
        return pages;
    }

    private static long count(List<Page> pages, Tier tier) {
        return pages.stream().filter(p -> p.servedBy() == tier).count();
    }

    @Test
    void eachTierServesWhatItHoldsAndPassesOnlyTheGapsDown() throws Exception {
        Random random = new Random(21);
        FakeColdSource store = new FakeColdSource(GEOMETRY);
        int pages = 8;
        ObjectId first = store.add("segments/first", randomBytes(random, pages * PAGE - 300));
        ObjectId second = store.add("segments/second", randomBytes(random, pages * PAGE));
        long[] all = range(pages);
        int weight = PAGE + MemoryPageCache.ENTRY_OVERHEAD_BYTES;
        try (IoPool io = new IoPool();
                SsdPageCache ssd = new SsdPageCache(dir, 8L * 4 * PAGE, 4 * PAGE, GEOMETRY, store, io.executor)) {
            // Memory holds one object's pages; the SSD file holds both objects.
            MemoryPageCache memory = new MemoryPageCache(ssd, (long) pages * weight, Runnable::run, () -> 0L);

            List<Page> cold = read(memory, io, store, first, all);
            assertEquals(pages, count(cold, Tier.OBJECT_STORE));
            assertEquals(1, store.callCount());
            assertArrayEquals(all, store.call(0));

            SsdCacheStats ssdBefore = ssd.stats();
            List<Page> hot = read(memory, io, store, first, all);
            assertEquals(pages, count(hot, Tier.MEMORY));
            assertEquals(1, store.callCount());
            assertEquals(ssdBefore, ssd.stats(), "a memory hit touches nothing below memory");

            // Read the second object until memory prefers it over the first: once a whole read of
            // it is served from memory, memory (room for `pages` pages) holds nothing of the first.
            List<Page> secondCold = read(memory, io, store, second, all);
            assertEquals(pages, count(secondCold, Tier.OBJECT_STORE));
            int rounds = 1;
            while (count(read(memory, io, store, second, all), Tier.MEMORY) < pages) {
                assertTrue(++rounds < 10, "memory never admitted the second object: " + memory.stats());
            }
            assertEquals(2, store.callCount());
            assertTrue(memory.stats().evictions() >= pages, memory.stats().toString());

            long ssdHitsBefore = ssd.stats().hits();
            List<Page> warm = read(memory, io, store, first, all);
            assertEquals(pages, count(warm, Tier.SSD), "pages evicted from memory come from the SSD tier");
            assertEquals(2, store.callCount());
            assertEquals(ssdHitsBefore + pages, ssd.stats().hits());
        }
    }
}
