package dev.strata.bench.kernels;

import dev.strata.index.vector.CodeBlock;
import dev.strata.index.vector.QuantizedQuery;
import dev.strata.index.vector.RaBitQuantizer;
import dev.strata.index.vector.VectorUtil;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Throughput of the distance kernels and of RaBitQ code scoring, per provider.
 *
 * <p>Run with {@code -p provider=scalar,panama}; the provider is fixed per fork through the
 * {@code strata.vector.provider} system property, as in production.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
@State(Scope.Thread)
public class KernelBenchmark {

    @Param({"64", "384", "1024"})
    public int dimension;

    private float[] a;
    private float[] b;
    private CodeBlock block;
    private QuantizedQuery query;
    private float[] rotatedQuery;
    private float[] rotatedCentroids;
    private float[] estimates;
    private float[] bounds;
    private float[] residual;
    private RaBitQuantizer quantizer;
    private static final int CODES = 1024;
    private static final int CENTROIDS = 64;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(42);
        a = new float[dimension];
        b = new float[dimension];
        for (int i = 0; i < dimension; i++) {
            a[i] = (float) random.nextDouble(-1, 1);
            b[i] = (float) random.nextDouble(-1, 1);
        }
        quantizer = new RaBitQuantizer(dimension, 1);
        block = quantizer.newBlock(CODES);
        RaBitQuantizer.Encoder encoder = quantizer.newEncoder();
        float[] v = new float[dimension];
        for (int c = 0; c < CODES; c++) {
            for (int i = 0; i < dimension; i++) {
                v[i] = (float) random.nextDouble(-1, 1);
            }
            encoder.encode(v, block, c);
        }
        query = quantizer.newQuery();
        query.prepare(a);
        rotatedQuery = b.clone();
        rotatedCentroids = new float[CENTROIDS * dimension];
        for (int i = 0; i < rotatedCentroids.length; i++) {
            rotatedCentroids[i] = (float) random.nextDouble(-0.1, 0.1);
        }
        residual = new float[dimension];
        estimates = new float[CODES];
        bounds = new float[CODES];
    }

    @Benchmark
    public float dot() {
        return VectorUtil.dot(a, b);
    }

    @Benchmark
    public float squareDistance() {
        return VectorUtil.squareDistance(a, b);
    }

    @Benchmark
    public float cosine() {
        return VectorUtil.cosine(a, b);
    }

    /**
     * Estimates and bounds for a block of {@value #CODES} one-bit codes: divide by that for the
     * per-code cost.
     */
    @Benchmark
    public float[] rabitqEstimateBlock1024Codes() {
        query.estimateBlock(block, estimates, bounds);
        return estimates;
    }

    /**
     * One query's quantization against {@value #CENTROIDS} partitions' rotated centroids, with a
     * fresh query holder as a search uses: divide by {@value #CENTROIDS} for the per-partition cost.
     */
    @Benchmark
    public QuantizedQuery rabitqPrepare64Partitions() {
        QuantizedQuery fresh = quantizer.newQuery();
        for (int p = 0; p < CENTROIDS; p++) {
            fresh.prepare(rotatedQuery, rotatedCentroids, p * dimension);
        }
        return fresh;
    }

    /** The same, materialising each residual first and quantizing it (the one-argument form). */
    @Benchmark
    public QuantizedQuery rabitqPrepareResidual64Partitions() {
        QuantizedQuery fresh = quantizer.newQuery();
        for (int p = 0; p < CENTROIDS; p++) {
            int offset = p * dimension;
            for (int i = 0; i < dimension; i++) {
                residual[i] = rotatedQuery[i] - rotatedCentroids[offset + i];
            }
            fresh.prepare(residual);
        }
        return fresh;
    }
}
