package dev.strata.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.config.CacheSettings;
import dev.strata.config.StrataThreads;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
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
import org.junit.jupiter.api.io.TempDir;

class SsdPageCacheTest {

    private static final int PAGE = 4096;
    private static final PageGeometry GEOMETRY = new PageGeometry(PAGE);

    @TempDir
    Path dir;

    private static byte[] randomBytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private static long[] range(long from, long to) {
        long[] indexes = new long[(int) (to - from)];
        Arrays.setAll(indexes, i -> from + i);
        return indexes;
    }

    private static List<Page> read(PageSource source, ObjectId object, long... indexes) throws Exception {
        return source.readPages(object, indexes).get(10, TimeUnit.SECONDS);
    }

    private static void assertModel(FakeColdSource model, ObjectId object, long[] indexes, List<Page> pages,
            String context) {
        assertEquals(indexes.length, pages.size(), context);
        for (int i = 0; i < indexes.length; i++) {
            assertArrayEquals(model.page(object, indexes[i]), pages.get(i).bytes(),
                    context + ": page " + indexes[i] + " of " + object);
        }
    }

    private static void assertTiers(List<Page> pages, Tier tier) {
        for (Page page : pages) {
            assertEquals(tier, page.servedBy());
        }
    }

    @Test
    void randomizedConcurrentReadsMatchTheModelUnderConstantEviction() throws Exception {
        long seed = 0x5EED_CAC4EL;
        Random random = new Random(seed);
        ExecutorService store = Executors.newFixedThreadPool(2);
        ExecutorService io = StrataThreads.newPool(StrataThreads.IO, 3);
        int readers = 4;
        ExecutorService readerThreads = Executors.newFixedThreadPool(readers);
        FakeColdSource model = new FakeColdSource(GEOMETRY, store);
        List<ObjectId> objects = new ArrayList<>();
        for (int length : new int[] {1, PAGE - 1, PAGE, PAGE + 1, 3 * PAGE, 7 * PAGE + 123}) {
            objects.add(model.add("fixed/" + length, randomBytes(random, length)));
        }
        for (int i = 0; i < 8; i++) {
            objects.add(model.add("random/" + i, randomBytes(random, 1 + random.nextInt(40 * PAGE))));
        }
        // 12 regions of 4 pages: far fewer than the chunks read below, so regions turn over constantly.
        int regionSize = 4 * PAGE;
        try (SsdPageCache cache = new SsdPageCache(dir, 12L * regionSize, regionSize, GEOMETRY, model, io)) {
            List<Future<Long>> results = new ArrayList<>();
            CountDownLatch start = new CountDownLatch(1);
            for (int r = 0; r < readers; r++) {
                long readerSeed = random.nextLong();
                results.add(readerThreads.submit(() -> {
                    start.await();
                    return readRandomly(cache, model, objects, new Random(readerSeed), 300, seed);
                }));
            }
            start.countDown();
            long pagesRequested = 0;
            for (Future<Long> result : results) {
                pagesRequested += result.get(60, TimeUnit.SECONDS);
            }

            SsdCacheStats stats = cache.stats();
            assertEquals(pagesRequested, stats.hits() + stats.misses(), "seed " + seed + ": " + stats);
            assertEquals(stats.misses(), model.pagesServed(), "seed " + seed + ": " + stats);
            assertTrue(stats.hits() > 0, "seed " + seed + ": nothing served from the file: " + stats);
            assertTrue(stats.evictions() > 0, "seed " + seed + ": no eviction: " + stats);
            assertEquals(0, stats.corruptPages(), "seed " + seed + ": " + stats);
            assertEquals(0, stats.ioErrors(), "seed " + seed + ": " + stats);
        } finally {
            readerThreads.shutdownNow();
            io.shutdownNow();
            store.shutdownNow();
        }
    }

    /** Issues random sorted page reads, checks every byte against the model, returns pages read. */
    private static long readRandomly(SsdPageCache cache, FakeColdSource model, List<ObjectId> objects,
            Random random, int reads, long seed) throws Exception {
        long pages = 0;
        for (int n = 0; n < reads; n++) {
            // Skewed towards the first objects, so some regions are read often and stay.
            ObjectId object = objects.get(random.nextInt(random.nextBoolean() ? 4 : objects.size()));
            long count = GEOMETRY.pageCount(object.length());
            long from = random.nextInt((int) count);
            long to = Math.min(count, from + 1 + random.nextInt(12));
            long[] indexes = range(from, to);
            if (random.nextBoolean()) {
                // A sparse selection, always keeping the first page so it is never empty.
                long[] sparse = Arrays.stream(indexes).filter(i -> i == from || random.nextBoolean()).toArray();
                indexes = sparse;
            }
            List<Page> served = read(cache, object, indexes);
            assertModel(model, object, indexes, served, "seed " + seed + ", read " + n);
            for (Page page : served) {
                assertTrue(page.servedBy() == Tier.SSD || page.servedBy() == Tier.OBJECT_STORE);
            }
            pages += indexes.length;
        }
        return pages;
    }

    @Test
    void servesCachedPagesFromTheFileOnceWritten() throws Exception {
        FakeColdSource model = new FakeColdSource(GEOMETRY);
        ObjectId object = model.add("segments/a", randomBytes(new Random(11), 6 * PAGE + 10));
        long[] all = range(0, 7);
        try (IoPool io = new IoPool();
                SsdPageCache cache = new SsdPageCache(dir, 8L * 4 * PAGE, 4 * PAGE, GEOMETRY, model, io.executor)) {
            List<Page> cold = read(cache, object, all);
            assertModel(model, object, all, cold, "cold");
            assertTiers(cold, Tier.OBJECT_STORE);
            io.drain();

            List<Page> warm = read(cache, object, all);
            assertModel(model, object, all, warm, "warm");
            assertTiers(warm, Tier.SSD);
            assertEquals(1, model.callCount());
            SsdCacheStats stats = cache.stats();
            assertEquals(object.length(), stats.bytesWritten());
            assertEquals(object.length(), stats.bytesRead());
            assertEquals(7, stats.hits());
            assertEquals(7, stats.misses());
        }
    }

    @Test
    void fetchedPagesAreReturnedBeforeTheyAreWritten() throws Exception {
        FakeColdSource model = new FakeColdSource(GEOMETRY);
        ObjectId object = model.add("segments/b", randomBytes(new Random(12), 3 * PAGE));
        try (IoPool io = new IoPool();
                SsdPageCache cache = new SsdPageCache(dir, 4L * PAGE, PAGE, GEOMETRY, model, io.executor)) {
            CountDownLatch release = new CountDownLatch(1);
            io.executor.execute(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            // The only I/O thread is busy, yet the read completes: the write only waits in its queue.
            List<Page> pages = read(cache, object, 0, 1, 2);
            assertModel(model, object, new long[] {0, 1, 2}, pages, "while the I/O thread is busy");
            assertEquals(0, cache.stats().bytesWritten());

            release.countDown();
            io.drain();
            assertEquals(object.length(), cache.stats().bytesWritten());
            assertTiers(read(cache, object, 0, 1, 2), Tier.SSD);
        }
    }

    /** The file offset holding each page of an object, found by content rather than by layout. */
    private static long[] locate(Path file, FakeColdSource model, ObjectId object) throws Exception {
        byte[] content = Files.readAllBytes(file);
        long[] offsets = new long[(int) GEOMETRY.pageCount(object.length())];
        for (int page = 0; page < offsets.length; page++) {
            byte[] expected = model.page(object, page);
            offsets[page] = -1;
            for (int slot = 0; slot + expected.length <= content.length; slot += PAGE) {
                if (Arrays.equals(content, slot, slot + expected.length, expected, 0, expected.length)) {
                    assertEquals(-1, offsets[page], "page " + page + " found twice");
                    offsets[page] = slot;
                }
            }
            assertTrue(offsets[page] >= 0, "page " + page + " is not in the file");
        }
        return offsets;
    }

    @Test
    void corruptedPagesAreDetectedAndRefetched() throws Exception {
        FakeColdSource model = new FakeColdSource(GEOMETRY);
        ObjectId object = model.add("segments/c", randomBytes(new Random(13), 9 * PAGE + 1000));
        long[] all = range(0, 10);
        try (IoPool io = new IoPool();
                SsdPageCache cache = new SsdPageCache(dir, 8L * 4 * PAGE, 4 * PAGE, GEOMETRY, model, io.executor)) {
            read(cache, object, all);
            io.drain();
            assertTiers(read(cache, object, all), Tier.SSD);
            assertEquals(1, model.callCount());

            long[] offsets = locate(cache.file(), model, object);
            long[] corrupted = {2, 3, 9};
            try (FileChannel raw = FileChannel.open(cache.file(), StandardOpenOption.WRITE)) {
                for (long page : corrupted) {
                    int at = 1 + (int) page * 37 % GEOMETRY.pageLength(object, page);
                    byte original = model.page(object, page)[at];
                    raw.write(ByteBuffer.wrap(new byte[] {(byte) ~original}), offsets[(int) page] + at);
                }
            }

            List<Page> pages = read(cache, object, all);
            assertModel(model, object, all, pages, "after corruption");
            for (int page = 0; page < all.length; page++) {
                long index = all[page];
                boolean wasCorrupted = Arrays.stream(corrupted).anyMatch(c -> c == index);
                assertEquals(wasCorrupted ? Tier.OBJECT_STORE : Tier.SSD, pages.get(page).servedBy(), "page " + page);
            }
            assertEquals(2, model.callCount());
            assertArrayEquals(corrupted, model.call(1));
            assertEquals(corrupted.length, cache.stats().corruptPages());

            // The refetched pages were written back; everything is served from the file again.
            io.drain();
            List<Page> repaired = read(cache, object, all);
            assertModel(model, object, all, repaired, "after repair");
            assertTiers(repaired, Tier.SSD);
            assertEquals(2, model.callCount());
            assertEquals(corrupted.length, cache.stats().corruptPages());
        }
    }

    @Test
    void evictsTheLeastFrequentlyReadRegion() throws Exception {
        FakeColdSource model = new FakeColdSource(GEOMETRY);
        Random random = new Random(14);
        ObjectId hot = model.add("hot", randomBytes(random, PAGE));
        ObjectId lukewarm = model.add("lukewarm", randomBytes(random, PAGE));
        ObjectId newcomer = model.add("newcomer", randomBytes(random, PAGE));
        // Two regions of one page each.
        try (IoPool io = new IoPool();
                SsdPageCache cache = new SsdPageCache(dir, 2L * PAGE, PAGE, GEOMETRY, model, io.executor)) {
            read(cache, hot, 0);
            io.drain();
            for (int i = 0; i < 3; i++) {
                assertTiers(read(cache, hot, 0), Tier.SSD);
            }
            read(cache, lukewarm, 0);
            io.drain();
            read(cache, newcomer, 0);
            io.drain();
            assertEquals(1, cache.stats().evictions());

            assertTiers(read(cache, hot, 0), Tier.SSD);
            assertTiers(read(cache, newcomer, 0), Tier.SSD);
            int calls = model.callCount();
            assertTiers(read(cache, lukewarm, 0), Tier.OBJECT_STORE);
            assertEquals(calls + 1, model.callCount());
        }
    }

    @Test
    void agingLetsRecentReadsOutweighOldOnes() throws Exception {
        FakeColdSource model = new FakeColdSource(GEOMETRY);
        Random random = new Random(18);
        ObjectId formerlyHot = model.add("formerly-hot", randomBytes(random, PAGE));
        ObjectId recent = model.add("recent", randomBytes(random, PAGE));
        ObjectId newcomer = model.add("newcomer", randomBytes(random, PAGE));
        try (IoPool io = new IoPool();
                SsdPageCache cache = new SsdPageCache(dir, 2L * PAGE, PAGE, GEOMETRY, model, io.executor)) {
            int period = cache.regionCount() * SsdPageCache.AGING_TOUCHES_PER_REGION;
            read(cache, formerlyHot, 0);
            io.drain();
            // More reads in total than `recent` gets below, but older: without halving it would
            // outrank `recent` and stay; with it, two periods later its count has decayed.
            for (int i = 0; i < 3 * period; i++) {
                read(cache, formerlyHot, 0);
            }
            read(cache, recent, 0);
            io.drain();
            for (int i = 0; i < 2 * period; i++) {
                read(cache, recent, 0);
            }
            read(cache, newcomer, 0);
            io.drain();

            int calls = model.callCount();
            assertTiers(read(cache, recent, 0), Tier.SSD);
            assertTiers(read(cache, newcomer, 0), Tier.SSD);
            assertEquals(calls, model.callCount());
            assertTiers(read(cache, formerlyHot, 0), Tier.OBJECT_STORE);
        }
    }

    @Test
    void startsColdWhateverTheFileHeld() throws Exception {
        FakeColdSource model = new FakeColdSource(GEOMETRY);
        ObjectId object = model.add("segments/d", randomBytes(new Random(15), 2 * PAGE));
        Path file = dir.resolve(SsdPageCache.FILE_NAME);
        Files.write(file, randomBytes(new Random(16), 3 * PAGE + 5));
        try (IoPool io = new IoPool()) {
            SsdPageCache cache = new SsdPageCache(dir, 4L * PAGE + 100, 2 * PAGE, GEOMETRY, model, io.executor);
            assertEquals(file, cache.file());
            assertEquals(2, cache.regionCount());
            assertEquals(4L * PAGE, Files.size(file));
            assertTiers(read(cache, object, 0, 1), Tier.OBJECT_STORE);
            io.drain();
            assertTiers(read(cache, object, 0, 1), Tier.SSD);
            cache.close();
            assertFalse(Files.exists(file), "the file is deleted on close");
            ExecutionException closed = assertThrows(ExecutionException.class, () -> read(cache, object, 0));
            assertInstanceOf(IllegalStateException.class, closed.getCause());

            SsdPageCache restarted = new SsdPageCache(dir, 4L * PAGE, 2 * PAGE, GEOMETRY, model, io.executor);
            try (restarted) {
                assertTiers(read(restarted, object, 0, 1), Tier.OBJECT_STORE);
            }
        }
    }

    @Test
    void isConfiguredFromCacheSettings() throws Exception {
        FakeColdSource model = new FakeColdSource(GEOMETRY);
        int regionSize = 4 * PAGE;
        CacheSettings on = new CacheSettings(PAGE, 0, 0, dir.resolve("ssd"), 5L * regionSize + 100, regionSize, 0);
        try (IoPool io = new IoPool(); SsdPageCache cache = SsdPageCache.create(on, model, io.executor)) {
            assertEquals(5, cache.regionCount());
            assertEquals(5L * regionSize, Files.size(dir.resolve("ssd").resolve(SsdPageCache.FILE_NAME)));
        }
        CacheSettings off = new CacheSettings(PAGE, 0, 0, dir, 0, regionSize, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SsdPageCache.create(off, model, Runnable::run));
        assertTrue(e.getMessage().contains("strata.cache.ssd.size"), e.getMessage());
    }

    @Test
    void rejectsMalformedRequests() throws Exception {
        FakeColdSource model = new FakeColdSource(GEOMETRY);
        ObjectId object = model.add("segments/e", randomBytes(new Random(17), 3 * PAGE));
        try (IoPool io = new IoPool();
                SsdPageCache cache = new SsdPageCache(dir, 4L * PAGE, PAGE, GEOMETRY, model, io.executor)) {
            for (long[] bad : new long[][] {{1, 0}, {0, 0}, {3}, {-1}}) {
                CompletableFuture<List<Page>> read = cache.readPages(object, bad);
                ExecutionException e = assertThrows(ExecutionException.class, read::get, Arrays.toString(bad));
                assertInstanceOf(IllegalArgumentException.class, e.getCause());
            }
            assertEquals(List.of(), read(cache, object));
            assertEquals(0, model.callCount());
        }
    }
}
