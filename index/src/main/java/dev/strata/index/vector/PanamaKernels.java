package dev.strata.index.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Kernels on the incubating Vector API, using the platform's preferred float species.
 *
 * <p>Loaded reflectively by {@link VectorUtil} only when the {@code jdk.incubator.vector} module
 * is present, so the scalar provider keeps working without it.
 */
final class PanamaKernels implements VectorKernels {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /** Ints of the same width as {@link #SPECIES}, for lane-for-lane conversion. */
    private static final VectorSpecies<Integer> INTS =
            VectorSpecies.of(int.class, SPECIES.vectorShape());
    private static final float ROUNDER = 0x1.8p23f;
    private static final int ROUNDER_BITS = Float.floatToIntBits(ROUNDER);
    /** Lane {@code l} holds {@code l}: shifts each lane's bit to its own position. */
    private static final IntVector LANE_INDEX = IntVector.zero(INTS).addIndex(1);
    /** Scans the tails that do not fill a vector. */
    private static final ScalarKernels SCALAR = new ScalarKernels();

    PanamaKernels() {
        if (LANES < 4 || 32 % LANES != 0) {
            // Under 128 bits gains nothing; the plane packing needs LANES to divide 32.
            throw new UnsupportedOperationException("preferred float vector has " + LANES
                    + " lanes; the kernels need 4, 8, 16 or 32");
        }
    }

    @Override
    public String name() {
        return "panama";
    }

    @Override
    public float dot(float[] a, int aOffset, float[] b, int bOffset, int length) {
        int i = 0;
        float sum = 0;
        if (length >= LANES) {
            // Two accumulators hide the latency of the fused multiply-add.
            FloatVector acc0 = FloatVector.zero(SPECIES);
            FloatVector acc1 = FloatVector.zero(SPECIES);
            for (int bound = length - 2 * LANES; i <= bound; i += 2 * LANES) {
                acc0 = FloatVector.fromArray(SPECIES, a, aOffset + i)
                        .fma(FloatVector.fromArray(SPECIES, b, bOffset + i), acc0);
                acc1 = FloatVector.fromArray(SPECIES, a, aOffset + i + LANES)
                        .fma(FloatVector.fromArray(SPECIES, b, bOffset + i + LANES), acc1);
            }
            for (int bound = length - LANES; i <= bound; i += LANES) {
                acc0 = FloatVector.fromArray(SPECIES, a, aOffset + i)
                        .fma(FloatVector.fromArray(SPECIES, b, bOffset + i), acc0);
            }
            sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        }
        for (; i < length; i++) {
            sum += a[aOffset + i] * b[bOffset + i];
        }
        return sum;
    }

    @Override
    public float squareDistance(float[] a, int aOffset, float[] b, int bOffset, int length) {
        int i = 0;
        float sum = 0;
        if (length >= LANES) {
            FloatVector acc0 = FloatVector.zero(SPECIES);
            FloatVector acc1 = FloatVector.zero(SPECIES);
            for (int bound = length - 2 * LANES; i <= bound; i += 2 * LANES) {
                FloatVector d0 = FloatVector.fromArray(SPECIES, a, aOffset + i)
                        .sub(FloatVector.fromArray(SPECIES, b, bOffset + i));
                FloatVector d1 = FloatVector.fromArray(SPECIES, a, aOffset + i + LANES)
                        .sub(FloatVector.fromArray(SPECIES, b, bOffset + i + LANES));
                acc0 = d0.fma(d0, acc0);
                acc1 = d1.fma(d1, acc1);
            }
            for (int bound = length - LANES; i <= bound; i += LANES) {
                FloatVector d = FloatVector.fromArray(SPECIES, a, aOffset + i)
                        .sub(FloatVector.fromArray(SPECIES, b, bOffset + i));
                acc0 = d.fma(d, acc0);
            }
            sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        }
        for (; i < length; i++) {
            float d = a[aOffset + i] - b[bOffset + i];
            sum += d * d;
        }
        return sum;
    }

    @Override
    public float cosine(float[] a, int aOffset, float[] b, int bOffset, int length) {
        int i = 0;
        float ab = 0, aa = 0, bb = 0;
        if (length >= LANES) {
            FloatVector vab = FloatVector.zero(SPECIES);
            FloatVector vaa = FloatVector.zero(SPECIES);
            FloatVector vbb = FloatVector.zero(SPECIES);
            for (int bound = length - LANES; i <= bound; i += LANES) {
                FloatVector x = FloatVector.fromArray(SPECIES, a, aOffset + i);
                FloatVector y = FloatVector.fromArray(SPECIES, b, bOffset + i);
                vab = x.fma(y, vab);
                vaa = x.fma(x, vaa);
                vbb = y.fma(y, vbb);
            }
            ab = vab.reduceLanes(VectorOperators.ADD);
            aa = vaa.reduceLanes(VectorOperators.ADD);
            bb = vbb.reduceLanes(VectorOperators.ADD);
        }
        for (; i < length; i++) {
            float x = a[aOffset + i];
            float y = b[bOffset + i];
            ab += x * y;
            aa += x * x;
            bb += y * y;
        }
        return VectorUtil.cosineOf(ab, aa, bb);
    }

    @Override
    public void rabitqEstimates(int n, int[] dots, float[] codeSums, float[] norm2s,
                                float[] scales, float delta, float low, float centreSum,
                                float queryNorm2, float[] out) {
        int c = 0;
        for (int bound = SPECIES.loopBound(n); c < bound; c += LANES) {
            FloatVector dot = (FloatVector) IntVector.fromArray(INTS, dots, c)
                    .convert(VectorOperators.I2F, 0);
            FloatVector yq = dot.mul(delta)
                    .add(FloatVector.fromArray(SPECIES, codeSums, c).mul(low))
                    .sub(centreSum);
            FloatVector.fromArray(SPECIES, norm2s, c).add(queryNorm2)
                    .sub(FloatVector.fromArray(SPECIES, scales, c).mul(2f).mul(yq))
                    .intoArray(out, c);
        }
        ScalarKernels.rabitqEstimates(c, n, dots, codeSums, norm2s, scales, delta, low,
                centreSum, queryNorm2, out);
    }

    @Override
    public int firstUpperBelow(float[] estimates, float[] bounds, int from, int n, float threshold) {
        int c = from;
        for (int bound = from + SPECIES.loopBound(n - from); c < bound; c += LANES) {
            VectorMask<Float> below = FloatVector.fromArray(SPECIES, estimates, c)
                    .add(FloatVector.fromArray(SPECIES, bounds, c))
                    .compare(VectorOperators.LT, threshold);
            if (below.anyTrue()) {
                return c + below.firstTrue();
            }
        }
        return SCALAR.firstUpperBelow(estimates, bounds, c, n, threshold);
    }

    @Override
    public int firstLowerAtMost(float[] estimates, float[] bounds, int from, int n, float threshold) {
        int c = from;
        for (int bound = from + SPECIES.loopBound(n - from); c < bound; c += LANES) {
            VectorMask<Float> atMost = FloatVector.fromArray(SPECIES, estimates, c)
                    .sub(FloatVector.fromArray(SPECIES, bounds, c))
                    .compare(VectorOperators.LE, threshold);
            if (atMost.anyTrue()) {
                return c + atMost.firstTrue();
            }
        }
        return SCALAR.firstLowerAtMost(estimates, bounds, c, n, threshold);
    }

    @Override
    public void residualStats(float[] query, float[] centroid, int offset, int d, float[] out) {
        int i = 0;
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        float sum = 0;
        float squares = 0;
        if (d >= LANES) {
            FloatVector vmin = FloatVector.broadcast(SPECIES, Float.POSITIVE_INFINITY);
            FloatVector vmax = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
            FloatVector vsum = FloatVector.zero(SPECIES);
            FloatVector vsquares = FloatVector.zero(SPECIES);
            for (int bound = SPECIES.loopBound(d); i < bound; i += LANES) {
                FloatVector r = FloatVector.fromArray(SPECIES, query, i)
                        .sub(FloatVector.fromArray(SPECIES, centroid, offset + i));
                vmin = vmin.min(r);
                vmax = vmax.max(r);
                vsum = vsum.add(r);
                vsquares = r.fma(r, vsquares);
            }
            min = vmin.reduceLanes(VectorOperators.MIN);
            max = vmax.reduceLanes(VectorOperators.MAX);
            sum = vsum.reduceLanes(VectorOperators.ADD);
            squares = vsquares.reduceLanes(VectorOperators.ADD);
        }
        for (; i < d; i++) {
            float r = query[i] - centroid[offset + i];
            min = Math.min(min, r);
            max = Math.max(max, r);
            sum += r;
            squares += r * r;
        }
        out[0] = min;
        out[1] = max;
        out[2] = sum;
        out[3] = squares;
    }

    @Override
    public void quantizeToPlanes(float[] query, float[] centroid, int offset, int d, float low,
                                 float inverse, float[] rounding, int from, int maxLevel,
                                 int queryBits, int[] planes, int words) {
        int i = 0;
        // A run of LANES dimensions never straddles a plane word: LANES divides 32.
        for (int bound = SPECIES.loopBound(d); i < bound; i += LANES) {
            // Adding 1.5·2^23 rounds a float in [−2^22, 2^22] to a whole number, half to even,
            // and leaves it in the low mantissa bits (the sum lies in [2^23, 2^24), where floats
            // are exactly the integers): Java 17 does not compile float-to-int conversions of
            // vectors to vector instructions, but reinterpreting bits is free.
            IntVector level = FloatVector.fromArray(SPECIES, query, i)
                    .sub(FloatVector.fromArray(SPECIES, centroid, offset + i))
                    .sub(low).mul(inverse)
                    .add(FloatVector.fromArray(SPECIES, rounding, from + i))
                    .sub(0.5f).add(ROUNDER)
                    .reinterpretAsInts().sub(ROUNDER_BITS)
                    .min(maxLevel);
            int word = i >>> 5;
            int shift = i & 31;
            for (int j = 0; j < queryBits; j++) {
                int bits = level.lanewise(VectorOperators.LSHR, j).and(1)
                        .lanewise(VectorOperators.LSHL, LANE_INDEX)
                        .reduceLanes(VectorOperators.OR);
                planes[j * words + word] |= bits << shift;
            }
        }
        ScalarKernels.quantizeToPlanes(i, query, centroid, offset, d, low, inverse, rounding,
                from, maxLevel, queryBits, planes, words);
    }
}
