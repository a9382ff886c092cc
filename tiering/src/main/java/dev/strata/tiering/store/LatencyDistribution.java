package dev.strata.tiering.store;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * A request-latency distribution given by its median and 99th percentile: log-normal, fitted so
 * that those two quantiles come out exactly. Object-store latencies are right-skewed like this:
 * most requests near the median, a long tail. Equal quantiles mean a constant latency.
 */
public record LatencyDistribution(Duration p50, Duration p99) {

    /** The standard normal quantile at 0.99. */
    private static final double Z_99 = 2.3263478740408408;

    public static final LatencyDistribution NONE = new LatencyDistribution(Duration.ZERO, Duration.ZERO);

    public LatencyDistribution {
        if (p50.isNegative() || p99.compareTo(p50) < 0) {
            throw new IllegalArgumentException("latency needs 0 <= p50 <= p99, got p50=" + p50 + ", p99=" + p99);
        }
        if (p50.isZero() && !p99.isZero()) {
            throw new IllegalArgumentException("latency with p50=0 must have p99=0 (a log-normal has no zero median), got p99=" + p99);
        }
    }

    /** True when every sample is zero. */
    public boolean isZero() {
        return p99.isZero();
    }

    /** One latency in nanoseconds, drawn with the given generator. */
    public long sampleNanos(RandomGenerator random) {
        long median = p50.toNanos();
        if (p99.equals(p50)) {
            return median;
        }
        double sigma = Math.log((double) p99.toNanos() / median) / Z_99;
        return Math.round(median * Math.exp(sigma * random.nextGaussian()));
    }
}
