package dev.strata.index.vector;

import java.util.Arrays;

/**
 * A query residual quantized for scoring RaBitQ codes of one partition: its bit planes, the
 * scalars of the estimator, and the per-query part of the error bound.
 *
 * <p>Mutable and reusable: {@link #prepare} overwrites it for the next partition of the same
 * query. Not thread-safe; one query owns one instance. Randomized rounding uses a fixed seed, so
 * a query always gets the same estimates.
 */
public final class QuantizedQuery {

    private final RaBitQuantizer quantizer;
    private final int dimension;
    private final int words;
    private final int codeBits;
    private final int queryBits;
    private final float centre;
    private final float boundPerNorm;
    private final long[] planes;
    private long random = 0x9E3779B97F4A7C15L;
    private float delta;
    private float low;
    private float sum;
    private float norm2;
    private float boundScale;

    QuantizedQuery(RaBitQuantizer quantizer) {
        this.quantizer = quantizer;
        this.dimension = quantizer.dimension();
        this.words = quantizer.words();
        this.codeBits = quantizer.bits();
        this.queryBits = quantizer.queryBits();
        this.centre = ((1 << codeBits) - 1) / 2f;
        this.boundPerNorm = (float) (2 * RaBitQuantizer.EPSILON0 / Math.sqrt(Math.max(1, dimension - 1)));
        this.planes = new long[queryBits * words];
    }

    public RaBitQuantizer quantizer() {
        return quantizer;
    }

    /** Quantizes the rotated query residual {@code residual[0, d)}. */
    public void prepare(float[] residual) {
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        double s = 0;
        double n2 = 0;
        for (int i = 0; i < dimension; i++) {
            float v = residual[i];
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
            s += v;
            n2 += (double) v * v;
        }
        Arrays.fill(planes, 0L);
        int maxLevel = (1 << queryBits) - 1;
        float step = (hi - lo) / maxLevel;
        if (step > 0) {
            float inverse = 1f / step;
            for (int i = 0; i < dimension; i++) {
                int q = Math.min(maxLevel, (int) ((residual[i] - lo) * inverse + nextUniform()));
                int word = i >>> 6;
                long bit = 1L << (i & 63);
                for (int j = 0; j < queryBits; j++, word += words) {
                    if (((q >>> j) & 1) != 0) {
                        planes[word] |= bit;
                    }
                }
            }
        }
        this.delta = Math.max(step, 0f);
        this.low = lo;
        this.sum = (float) s;
        this.norm2 = (float) n2;
        this.boundScale = (float) Math.sqrt(n2) * boundPerNorm;
    }

    /** The squared norm of the prepared residual (its exact distance to the centroid). */
    public float norm2() {
        return norm2;
    }

    /**
     * The estimated squared distance between the prepared query and the vector whose code
     * starts at {@code codes[codeOffset]} and factors at {@code factors[factorOffset]}.
     */
    public float estimate(long[] codes, int codeOffset, float[] factors, int factorOffset) {
        long ip = VectorUtil.bitPlaneDot(codes, codeOffset, codeBits, planes, queryBits, words);
        long codeSum = VectorUtil.bitPlaneSum(codes, codeOffset, codeBits, words);
        float yq = delta * ip + low * codeSum - centre * sum;
        return factors[factorOffset] + norm2 - 2f * factors[factorOffset + 1] * yq;
    }

    /** The half-width of the confidence interval of {@link #estimate} for that vector. */
    public float bound(float[] factors, int factorOffset) {
        return factors[factorOffset + 2] * boundScale;
    }

    private float nextUniform() {
        // xorshift64*: a fixed, allocation-free stream of rounding offsets in [0, 1).
        random ^= random >>> 12;
        random ^= random << 25;
        random ^= random >>> 27;
        return ((random * 0x2545F4914F6CDD1DL) >>> 40) * 0x1p-24f;
    }
}
