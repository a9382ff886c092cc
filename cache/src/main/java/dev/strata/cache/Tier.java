package dev.strata.cache;

/** Where the bytes of a read came from, from hottest to coldest. */
public enum Tier {
    MEMORY,
    SSD,
    OBJECT_STORE;

    /** The colder of two tiers: a read is as cold as the coldest page it needed. */
    public Tier colder(Tier other) {
        return compareTo(other) >= 0 ? this : other;
    }
}
