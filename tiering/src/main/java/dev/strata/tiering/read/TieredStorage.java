package dev.strata.tiering.read;

import dev.strata.cache.DecodedCache;
import dev.strata.cache.MemoryPageCache;
import dev.strata.cache.PageGeometry;
import dev.strata.cache.PageSource;
import dev.strata.cache.SsdPageCache;
import dev.strata.config.CacheSettings;
import dev.strata.config.StrataSettings;
import dev.strata.tiering.store.MeteredObjectStore;
import dev.strata.tiering.store.ObjectStore;
import dev.strata.tiering.store.ObjectStores;
import java.util.concurrent.Executor;
import java.util.function.UnaryOperator;

/**
 * A node's storage stack, built once from its settings over the caller's I/O executor (in the
 * server, the {@code strata.io} Pekko dispatcher, which outlives this stack): the object store,
 * and the tiers that cache it (memory → SSD → object store) behind one {@link TieredReader}.
 * Writes go straight to {@link #store()}; reads of immutable objects go through {@link #reader()}.
 */
public final class TieredStorage implements AutoCloseable {

    private final ObjectStore store;
    private final SsdPageCache ssd;
    private final MemoryPageCache memory;
    private final DecodedCache decoded;
    private final TieredReader reader;
    private final CoalescingStats coalescing;

    private TieredStorage(ObjectStore store, SsdPageCache ssd, MemoryPageCache memory, DecodedCache decoded,
                          TieredReader reader, CoalescingStats coalescing) {
        this.store = store;
        this.ssd = ssd;
        this.memory = memory;
        this.decoded = decoded;
        this.reader = reader;
        this.coalescing = coalescing;
    }

    /**
     * Opens the stack described by {@code settings}; the SSD tier is left out when its size is 0.
     * Blocking work runs on {@code io}, whose threads must be I/O threads in the sense of
     * {@code StrataThreads.onPool(IO)}; the caller shuts it down after {@link #close}. Every
     * object-store request (reads through the tiers and direct writes alike) is reported to
     * {@code requests}. {@code around} wraps the store the settings open before anything else
     * uses it (identity in production; a benchmark injects latency and counts requests with it).
     */
    public static TieredStorage open(StrataSettings settings, Executor io, UnaryOperator<ObjectStore> around,
                                     MeteredObjectStore.Listener requests) {
        ObjectStore store = around.apply(ObjectStores.open(settings.storage(), io));
        return over(new MeteredObjectStore(store, io, requests), settings.cache(), io);
    }

    /**
     * The cache tiers of {@code cache} over an already open {@code store} (for example one that
     * injects latency or counts requests); closing the result closes the store.
     */
    public static TieredStorage over(ObjectStore store, CacheSettings cache, Executor io) {
        PageGeometry geometry = new PageGeometry(cache.pageSize());
        CoalescingStats coalescing = new CoalescingStats();
        PageSource cold = new ObjectStorePageSource(store, geometry, new RangeCoalescer(cache.coalesceWindow()), coalescing);
        SsdPageCache ssd = cache.ssdEnabled() ? SsdPageCache.create(cache, cold, io) : null;
        MemoryPageCache memory = MemoryPageCache.create(cache, ssd != null ? ssd : cold, io);
        DecodedCache decoded = new DecodedCache(cache.decodedBytes(), io);
        return new TieredStorage(store, ssd, memory, decoded,
                new TieredReader(memory, geometry, new TierTraffic(), decoded), coalescing);
    }

    /** What range coalescing in front of the object store has done. */
    public CoalescingStats coalescing() {
        return coalescing;
    }

    /** The pages and bytes each tier has served to readers. */
    public TierTraffic traffic() {
        return reader.traffic();
    }

    public ObjectStore store() {
        return store;
    }

    public TieredReader reader() {
        return reader;
    }

    public MemoryPageCache memory() {
        return memory;
    }

    /** Values decoded from pages, kept beside the memory tier. */
    public DecodedCache decoded() {
        return decoded;
    }

    /** The SSD tier, or null when it is turned off. */
    public SsdPageCache ssd() {
        return ssd;
    }

    @Override
    public void close() {
        store.close();
        if (ssd != null) {
            ssd.close();
        }
    }
}
