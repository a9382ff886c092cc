package dev.strata.index.ivf;

import dev.strata.index.vector.Metric;
import dev.strata.index.vector.RaBitQuantizer;
import java.util.Objects;

/**
 * How to build an IVF vector section.
 *
 * @param metric             the distance the section is searched by
 * @param partitions         number of partitions, or 0 for about √N
 * @param bits               RaBitQ bits per dimension (1 is the paper's default)
 * @param encoding           how full-precision vectors are stored
 * @param seed               seeds sampling, k-means and the random rotation
 * @param samplePerPartition k-means training vectors per partition
 * @param iterations         at most this many Lloyd iterations
 * @param parallelism        how many tasks to spread build work over
 */
public record IvfBuildParams(Metric metric, int partitions, int bits, VectorEncoding encoding,
                             long seed, int samplePerPartition, int iterations,
                             int parallelism) {

    public static final int DEFAULT_SAMPLE_PER_PARTITION = 64;
    public static final int DEFAULT_ITERATIONS = 10;

    public IvfBuildParams {
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(encoding, "encoding");
        if (partitions < 0) {
            throw new IllegalArgumentException("partitions must be >= 0 (0 = automatic): "
                    + partitions);
        }
        if (bits < 1 || bits > RaBitQuantizer.MAX_BITS) {
            throw new IllegalArgumentException("bits must be in [1, " + RaBitQuantizer.MAX_BITS
                    + "]: " + bits);
        }
        if (samplePerPartition < 1 || iterations < 0 || parallelism < 1) {
            throw new IllegalArgumentException("samplePerPartition and parallelism must be"
                    + " positive and iterations >= 0: " + samplePerPartition + ", "
                    + iterations + ", " + parallelism);
        }
    }

    /** Defaults for a metric: √N partitions, 1 bit, f32 vectors, all available processors. */
    public static IvfBuildParams defaults(Metric metric) {
        return new IvfBuildParams(metric, 0, 1, VectorEncoding.F32, 0x5EED_1F5EL,
                DEFAULT_SAMPLE_PER_PARTITION, DEFAULT_ITERATIONS,
                Runtime.getRuntime().availableProcessors());
    }

    public IvfBuildParams withPartitions(int value) {
        return new IvfBuildParams(metric, value, bits, encoding, seed, samplePerPartition,
                iterations, parallelism);
    }

    public IvfBuildParams withBits(int value) {
        return new IvfBuildParams(metric, partitions, value, encoding, seed, samplePerPartition,
                iterations, parallelism);
    }

    public IvfBuildParams withEncoding(VectorEncoding value) {
        return new IvfBuildParams(metric, partitions, bits, value, seed, samplePerPartition,
                iterations, parallelism);
    }

    public IvfBuildParams withSeed(long value) {
        return new IvfBuildParams(metric, partitions, bits, encoding, value, samplePerPartition,
                iterations, parallelism);
    }

    public IvfBuildParams withParallelism(int value) {
        return new IvfBuildParams(metric, partitions, bits, encoding, seed, samplePerPartition,
                iterations, value);
    }

    /** The partition count used for {@code n} vectors: the configured one or about √n. */
    public int partitionsFor(int n) {
        if (n == 0) {
            return 0;
        }
        int wanted = partitions > 0 ? partitions : (int) Math.round(Math.sqrt(n));
        return Math.max(1, Math.min(n, wanted));
    }
}
