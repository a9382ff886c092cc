package dev.strata.cache;

/**
 * One page of an object as served to a reader: its bytes (a full page, or fewer for the last
 * page of an object) and the tier that served it. The array is shared and must not be modified.
 */
public record Page(byte[] bytes, Tier servedBy) {

    public Page {
        if (bytes == null || servedBy == null) {
            throw new IllegalArgumentException("page bytes and tier are required");
        }
    }

    /** The same bytes, reported as served by another tier. */
    public Page servedBy(Tier tier) {
        return tier == servedBy ? this : new Page(bytes, tier);
    }
}
