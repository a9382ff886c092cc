package dev.strata.tiering.read;

import dev.strata.cache.Tier;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What one logical operation (for example one query) read through the tiers: pages and bytes per
 * tier, and so the coldest tier it touched. Thread-safe: the reads of one query may complete on
 * several threads at once.
 */
public final class ReadStats {

    private static final Tier[] TIERS = Tier.values();

    private final AtomicLongArray pages = new AtomicLongArray(TIERS.length);
    private final AtomicLongArray bytes = new AtomicLongArray(TIERS.length);

    void record(Tier tier, int pageBytes) {
        pages.incrementAndGet(tier.ordinal());
        bytes.addAndGet(tier.ordinal(), pageBytes);
    }

    public long pages(Tier tier) {
        return pages.get(tier.ordinal());
    }

    public long bytes(Tier tier) {
        return bytes.get(tier.ordinal());
    }

    /** The coldest tier any page came from; {@link Tier#MEMORY} when nothing was read. */
    public Tier coldest() {
        for (int i = TIERS.length - 1; i > 0; i--) {
            if (pages.get(i) > 0) {
                return TIERS[i];
            }
        }
        return Tier.MEMORY;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("ReadStats[");
        for (Tier t : TIERS) {
            s.append(t).append('=').append(pages(t)).append(" pages/").append(bytes(t)).append(" B ");
        }
        return s.append("coldest=").append(coldest()).append(']').toString();
    }
}
