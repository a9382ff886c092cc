package dev.strata.bench;

import java.util.Arrays;

/** Order statistics of a set of timings, in nanoseconds. */
public record Percentiles(int count, long p50, long p99, long max, double mean) {

    public static Percentiles of(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return new Percentiles(n, sorted[rank(n, 0.50)], sorted[rank(n, 0.99)], sorted[n - 1],
                Arrays.stream(sorted).average().orElse(0));
    }

    /** The nearest-rank index of quantile {@code q} among {@code n} sorted values. */
    private static int rank(int n, double q) {
        return Math.max(0, (int) Math.ceil(q * n) - 1);
    }

    public double p50Micros() {
        return p50 / 1e3;
    }

    public double p99Micros() {
        return p99 / 1e3;
    }

    public double p50Millis() {
        return p50 / 1e6;
    }

    public double p99Millis() {
        return p99 / 1e6;
    }
}
