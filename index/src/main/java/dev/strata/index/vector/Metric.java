package dev.strata.index.vector;

import java.util.Locale;

/**
 * A distance between two vectors, named as the turbopuffer API names it; smaller is closer.
 */
public enum Metric {
    /** {@code ||a - b||²}. */
    EUCLIDEAN_SQUARED("euclidean_squared", 0),
    /** {@code 1 - cos(a, b)}, in {@code [0, 2]}; a zero vector is at distance 1 from anything. */
    COSINE_DISTANCE("cosine_distance", 1);

    private final String apiName;
    private final int code;

    Metric(String apiName, int code) {
        this.apiName = apiName;
        this.code = code;
    }

    /** The name used by the API, e.g. {@code cosine_distance}. */
    public String apiName() {
        return apiName;
    }

    /** The byte stored in formats. */
    public int code() {
        return code;
    }

    /** The exact distance of two ranges of flat storage. */
    public float distance(float[] a, int aOffset, float[] b, int bOffset, int length) {
        return switch (this) {
            case EUCLIDEAN_SQUARED -> VectorUtil.squareDistance(a, aOffset, b, bOffset, length);
            case COSINE_DISTANCE -> 1f - VectorUtil.cosine(a, aOffset, b, bOffset, length);
        };
    }

    /** The exact distance of two equally long vectors. */
    public float distance(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException(
                    "vector lengths differ: " + a.length + " != " + b.length);
        }
        return distance(a, 0, b, 0, a.length);
    }

    /** The metric with the given API name. */
    public static Metric fromApiName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (Metric m : values()) {
            if (m.apiName.equals(n)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown distance metric '" + name
                + "': expected euclidean_squared or cosine_distance");
    }

    /** The metric stored as {@code code}, or {@code null} if none is. */
    public static Metric fromCode(int code) {
        for (Metric m : values()) {
            if (m.code == code) {
                return m;
            }
        }
        return null;
    }
}
