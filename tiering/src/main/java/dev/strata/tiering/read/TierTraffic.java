package dev.strata.tiering.read;

import dev.strata.cache.Tier;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Node-wide counters of the pages and bytes each tier served to readers (the same accounting as
 * each operation's {@link ReadStats}, summed over all of them). Thread-safe; read by the metrics
 * collector.
 */
public final class TierTraffic {

    private final Map<Tier, LongAdder> pages = new EnumMap<>(Tier.class);
    private final Map<Tier, LongAdder> bytes = new EnumMap<>(Tier.class);

    public TierTraffic() {
        for (Tier tier : Tier.values()) {
            pages.put(tier, new LongAdder());
            bytes.put(tier, new LongAdder());
        }
    }

    void record(Tier tier, int pageBytes) {
        // The maps are filled in the constructor and never change: concurrent gets are safe.
        pages.get(tier).increment();
        bytes.get(tier).add(pageBytes);
    }

    /** Pages served by {@code tier}. */
    public long pages(Tier tier) {
        return pages.get(tier).sum();
    }

    /** Bytes served by {@code tier}. */
    public long bytes(Tier tier) {
        return bytes.get(tier).sum();
    }
}
