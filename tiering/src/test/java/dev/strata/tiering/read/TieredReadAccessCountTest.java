package dev.strata.tiering.read;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.strata.cache.MemoryPageCache;
import dev.strata.cache.ObjectId;
import dev.strata.cache.PageGeometry;
import dev.strata.cache.SsdPageCache;
import dev.strata.cache.Tier;
import dev.strata.config.StrataThreads;
import dev.strata.index.io.ByteRange;
import dev.strata.tiering.store.CountingObjectStore;
import dev.strata.tiering.store.CountingObjectStore.Operation;
import dev.strata.tiering.store.CountingObjectStore.Request;
import dev.strata.tiering.store.LocalDirectoryObjectStore;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly which object-store requests a scripted sequence of reads issues through the real
 * tiers (memory → SSD → coalescing object-store source → a local-directory store).
 */
class TieredReadAccessCountTest {

    private static final int PAGE = 4096;
    private static final PageGeometry GEOMETRY = new PageGeometry(PAGE);

    @TempDir
    Path dir;

    // One I/O thread: submitting a no-op and waiting for it drains every queued SSD write.
    private final ExecutorService io = StrataThreads.newPool(StrataThreads.IO, 1);
    private CountingObjectStore store;
    private byte[] data;
    private ObjectId object;

    @BeforeEach
    void upload() {
        store = new CountingObjectStore(new LocalDirectoryObjectStore(dir.resolve("bucket"), io), io);
        data = new byte[300_000];
        new Random(3).nextBytes(data);
        object = new ObjectId("namespaces/ns/segments/s1", data.length);
        store.put(object.key(), data).join();
        store.reset();
    }

    @AfterEach
    void stop() {
        io.shutdownNow();
    }

    private void drainIo() throws Exception {
        io.submit(() -> {}).get(10, TimeUnit.SECONDS);
    }

    private List<ByteBuffer> read(TieredReader reader, ReadStats stats, List<ByteRange> ranges) {
        List<ByteBuffer> got = reader.read(object, ranges, stats).join();
        for (int i = 0; i < ranges.size(); i++) {
            ByteRange r = ranges.get(i);
            byte[] bytes = new byte[got.get(i).remaining()];
            got.get(i).duplicate().get(bytes);
            assertArrayEquals(Arrays.copyOfRange(data, (int) r.start(), (int) r.end()), bytes, r.toString());
        }
        return got;
    }

    private List<ByteRange> rangeGets() {
        return store.requests().stream().filter(r -> r.operation() == Operation.GET_RANGE).map(Request::range).toList();
    }

    @Test
    void coldThenHotThenFromSsdAfterTheMemoryTierIsGone() throws Exception {
        var cold = new ObjectStorePageSource(store, GEOMETRY, new RangeCoalescer(64 << 10));
        try (SsdPageCache ssd = new SsdPageCache(dir.resolve("ssd"), 64L * PAGE, 16 * PAGE, GEOMETRY, cold, io)) {
            TieredReader reader = new TieredReader(new MemoryPageCache(ssd, 1 << 20, io, Ticker.systemTicker()), GEOMETRY);
            // Pages 0, 1-2 (adjacent: one request) and 48-49 (180 KiB further: beyond the window).
            List<ByteRange> ranges = List.of(new ByteRange(0, 100), new ByteRange(5000, 9000),
                    new ByteRange(200_000, 201_000));

            ReadStats first = new ReadStats();
            read(reader, first, ranges);
            assertEquals(List.of(new ByteRange(0, 3 * PAGE), new ByteRange(48 * PAGE, 50 * PAGE)), rangeGets());
            assertEquals(2, store.totalRequests());
            assertEquals(Tier.OBJECT_STORE, first.coldest());
            assertEquals(5, first.pages(Tier.OBJECT_STORE));
            drainIo();

            store.reset();
            ReadStats second = new ReadStats();
            read(reader, second, ranges);
            assertEquals(0, store.totalRequests(), "a repeated read is served by memory");
            assertEquals(Tier.MEMORY, second.coldest());
            assertEquals(5, second.pages(Tier.MEMORY));

            // A memory tier that holds nothing (as after eviction) finds every page on the SSD.
            TieredReader afterEviction = new TieredReader(new MemoryPageCache(ssd, 1 << 20, io, Ticker.systemTicker()), GEOMETRY);
            ReadStats third = new ReadStats();
            read(afterEviction, third, ranges);
            assertEquals(0, store.totalRequests(), "pages evicted from memory come from the SSD tier");
            assertEquals(Tier.SSD, third.coldest());
            assertEquals(5, third.pages(Tier.SSD));
        }
    }

    @Test
    void theWindowDecidesWhichGapsAreReadThrough() {
        // Pages 0 and 4: a gap of three pages (12 KiB) between them.
        List<ByteRange> ranges = List.of(new ByteRange(10, 20), new ByteRange(4 * PAGE + 1, 4 * PAGE + 2));
        for (long window : new long[] {0, 8 << 10, 12 << 10, 16 << 10}) {
            store.reset();
            TieredReader reader = new TieredReader(new ObjectStorePageSource(store, GEOMETRY, new RangeCoalescer(window)), GEOMETRY);
            read(reader, new ReadStats(), ranges);
            List<ByteRange> expected = window >= 3 * PAGE
                    ? List.of(new ByteRange(0, 5 * PAGE))
                    : List.of(new ByteRange(0, PAGE), new ByteRange(4 * PAGE, 5 * PAGE));
            assertEquals(expected, rangeGets(), "window " + window);
        }
    }

    @Test
    void theLastPageOfAnObjectIsShort() {
        TieredReader reader = new TieredReader(new ObjectStorePageSource(store, GEOMETRY, new RangeCoalescer(0)), GEOMETRY);
        long last = GEOMETRY.pageStart(GEOMETRY.pageCount(data.length) - 1);
        read(reader, new ReadStats(), List.of(new ByteRange(data.length - 5, data.length)));
        assertEquals(List.of(new ByteRange(last, data.length)), rangeGets());
    }
}
