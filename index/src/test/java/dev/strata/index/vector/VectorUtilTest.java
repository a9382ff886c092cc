package dev.strata.index.vector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class VectorUtilTest {

    private static final VectorKernels SCALAR = new ScalarKernels();
    private static final VectorKernels PANAMA = new PanamaKernels();

    static IntStream oddDimensions() {
        return IntStream.concat(IntStream.rangeClosed(1, 70), IntStream.of(383, 385, 1023));
    }

    @ParameterizedTest
    @MethodSource("oddDimensions")
    void providersAgreeWithEachOtherAndWithDoublePrecision(int dimension) {
        SplittableRandom random = new SplittableRandom(dimension);
        int aOffset = random.nextInt(5);
        int bOffset = random.nextInt(5);
        float[] a = randomVector(random, aOffset + dimension + 3);
        float[] b = randomVector(random, bOffset + dimension + 2);
        double dot = 0, l2 = 0, aa = 0, bb = 0;
        for (int i = 0; i < dimension; i++) {
            double x = a[aOffset + i], y = b[bOffset + i];
            dot += x * y;
            l2 += (x - y) * (x - y);
            aa += x * x;
            bb += y * y;
        }
        double cosine = dot / Math.sqrt(aa * bb);
        double tolerance = 1e-4 * Math.sqrt(dimension) * Math.max(1, Math.sqrt(aa * bb));
        for (VectorKernels k : new VectorKernels[] {SCALAR, PANAMA}) {
            assertEquals(dot, k.dot(a, aOffset, b, bOffset, dimension), tolerance, k.name());
            assertEquals(l2, k.squareDistance(a, aOffset, b, bOffset, dimension), tolerance,
                    k.name());
            assertEquals(cosine, k.cosine(a, aOffset, b, bOffset, dimension), 1e-5, k.name());
        }
        assertEquals(SCALAR.dot(a, aOffset, b, bOffset, dimension),
                PANAMA.dot(a, aOffset, b, bOffset, dimension), tolerance);
        assertEquals(SCALAR.squareDistance(a, aOffset, b, bOffset, dimension),
                PANAMA.squareDistance(a, aOffset, b, bOffset, dimension), tolerance);
    }

    @Test
    void facadeUsesTheVectorApiWhenTheModuleIsPresent() {
        // Surefire runs with --add-modules=jdk.incubator.vector and no forcing property.
        assertEquals("panama", VectorUtil.providerName());
    }

    @Test
    void cosineOfZeroVectorIsZeroNotNaN() {
        float[] zero = new float[7];
        float[] other = {1, 2, 3, 4, 5, 6, 7};
        assertEquals(0f, VectorUtil.cosine(zero, other));
        assertEquals(1f, Metric.COSINE_DISTANCE.distance(zero, other));
    }

    @Test
    void everyHalfSurvivesARoundTripThroughFloat() {
        for (int bits = 0; bits < 1 << 16; bits++) {
            short half = (short) bits;
            float f = VectorUtil.halfToFloat(half);
            short back = VectorUtil.floatToHalf(f);
            if (Float.isNaN(f)) {
                assertTrue(Float.isNaN(VectorUtil.halfToFloat(back)));
            } else {
                assertEquals(bits, back & 0xffff, "half 0x" + Integer.toHexString(bits));
            }
        }
    }

    @Test
    void halfValuesMatchTheirDefinition() {
        assertEquals(1f, VectorUtil.halfToFloat((short) 0x3c00));
        assertEquals(-2f, VectorUtil.halfToFloat((short) 0xc000));
        assertEquals(65504f, VectorUtil.halfToFloat((short) 0x7bff));
        assertEquals(0x1p-24f, VectorUtil.halfToFloat((short) 0x0001));
        assertEquals(Float.POSITIVE_INFINITY, VectorUtil.halfToFloat((short) 0x7c00));
        assertEquals(0x7c00, VectorUtil.floatToHalf(1e6f) & 0xffff);
        assertEquals(0x8000, VectorUtil.floatToHalf(-0f) & 0xffff);
    }

    @Test
    void floatToHalfRoundsToTheNearestHalfWithTiesToEven() {
        SplittableRandom random = new SplittableRandom(7);
        // Oracle: the sorted list of all finite non-negative halves, searched for neighbours.
        float[] halves = new float[0x7c00];
        for (int h = 0; h < halves.length; h++) {
            halves[h] = VectorUtil.halfToFloat((short) h);
        }
        for (int trial = 0; trial < 200_000; trial++) {
            float f = switch (trial % 3) {
                case 0 -> (float) (random.nextDouble() * 70000);
                case 1 -> (float) (random.nextDouble() * 1e-4);
                default -> {
                    // exact midpoints between neighbouring halves exercise ties
                    int h = random.nextInt(0x7bff);
                    yield (float) (((double) halves[h] + halves[h + 1]) / 2);
                }
            };
            int got = VectorUtil.floatToHalf(f) & 0xffff;
            int expected = nearestHalf(halves, f);
            assertEquals(expected, got, "for " + f);
            assertEquals(expected | 0x8000, VectorUtil.floatToHalf(-f) & 0xffff, "for " + -f);
        }
    }

    private static int nearestHalf(float[] halves, float f) {
        int lo = 0, hi = halves.length - 1;
        if (f >= 65520f) {
            return 0x7c00; // beyond max + half an ulp: infinity
        }
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (halves[mid] <= f) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        if (lo == halves.length - 1) {
            return lo;
        }
        double below = f - (double) halves[lo];
        double above = (double) halves[lo + 1] - f;
        if (below < above) {
            return lo;
        }
        if (above < below) {
            return lo + 1;
        }
        return (lo & 1) == 0 ? lo : lo + 1;
    }

    @ParameterizedTest
    @MethodSource("oddDimensions")
    void providersAgreeOnResidualStatsAndPlanes(int dimension) {
        SplittableRandom random = new SplittableRandom(dimension);
        int offset = random.nextInt(5);
        float[] query = randomVector(random, dimension + 1);
        float[] centroid = randomVector(random, offset + dimension);
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, sum = 0;
        double squares = 0;
        for (int i = 0; i < dimension; i++) {
            double r = query[i] - centroid[offset + i];
            min = Math.min(min, r);
            max = Math.max(max, r);
            sum += r;
            squares += r * r;
        }
        float[] scalarStats = new float[4];
        float[] panamaStats = new float[4];
        SCALAR.residualStats(query, centroid, offset, dimension, scalarStats);
        PANAMA.residualStats(query, centroid, offset, dimension, panamaStats);
        for (float[] stats : new float[][] {scalarStats, panamaStats}) {
            assertEquals(min, stats[0], 0);
            assertEquals(max, stats[1], 0);
            assertEquals(sum, stats[2], 1e-5 * dimension);
            assertEquals(squares, stats[3], 1e-5 * dimension);
        }

        int words = (dimension + 31) / 32;
        float[] rounding = new float[dimension + 3];
        for (int i = 0; i < rounding.length; i++) {
            rounding[i] = (float) random.nextDouble();
        }
        float low = panamaStats[0];
        float inverse = 15 / (panamaStats[1] - low);
        int[] scalarPlanes = new int[4 * words];
        int[] panamaPlanes = new int[4 * words];
        SCALAR.quantizeToPlanes(query, centroid, offset, dimension, low, inverse, rounding, 3,
                15, 4, scalarPlanes, words);
        PANAMA.quantizeToPlanes(query, centroid, offset, dimension, low, inverse, rounding, 3,
                15, 4, panamaPlanes, words);
        assertArrayEquals(scalarPlanes, panamaPlanes);
        for (int i = 0; i < dimension; i++) {
            float r = query[i] - centroid[offset + i];
            int expected = Math.min(15, (int) Math.floor((r - low) * inverse + rounding[3 + i]));
            int level = 0;
            for (int j = 0; j < 4; j++) {
                level |= (scalarPlanes[j * words + i / 32] >>> (i % 32) & 1) << j;
            }
            // Round half to even of x − ½ is ⌊x⌋ except where x is a whole number.
            assertEquals(expected, level, 1, "dimension " + i);
        }
    }

    /** The estimator is spelled out without fused multiply-adds: providers agree bit for bit. */
    @ParameterizedTest
    @MethodSource("oddDimensions")
    void providersComputeIdenticalRabitqEstimates(int n) {
        SplittableRandom random = new SplittableRandom(n);
        int[] dots = new int[n + 2];
        float[] codeSums = new float[n + 1];
        float[] norm2s = randomVector(random, n + 3);
        float[] scales = randomVector(random, n);
        for (int c = 0; c < n; c++) {
            dots[c] = random.nextInt(5_000);
            codeSums[c] = random.nextInt(384);
        }
        float[] scalar = new float[n];
        float[] panama = new float[n];
        SCALAR.rabitqEstimates(n, dots, codeSums, norm2s, scales, 0.013f, -0.21f, 3.7f, 1.9f,
                scalar);
        PANAMA.rabitqEstimates(n, dots, codeSums, norm2s, scales, 0.013f, -0.21f, 3.7f, 1.9f,
                panama);
        for (int c = 0; c < n; c++) {
            float yq = 0.013f * dots[c] + -0.21f * codeSums[c] - 3.7f;
            assertEquals(norm2s[c] + 1.9f - 2f * scales[c] * yq, scalar[c], 0f, "code " + c);
        }
        assertArrayEquals(scalar, panama);
    }

    /** The bound scans find every code a plain loop finds, from any start, in either provider. */
    @ParameterizedTest
    @MethodSource("oddDimensions")
    void boundScansStopAtEachCodeThatPassesTheThreshold(int n) {
        SplittableRandom random = new SplittableRandom(n);
        float[] estimates = randomVector(random, n + 1);
        float[] bounds = new float[n + 2];
        for (int c = 0; c < n; c++) {
            bounds[c] = (float) random.nextDouble() * 0.1f;
        }
        estimates[random.nextInt(n)] = Float.NaN; // passes no threshold
        for (float threshold : new float[] {-2f, -0.9f, 0f, 0.8f, 2f}) {
            for (VectorKernels kernels : new VectorKernels[] {SCALAR, PANAMA}) {
                List<Integer> upper = new ArrayList<>();
                List<Integer> lower = new ArrayList<>();
                for (int c = kernels.firstUpperBelow(estimates, bounds, 0, n, threshold); c < n;
                        c = kernels.firstUpperBelow(estimates, bounds, c + 1, n, threshold)) {
                    upper.add(c);
                }
                for (int c = kernels.firstLowerAtMost(estimates, bounds, 0, n, threshold); c < n;
                        c = kernels.firstLowerAtMost(estimates, bounds, c + 1, n, threshold)) {
                    lower.add(c);
                }
                List<Integer> expectedUpper = new ArrayList<>();
                List<Integer> expectedLower = new ArrayList<>();
                for (int c = 0; c < n; c++) {
                    if (estimates[c] + bounds[c] < threshold) {
                        expectedUpper.add(c);
                    }
                    if (estimates[c] - bounds[c] <= threshold) {
                        expectedLower.add(c);
                    }
                }
                assertEquals(expectedUpper, upper, kernels.name() + " upper, threshold " + threshold);
                assertEquals(expectedLower, lower, kernels.name() + " lower, threshold " + threshold);
            }
        }
        assertEquals(n, VectorUtil.firstLowerAtMost(estimates, bounds, n, n, Float.POSITIVE_INFINITY));
        assertThrows(IndexOutOfBoundsException.class,
                () -> VectorUtil.firstUpperBelow(estimates, bounds, 0, n + 3, 0f));
    }

    static float[] randomVector(SplittableRandom random, int length) {
        float[] v = new float[length];
        for (int i = 0; i < length; i++) {
            v[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return v;
    }
}
