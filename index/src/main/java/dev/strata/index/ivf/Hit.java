package dev.strata.index.ivf;

/**
 * One search result: a segment ordinal and its exact distance to the query (smaller is closer).
 */
public record Hit(int ordinal, float distance) {

    public Hit {
        if (ordinal < 0) {
            throw new IllegalArgumentException("ordinal must be >= 0: " + ordinal);
        }
    }
}
