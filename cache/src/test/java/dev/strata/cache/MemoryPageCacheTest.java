package dev.strata.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.strata.config.CacheSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MemoryPageCacheTest {

    private static final PageGeometry GEOMETRY = new PageGeometry(4096);
    private static final Ticker FIXED_TIME = () -> 0L;

    /** A colder source whose reads stay pending until the test completes them. */
    private static final class PendingSource implements PageSource {
        record Call(ObjectId object, long[] indexes, CompletableFuture<List<Page>> future) {}

        final List<Call> calls = new ArrayList<>();

        @Override
        public synchronized CompletableFuture<List<Page>> readPages(ObjectId object, long[] pageIndexes) {
            Call call = new Call(object, pageIndexes.clone(), new CompletableFuture<>());
            calls.add(call);
            return call.future();
        }

        synchronized int count() {
            return calls.size();
        }

        synchronized Call call(int n) {
            return calls.get(n);
        }
    }

    private static byte[] randomBytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    /** Completes a pending call with the model's pages, reported as served by {@code tier}. */
    private static void complete(PendingSource.Call call, FakeColdSource model, Tier tier) {
        List<Page> pages = new ArrayList<>();
        for (long index : call.indexes()) {
            pages.add(new Page(model.page(call.object(), index), tier));
        }
        call.future().complete(pages);
    }

    private static void assertPages(FakeColdSource model, ObjectId object, long[] indexes, List<Page> pages,
            Tier... tiers) {
        assertEquals(indexes.length, pages.size());
        for (int i = 0; i < indexes.length; i++) {
            assertArrayEquals(model.page(object, indexes[i]), pages.get(i).bytes(), "page " + indexes[i]);
            assertEquals(tiers[i], pages.get(i).servedBy(), "tier of page " + indexes[i]);
        }
    }

    @Test
    void concurrentMissesOnTheSamePagesShareOneColderRead() throws Exception {
        FakeColdSource model = new FakeColdSource(GEOMETRY);
        ObjectId object = model.add("segments/a", randomBytes(new Random(1), 3 * 4096 + 17));
        PendingSource colder = new PendingSource();
        MemoryPageCache cache = new MemoryPageCache(colder, 1 << 20, Runnable::run, FIXED_TIME);
        long[] indexes = {0, 1, 2, 3};

        int readers = 8;
        ExecutorService threads = Executors.newFixedThreadPool(readers);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<CompletableFuture<List<Page>>>> started = new ArrayList<>();
            for (int r = 0; r < readers; r++) {
                started.add(threads.submit(() -> {
                    start.await();
                    return cache.readPages(object, indexes);
                }));
            }
            start.countDown();
            List<CompletableFuture<List<Page>>> reads = new ArrayList<>();
            for (Future<CompletableFuture<List<Page>>> f : started) {
                reads.add(f.get(10, TimeUnit.SECONDS));
            }

            // Every reader has issued its read, and the one colder read is still pending.
            assertEquals(1, colder.count());
            assertArrayEquals(indexes, colder.call(0).indexes());
            for (CompletableFuture<List<Page>> read : reads) {
                assertFalse(read.isDone());
            }
            complete(colder.call(0), model, Tier.OBJECT_STORE);
            for (CompletableFuture<List<Page>> read : reads) {
                assertPages(model, object, indexes, read.get(10, TimeUnit.SECONDS),
                        Tier.OBJECT_STORE, Tier.OBJECT_STORE, Tier.OBJECT_STORE, Tier.OBJECT_STORE);
            }
            assertEquals(1, colder.count());
            MemoryCacheStats stats = cache.stats();
            assertEquals(indexes.length, stats.misses());
            assertEquals((long) (readers - 1) * indexes.length, stats.hits());
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void eachPageReportsTheTierOfTheLoadThatProducedIt() throws Exception {
        FakeColdSource model = new FakeColdSource(GEOMETRY);
        ObjectId object = model.add("segments/b", randomBytes(new Random(2), 5 * 4096));
        PendingSource colder = new PendingSource();
        MemoryPageCache cache = new MemoryPageCache(colder, 1 << 20, Runnable::run, FIXED_TIME);

        CompletableFuture<List<Page>> first = cache.readPages(object, new long[] {0, 1, 2});
        CompletableFuture<List<Page>> second = cache.readPages(object, new long[] {1, 2, 3, 4});
        // The second read asks only for what no one is loading yet.
        assertEquals(2, colder.count());
        assertArrayEquals(new long[] {3, 4}, colder.call(1).indexes());

        complete(colder.call(1), model, Tier.OBJECT_STORE);
        assertFalse(second.isDone(), "pages 1 and 2 are still loading for the first reader");
        complete(colder.call(0), model, Tier.SSD);

        assertPages(model, object, new long[] {0, 1, 2}, first.get(), Tier.SSD, Tier.SSD, Tier.SSD);
        assertPages(model, object, new long[] {1, 2, 3, 4}, second.get(),
                Tier.SSD, Tier.SSD, Tier.OBJECT_STORE, Tier.OBJECT_STORE);
        long[] all = {0, 1, 2, 3, 4};
        assertPages(model, object, all, cache.readPages(object, all).get(),
                Tier.MEMORY, Tier.MEMORY, Tier.MEMORY, Tier.MEMORY, Tier.MEMORY);
        assertEquals(2, colder.count());
    }

    @Test
    void aFailedLoadIsNotCached() throws Exception {
        FakeColdSource model = new FakeColdSource(GEOMETRY);
        ObjectId object = model.add("segments/c", randomBytes(new Random(3), 2 * 4096));
        PendingSource colder = new PendingSource();
        MemoryPageCache cache = new MemoryPageCache(colder, 1 << 20, Runnable::run, FIXED_TIME);
        long[] indexes = {0, 1};

        CompletableFuture<List<Page>> failing = cache.readPages(object, indexes);
        CompletableFuture<List<Page>> joined = cache.readPages(object, indexes);
        IllegalStateException storeDown = new IllegalStateException("store unavailable");
        colder.call(0).future().completeExceptionally(storeDown);
        ExecutionException e = assertThrows(ExecutionException.class, failing::get);
        assertSame(storeDown, e.getCause());
        assertThrows(ExecutionException.class, joined::get);

        CompletableFuture<List<Page>> retry = cache.readPages(object, indexes);
        assertEquals(2, colder.count(), "the failure was dropped, so the retry loads again");
        complete(colder.call(1), model, Tier.OBJECT_STORE);
        assertPages(model, object, indexes, retry.get(), Tier.OBJECT_STORE, Tier.OBJECT_STORE);
        assertPages(model, object, indexes, cache.readPages(object, indexes).get(), Tier.MEMORY, Tier.MEMORY);
        assertEquals(2, colder.count());
        cache.cleanUp();
        assertEquals(1, cache.stats().loadFailures());
        assertEquals(2L * 4096, cache.stats().bytesHeld(), "only the successful load is held");
    }

    @Test
    void aColderSourceThatThrowsFailsTheReadWithoutCachingAnything() throws Exception {
        FakeColdSource model = new FakeColdSource(GEOMETRY);
        ObjectId object = model.add("segments/d", randomBytes(new Random(4), 4096));
        boolean[] thrown = {false};
        PageSource throwsOnce = (o, indexes) -> {
            if (!thrown[0]) {
                thrown[0] = true;
                throw new IllegalArgumentException("bad request");
            }
            return model.readPages(o, indexes);
        };
        MemoryPageCache cache = new MemoryPageCache(throwsOnce, 1 << 20, Runnable::run, FIXED_TIME);

        ExecutionException e = assertThrows(ExecutionException.class,
                () -> cache.readPages(object, new long[] {0}).get());
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
        assertPages(model, object, new long[] {0}, cache.readPages(object, new long[] {0}).get(), Tier.OBJECT_STORE);
        assertEquals(1, model.callCount());
    }

    @Test
    void evictsPagesToStayWithinTheByteBudget() throws Exception {
        FakeColdSource model = new FakeColdSource(GEOMETRY);
        int pages = 10;
        ObjectId object = model.add("segments/e", randomBytes(new Random(5), pages * 4096));
        int weight = 4096 + MemoryPageCache.ENTRY_OVERHEAD_BYTES;
        int fits = 4;
        // Room for four pages and part of a fifth.
        MemoryPageCache cache = new MemoryPageCache(model, (long) fits * weight + weight / 2, Runnable::run, FIXED_TIME);

        for (long index = 0; index < pages; index++) {
            assertPages(model, object, new long[] {index}, cache.readPages(object, new long[] {index}).get(),
                    Tier.OBJECT_STORE);
        }
        cache.cleanUp();
        MemoryCacheStats stats = cache.stats();
        assertEquals(pages - fits, stats.evictions());
        assertEquals((long) fits * 4096, stats.bytesHeld());

        // Re-reading everything: exactly the resident pages are served from memory.
        int fromMemory = 0;
        for (long index = 0; index < pages; index++) {
            Page page = cache.readPages(object, new long[] {index}).get().get(0);
            assertArrayEquals(model.page(object, index), page.bytes());
            if (page.servedBy() == Tier.MEMORY) {
                fromMemory++;
            }
            cache.cleanUp();
            assertTrue(cache.stats().bytesHeld() <= (long) fits * 4096, "over budget after page " + index);
        }
        assertTrue(fromMemory <= fits, fromMemory + " pages served from memory, only " + fits + " fit");
        assertEquals(pages + (pages - fromMemory), model.pagesServed());
    }

    @Test
    void aZeroBudgetPassesEveryReadThrough() throws Exception {
        FakeColdSource model = new FakeColdSource(GEOMETRY);
        ObjectId object = model.add("segments/f", randomBytes(new Random(6), 4096 + 1));
        CacheSettings noMemory = new CacheSettings(4096, 0, 0, Path.of("ssd"), 0, 4096, 0);
        MemoryPageCache cache = MemoryPageCache.create(noMemory, model, Runnable::run);
        long[] indexes = {0, 1};
        for (int round = 0; round < 2; round++) {
            assertPages(model, object, indexes, cache.readPages(object, indexes).get(),
                    Tier.OBJECT_STORE, Tier.OBJECT_STORE);
        }
        assertEquals(2, model.callCount());
        assertEquals(MemoryCacheStats.EMPTY, cache.stats());
    }

    @Test
    void partialHitsAskTheColderTierOnlyForTheGaps() throws Exception {
        FakeColdSource model = new FakeColdSource(GEOMETRY);
        ObjectId object = model.add("segments/g", randomBytes(new Random(7), 6 * 4096 - 100));
        MemoryPageCache cache = new MemoryPageCache(model, 1 << 20, Runnable::run, FIXED_TIME);

        cache.readPages(object, new long[] {1, 3}).get();
        assertPages(model, object, new long[] {0, 1, 2, 3, 5}, cache.readPages(object, new long[] {0, 1, 2, 3, 5}).get(),
                Tier.OBJECT_STORE, Tier.MEMORY, Tier.OBJECT_STORE, Tier.MEMORY, Tier.OBJECT_STORE);
        assertEquals(2, model.callCount());
        assertArrayEquals(new long[] {0, 2, 5}, model.call(1));
        cache.cleanUp();
        MemoryCacheStats stats = cache.stats();
        assertEquals(2, stats.hits());
        assertEquals(5, stats.misses());
        assertEquals(4L * 4096 + (4096 - 100), stats.bytesHeld());
    }

    @Test
    void readsOfLoadedPagesAreServedHereAndCountedAsHits() throws Exception {
        FakeColdSource model = new FakeColdSource(GEOMETRY);
        ObjectId object = model.add("segments/h", randomBytes(new Random(8), 64 * 4096));
        MemoryPageCache cache = new MemoryPageCache(model, 1 << 20, Runnable::run, FIXED_TIME);
        long[] hot = {0, 1, 2, 3};
        cache.readPages(object, hot).get();
        for (int i = 0; i < 50; i++) {
            assertPages(model, object, hot, cache.readPages(object, hot).get(),
                    Tier.MEMORY, Tier.MEMORY, Tier.MEMORY, Tier.MEMORY);
        }
        assertEquals(1, model.callCount());
        MemoryCacheStats stats = cache.stats();
        assertEquals(50L * hot.length, stats.hits());
        assertEquals(hot.length, stats.misses());
    }
}
