package dev.strata.tiering.read;

import dev.strata.cache.MemoryPageCache;
import dev.strata.cache.PageGeometry;
import dev.strata.cache.PageSource;
import dev.strata.cache.SsdPageCache;
import dev.strata.config.StrataSettings;
import dev.strata.config.StrataThreads;
import dev.strata.tiering.store.MeteredObjectStore;
import dev.strata.tiering.store.ObjectStore;
import dev.strata.tiering.store.ObjectStores;
import java.util.concurrent.ExecutorService;

/**
 * A node's storage stack, built once from its settings: the I/O pool, the object store, and
 * the tiers that cache it (memory → SSD → object store) behind one {@link TieredReader}.
 * Writes go straight to {@link #store()}; reads of immutable objects go through {@link #reader()}.
 */
public final class TieredStorage implements AutoCloseable {

    private final ExecutorService io;
    private final ObjectStore store;
    private final SsdPageCache ssd;
    private final MemoryPageCache memory;
    private final TieredReader reader;
    private final CoalescingStats coalescing;

    private TieredStorage(ExecutorService io, ObjectStore store, SsdPageCache ssd, MemoryPageCache memory,
                          TieredReader reader, CoalescingStats coalescing) {
        this.io = io;
        this.store = store;
        this.ssd = ssd;
        this.memory = memory;
        this.reader = reader;
        this.coalescing = coalescing;
    }

    /** Opens the stack described by {@code settings}; the SSD tier is left out when its size is 0. */
    public static TieredStorage open(StrataSettings settings) {
        return open(settings, MeteredObjectStore.Listener.NONE);
    }

    /**
     * Opens the stack described by {@code settings} with every object-store request (reads
     * through the tiers and direct writes alike) reported to {@code requests}.
     */
    public static TieredStorage open(StrataSettings settings, MeteredObjectStore.Listener requests) {
        ExecutorService io = StrataThreads.newPool(StrataThreads.IO, settings.threads().io());
        ObjectStore store = new MeteredObjectStore(ObjectStores.open(settings.storage(), io), io, requests);
        PageGeometry geometry = new PageGeometry(settings.cache().pageSize());
        CoalescingStats coalescing = new CoalescingStats();
        PageSource cold = new ObjectStorePageSource(store, geometry,
                new RangeCoalescer(settings.cache().coalesceWindow()), coalescing);
        SsdPageCache ssd = settings.cache().ssdEnabled() ? SsdPageCache.create(settings.cache(), cold, io) : null;
        MemoryPageCache memory = MemoryPageCache.create(settings.cache(), ssd != null ? ssd : cold, io);
        return new TieredStorage(io, store, ssd, memory, new TieredReader(memory, geometry), coalescing);
    }

    /** What range coalescing in front of the object store has done. */
    public CoalescingStats coalescing() {
        return coalescing;
    }

    /** The pages and bytes each tier has served to readers. */
    public TierTraffic traffic() {
        return reader.traffic();
    }

    /** The I/O pool (for its metrics: size, active threads, queue). */
    public ExecutorService ioPool() {
        return io;
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
        io.shutdown();
    }
}
