package dev.strata.tiering.read;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.strata.cache.ObjectId;
import dev.strata.cache.PageGeometry;
import dev.strata.cache.Tier;
import dev.strata.config.StrataThreads;
import dev.strata.index.io.ByteRange;
import dev.strata.tiering.store.LocalDirectoryObjectStore;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node-wide counters of coalescing and of per-tier traffic add up what reads did. */
class CoalescingStatsTest {

    private static final int PAGE = 4096;
    private static final PageGeometry GEOMETRY = new PageGeometry(PAGE);

    @TempDir
    Path dir;

    private final ExecutorService io = StrataThreads.newPool(StrataThreads.IO, 1);

    @AfterEach
    void stop() {
        io.shutdownNow();
    }

    @Test
    void countsRangesRequestsAndTheGapBytesAWindowBridges() {
        var store = new LocalDirectoryObjectStore(dir, io);
        ObjectId object = new ObjectId("seg", 10 * PAGE);
        store.put(object.key(), new byte[10 * PAGE]).join();
        CoalescingStats coalescing = new CoalescingStats();
        TierTraffic traffic = new TierTraffic();
        // A window of one page: pages 0 and 2 merge (bridging page 1), page 8 stays apart.
        TieredReader reader = new TieredReader(
                new ObjectStorePageSource(store, GEOMETRY, new RangeCoalescer(PAGE), coalescing), GEOMETRY, traffic);

        reader.read(object, List.of(ByteRange.ofLength(0, 10), ByteRange.ofLength(2 * PAGE, 10),
                ByteRange.ofLength(8 * PAGE, 10)), new ReadStats()).join();

        assertEquals(3, coalescing.rangesRequested());
        assertEquals(2, coalescing.requestsIssued());
        assertEquals(3L * PAGE, coalescing.bytesRequested());
        assertEquals(4L * PAGE, coalescing.bytesFetched());
        assertEquals(3, traffic.pages(Tier.OBJECT_STORE));
        assertEquals(3L * PAGE, traffic.bytes(Tier.OBJECT_STORE));
        assertEquals(0, traffic.pages(Tier.MEMORY));
    }
}
