package dev.strata.index.ivf;

import java.util.Arrays;

/**
 * One search result: a segment ordinal, its exact distance to the query (smaller is closer), and
 * the payload its vector record carries ({@link IvfWriter#withPayloads}), or null for a section
 * without payloads. The payload array is the hit's own; nothing else holds it.
 */
public record Hit(int ordinal, float distance, byte[] payloadOrNull) {

    public Hit {
        if (ordinal < 0) {
            throw new IllegalArgumentException("ordinal must be >= 0: " + ordinal);
        }
    }

    /** A hit without a payload. */
    public Hit(int ordinal, float distance) {
        this(ordinal, distance, null);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hit h && ordinal == h.ordinal && Float.compare(distance, h.distance) == 0
                && Arrays.equals(payloadOrNull, h.payloadOrNull);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * ordinal + Float.hashCode(distance)) + Arrays.hashCode(payloadOrNull);
    }

    @Override
    public String toString() {
        return "Hit[ordinal=" + ordinal + ", distance=" + distance
                + (payloadOrNull == null ? "" : ", payload=" + payloadOrNull.length + " bytes") + "]";
    }
}
