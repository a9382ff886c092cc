package dev.strata.index.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RaBitQuantizerTest {

    @Test
    void rotationPreservesNormsAndInnerProducts() {
        SplittableRandom random = new SplittableRandom(11);
        for (int dimension : new int[] {1, 3, 64, 100, 384, 385}) {
            RandomRotation rotation = new RandomRotation(dimension, 42);
            float[] a = VectorUtilTest.randomVector(random, dimension);
            float[] b = VectorUtilTest.randomVector(random, dimension);
            float[] ra = new float[dimension];
            float[] rb = new float[dimension];
            rotation.rotate(a, 0, ra);
            rotation.rotate(b, 0, rb);
            assertEquals(VectorUtil.dot(a, b), VectorUtil.dot(ra, rb), 1e-3 * dimension);
            assertEquals(VectorUtil.dot(a, a), VectorUtil.dot(ra, ra), 1e-3 * dimension);
        }
    }

    @Test
    void defaultCodeOf384DimensionsFitsIn64Bytes() {
        assertTrue(new RaBitQuantizer(384, 1).bytesPerVector() <= 64);
    }

    /**
     * For random residual pairs, the estimated squared distance lies within the reported bound
     * of the exact one for almost all pairs, the estimator is close to unbiased, and more bits
     * give smaller errors.
     */
    @ParameterizedTest
    @CsvSource({"1, 128", "1, 384", "2, 128", "4, 384"})
    void estimatesFallWithinTheErrorBound(int bits, int dimension) {
        SplittableRandom random = new SplittableRandom(bits * 1000L + dimension);
        RaBitQuantizer quantizer = new RaBitQuantizer(dimension, bits);
        RaBitQuantizer.Encoder encoder = quantizer.newEncoder();
        QuantizedQuery query = quantizer.newQuery();
        int vectors = 400;
        CodeBlock block = quantizer.newBlock(vectors);
        float[][] data = new float[vectors][];
        for (int i = 0; i < vectors; i++) {
            data[i] = gaussian(random, dimension);
            encoder.encode(data[i], block, i);
        }
        float[] estimates = new float[vectors];
        float[] bounds = new float[vectors];
        int pairs = 0, inside = 0;
        double signedError = 0, absoluteRelativeError = 0;
        for (int qi = 0; qi < 20; qi++) {
            float[] q = gaussian(random, dimension);
            query.prepare(q);
            query.estimateBlock(block, estimates, bounds);
            for (int i = 0; i < vectors; i++) {
                double exact = 0;
                for (int d = 0; d < dimension; d++) {
                    double diff = (double) data[i][d] - q[d];
                    exact += diff * diff;
                }
                float estimate = estimates[i];
                float bound = bounds[i];
                pairs++;
                if (Math.abs(estimate - exact) <= bound) {
                    inside++;
                }
                signedError += (estimate - exact) / exact;
                absoluteRelativeError += Math.abs(estimate - exact) / exact;
            }
        }
        // ε₀ = 1.9 spans about 1.9 standard deviations of the estimator: ~94% two-sided.
        assertTrue(inside >= 0.90 * pairs, inside + " of " + pairs + " inside the bound");
        assertEquals(0, signedError / pairs, 0.01, "mean relative error (bias)");
        double meanError = absoluteRelativeError / pairs;
        // With unit-variance Gaussians, distance ~2d and the 1-bit error is about 1/√d of it.
        double oneBitScale = 1.0 / Math.sqrt(dimension);
        assertTrue(meanError < oneBitScale / (1 << (bits - 1)),
                "mean relative error " + meanError + " for " + bits + " bits");
    }

    @Test
    void vectorAtItsCentroidIsEstimatedExactly() {
        RaBitQuantizer quantizer = new RaBitQuantizer(10, 1);
        CodeBlock block = quantizer.newBlock(1);
        quantizer.newEncoder().encode(new float[10], block, 0);
        QuantizedQuery query = quantizer.newQuery();
        float[] q = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        query.prepare(q);
        float[] estimate = new float[1];
        float[] bound = new float[1];
        query.estimateBlock(block, estimate, bound);
        assertEquals(385f, estimate[0], 1e-3);
        assertEquals(0f, bound[0]);
    }

    @Test
    void dimensionsThatWouldOverflowTheIntegerSumsAreRefused() {
        new RaBitQuantizer(33_000, 8);
        assertThrows(IllegalArgumentException.class, () -> new RaBitQuantizer(33_100, 8));
        new RaBitQuantizer(65_536, 1);
    }

    private static float[] gaussian(SplittableRandom random, int dimension) {
        float[] v = new float[dimension];
        for (int i = 0; i < dimension; i++) {
            double u1 = 1 - random.nextDouble(), u2 = random.nextDouble();
            v[i] = (float) (Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
        }
        return v;
    }
}
