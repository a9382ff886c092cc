package dev.strata.index.vector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fast paths of {@link QuantizedQuery} (fused residual quantization, batched block scoring)
 * against a reference written out dimension by dimension from the definitions. Both compute
 * the same integers and then the same float operations in the same order, so the estimates and
 * bounds must be bit-for-bit identical, not merely close.
 */
class QuantizedQueryTest {

    @ParameterizedTest
    @CsvSource({"1, 384", "1, 321", "1, 500", "1, 100", "1, 64", "1, 7", "2, 384", "4, 130"})
    void fastPathsMatchTheReferenceBitForBit(int bits, int dimension) {
        SplittableRandom random = new SplittableRandom(bits * 7919L + dimension);
        RaBitQuantizer quantizer = new RaBitQuantizer(dimension, bits);
        int codeLongs = quantizer.codeLongs();
        int n = 97;
        long[] codes = new long[n * codeLongs];
        float[] factors = new float[n * RaBitQuantizer.FACTORS];
        RaBitQuantizer.Encoder encoder = quantizer.newEncoder();
        for (int c = 0; c < n; c++) {
            encoder.encode(VectorUtilTest.randomVector(random, dimension), codes, c * codeLongs,
                    factors, c * RaBitQuantizer.FACTORS);
        }
        int partitions = 5;
        float[] rotatedQuery = VectorUtilTest.randomVector(random, dimension);
        float[] centroids = new float[partitions * dimension];
        for (int i = 0; i < centroids.length; i++) {
            centroids[i] = (float) (random.nextDouble() - 0.5) * 0.2f;
        }

        QuantizedQuery fused = quantizer.newQuery();
        QuantizedQuery materialised = quantizer.newQuery();
        Reference reference = new Reference(quantizer);
        float[] residual = new float[dimension];
        float[] estimates = new float[n + 3];
        float[] bounds = new float[n + 3];
        // Several partitions in a row: the rounding stream carries over from one to the next.
        for (int p = 0; p < partitions; p++) {
            for (int i = 0; i < dimension; i++) {
                residual[i] = rotatedQuery[i] - centroids[p * dimension + i];
            }
            fused.prepare(rotatedQuery, centroids, p * dimension);
            materialised.prepare(residual);
            reference.prepare(residual);
            assertEquals(reference.norm2, fused.norm2());
            fused.estimateBlock(codes, factors, n, estimates, bounds, 3);
            for (int c = 0; c < n; c++) {
                int codeOffset = c * codeLongs;
                int factorOffset = c * RaBitQuantizer.FACTORS;
                float expected = reference.estimate(codes, codeOffset, factors, factorOffset);
                float expectedBound = reference.bound(factors, factorOffset);
                String where = "partition " + p + ", code " + c;
                assertEquals(expected, estimates[3 + c], 0f, where);
                assertEquals(expectedBound, bounds[3 + c], 0f, where);
                assertEquals(expected, fused.estimate(codes, codeOffset, factors, factorOffset),
                        0f, where);
                assertEquals(expected,
                        materialised.estimate(codes, codeOffset, factors, factorOffset), 0f, where);
            }
        }
    }

    /**
     * Past the shared table of rounding offsets the stream continues from the generator; the
     * crossing falls inside a partition for 100 dimensions and between two for 128.
     */
    @ParameterizedTest
    @CsvSource({"1, 100", "1, 128", "2, 100"})
    void roundingStreamContinuesPastTheSharedTable(int bits, int dimension) {
        SplittableRandom random = new SplittableRandom(dimension);
        RaBitQuantizer quantizer = new RaBitQuantizer(dimension, bits);
        int codeLongs = quantizer.codeLongs();
        int n = 4;
        long[] codes = new long[n * codeLongs];
        float[] factors = new float[n * RaBitQuantizer.FACTORS];
        for (int c = 0; c < n; c++) {
            quantizer.newEncoder().encode(VectorUtilTest.randomVector(random, dimension), codes,
                    c * codeLongs, factors, c * RaBitQuantizer.FACTORS);
        }
        float[] rotatedQuery = VectorUtilTest.randomVector(random, dimension);
        float[] centroid = VectorUtilTest.randomVector(random, dimension);
        QuantizedQuery query = quantizer.newQuery();
        Reference reference = new Reference(quantizer);
        float[] residual = new float[dimension];
        for (int i = 0; i < dimension; i++) {
            residual[i] = rotatedQuery[i] - centroid[i];
        }
        float[] estimates = new float[n];
        int prepares = QuantizedQuery.SHARED_UNIFORMS / dimension + 3;
        for (int p = 0; p < prepares; p++) {
            query.prepare(rotatedQuery, centroid, 0);
            reference.prepare(residual);
            query.estimateBlock(codes, factors, n, estimates, new float[n], 0);
            for (int c = 0; c < n; c++) {
                assertEquals(reference.estimate(codes, c * codeLongs, factors,
                        c * RaBitQuantizer.FACTORS), estimates[c], 0f, "prepare " + p);
            }
        }
    }

    /** The comparison above is sharp: one flipped code bit changes that code's estimate. */
    @ParameterizedTest
    @CsvSource({"1, 384", "2, 100"})
    void aSingleFlippedCodeBitIsDetected(int bits, int dimension) {
        SplittableRandom random = new SplittableRandom(5);
        RaBitQuantizer quantizer = new RaBitQuantizer(dimension, bits);
        int codeLongs = quantizer.codeLongs();
        long[] codes = new long[codeLongs];
        float[] factors = new float[RaBitQuantizer.FACTORS];
        quantizer.newEncoder().encode(VectorUtilTest.randomVector(random, dimension), codes, 0,
                factors, 0);
        float[] residual = VectorUtilTest.randomVector(random, dimension);
        QuantizedQuery query = quantizer.newQuery();
        Reference reference = new Reference(quantizer);
        query.prepare(residual);
        reference.prepare(residual);
        long[] flipped = codes.clone();
        flipped[0] ^= 1L << 3;
        float[] estimates = new float[1];
        query.estimateBlock(flipped, factors, 1, estimates, new float[1], 0);
        assertFalse(reference.estimate(codes, 0, factors, 0) == estimates[0],
                "a different code must give a different estimate");
    }

    @ParameterizedTest
    @CsvSource({"1, 384"})
    void blockScanChecksItsRanges(int bits, int dimension) {
        RaBitQuantizer quantizer = new RaBitQuantizer(dimension, bits);
        QuantizedQuery query = quantizer.newQuery();
        query.prepare(new float[dimension]);
        long[] codes = new long[4 * quantizer.codeLongs()];
        float[] factors = new float[4 * RaBitQuantizer.FACTORS];
        assertThrows(IndexOutOfBoundsException.class,
                () -> query.estimateBlock(codes, factors, 5, new float[8], new float[8], 0));
        assertThrows(IndexOutOfBoundsException.class,
                () -> query.estimateBlock(codes, factors, 4, new float[8], new float[8], 5));
        assertThrows(IndexOutOfBoundsException.class,
                () -> query.prepare(new float[dimension], new float[dimension], 1));
        float[] estimates = new float[4];
        query.estimateBlock(codes, factors, 4, estimates, new float[4], 0);
        assertArrayEquals(new float[4], estimates); // all-zero factors: ‖p‖² = 0
    }

    /**
     * The quantized query and estimator from their definitions: each dimension's level and each
     * code's integer value are handled one at a time, with no bit planes on the query side.
     */
    private static final class Reference {
        private final int dimension;
        private final int codeBits;
        private final int queryBits;
        private final int words;
        private final float boundPerNorm;
        private final int[] level;
        private long random = 0x9E3779B97F4A7C15L;
        private float delta;
        private float low;
        private float sum;
        private float norm2;
        private float boundScale;

        Reference(RaBitQuantizer quantizer) {
            this.dimension = quantizer.dimension();
            this.codeBits = quantizer.bits();
            this.queryBits = quantizer.queryBits();
            this.words = quantizer.words();
            this.boundPerNorm = (float) (2 * RaBitQuantizer.EPSILON0
                    / Math.sqrt(Math.max(1, dimension - 1)));
            this.level = new int[dimension];
        }

        void prepare(float[] residual) {
            float lo = Float.POSITIVE_INFINITY;
            float hi = Float.NEGATIVE_INFINITY;
            double s = 0;
            double n2 = 0;
            for (int i = 0; i < dimension; i++) {
                lo = Math.min(lo, residual[i]);
                hi = Math.max(hi, residual[i]);
                s += residual[i];
                n2 += (double) residual[i] * residual[i];
            }
            int maxLevel = (1 << queryBits) - 1;
            float step = (hi - lo) / maxLevel;
            Arrays.fill(level, 0);
            if (step > 0) {
                float inverse = 1f / step;
                for (int i = 0; i < dimension; i++) {
                    level[i] = Math.min(maxLevel,
                            (int) ((residual[i] - lo) * inverse + nextUniform()));
                }
            }
            delta = Math.max(step, 0f);
            low = lo;
            sum = (float) s;
            norm2 = (float) n2;
            boundScale = (float) Math.sqrt(n2) * boundPerNorm;
        }

        float estimate(long[] codes, int codeOffset, float[] factors, int factorOffset) {
            long ip = 0;
            long codeSum = 0;
            for (int i = 0; i < dimension; i++) {
                int u = 0;
                for (int b = 0; b < codeBits; b++) {
                    long word = codes[codeOffset + b * words + (i >>> 6)];
                    u |= (int) ((word >>> (i & 63)) & 1) << b;
                }
                ip += (long) u * level[i];
                codeSum += u;
            }
            float centre = ((1 << codeBits) - 1) / 2f;
            float yq = delta * ip + low * codeSum - centre * sum;
            return factors[factorOffset] + norm2 - 2f * factors[factorOffset + 1] * yq;
        }

        float bound(float[] factors, int factorOffset) {
            return factors[factorOffset + 2] * boundScale;
        }

        private float nextUniform() {
            random ^= random >>> 12;
            random ^= random << 25;
            random ^= random >>> 27;
            return ((random * 0x2545F4914F6CDD1DL) >>> 40) * 0x1p-24f;
        }
    }
}
