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

    /** The seed of the stream of rounding offsets. */
    private static final long SEED = 0x9E3779B97F4A7C15L;
    /** How many offsets from the start of the stream are precomputed and shared. */
    static final int SHARED_UNIFORMS = 1 << 16;
    /**
     * The first {@link #SHARED_UNIFORMS} offsets of the stream. Every query draws the same
     * stream from its start, so a table replaces the serial generator for the first partitions
     * of every query; later draws continue from {@link #STATE_AFTER_TABLE}.
     */
    private static final float[] UNIFORMS = new float[SHARED_UNIFORMS];
    private static final long STATE_AFTER_TABLE;

    static {
        long state = SEED;
        for (int i = 0; i < SHARED_UNIFORMS; i++) {
            state = step(state);
            UNIFORMS[i] = toUniform(state);
        }
        STATE_AFTER_TABLE = state;
    }

    private final RaBitQuantizer quantizer;
    private final int dimension;
    private final int words;
    private final int codeBits;
    private final int queryBits;
    private final float centre;
    private final float boundPerNorm;
    private final long[] planes;
    /** Rounding offsets drawn so far: the position of the next one in the fixed stream. */
    private long drawn;
    /** The stream's generator state, kept only once {@link #drawn} is past the shared table. */
    private long random;
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
        prepare(residual, null, 0);
    }

    /**
     * Quantizes the rotated query residual {@code rotatedQuery[i] − rotatedCentroids[offset + i]}
     * for {@code i ∈ [0, d)} without materialising it: the rotation is linear, so the residual
     * of the rotated query is the rotated residual. Allocation-free and {@code O(d)}.
     */
    public void prepare(float[] rotatedQuery, float[] rotatedCentroids, int offset) {
        if (rotatedCentroids != null
                && (offset < 0 || offset > rotatedCentroids.length - dimension)) {
            throw new IndexOutOfBoundsException("centroid at " + offset + " of "
                    + rotatedCentroids.length);
        }
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        double s = 0;
        double n2 = 0;
        for (int i = 0; i < dimension; i++) {
            float v = value(rotatedQuery, rotatedCentroids, offset, i);
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
            // Dimension i uses offset (first + i) of the stream: the estimates depend on it.
            long first = drawn;
            drawn += dimension;
            for (int word = 0; word < words; word++) {
                int from = word << 6;
                int to = Math.min(dimension, from + 64);
                if (queryBits == 4) {
                    // The default shape: the four plane words are built in registers (bit j of
                    // the level of dimension i goes to bit i mod 64 of plane j) and stored once.
                    long p0 = 0, p1 = 0, p2 = 0, p3 = 0;
                    for (int i = from; i < to; i++) {
                        float v = value(rotatedQuery, rotatedCentroids, offset, i);
                        float u = uniform(first + i);
                        long q = Math.min(maxLevel, (int) ((v - lo) * inverse + u));
                        int bit = i & 63;
                        p0 |= (q & 1) << bit;
                        p1 |= ((q >>> 1) & 1) << bit;
                        p2 |= ((q >>> 2) & 1) << bit;
                        p3 |= ((q >>> 3) & 1) << bit;
                    }
                    planes[word] = p0;
                    planes[words + word] = p1;
                    planes[2 * words + word] = p2;
                    planes[3 * words + word] = p3;
                } else {
                    for (int i = from; i < to; i++) {
                        float v = value(rotatedQuery, rotatedCentroids, offset, i);
                        float u = uniform(first + i);
                        long q = Math.min(maxLevel, (int) ((v - lo) * inverse + u));
                        int bit = i & 63;
                        for (int j = 0, at = word; j < queryBits; j++, at += words) {
                            planes[at] |= ((q >>> j) & 1) << bit;
                        }
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

    private static float value(float[] query, float[] centroids, int offset, int i) {
        return centroids == null ? query[i] : query[i] - centroids[offset + i];
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
        long ip;
        long codeSum;
        if (codeBits == 1 && queryBits == 4 && words == 6) {
            long counts = sixWordCounts(codes, codeOffset, planes);
            ip = counts >>> 32;
            codeSum = counts & 0xffff_ffffL;
        } else {
            ip = VectorUtil.bitPlaneDot(codes, codeOffset, codeBits, planes, queryBits, words);
            codeSum = VectorUtil.bitPlaneSum(codes, codeOffset, codeBits, words);
        }
        float yq = delta * ip + low * codeSum - centre * sum;
        return factors[factorOffset] + norm2 - 2f * factors[factorOffset + 1] * yq;
    }

    /**
     * Estimates and bound half-widths of {@code count} consecutive codes, the same values as
     * {@link #estimate} and {@link #bound} give one code at a time: code {@code c} starts at
     * {@code codes[c · codeLongs]} and its factors at {@code factors[c · FACTORS]}; its estimate
     * goes to {@code estimates[out + c]} and its bound to {@code bounds[out + c]}.
     */
    public void estimateBlock(long[] codes, float[] factors, int count, float[] estimates,
                              float[] bounds, int out) {
        int codeLongs = quantizer.codeLongs();
        if (count < 0 || (long) count * codeLongs > codes.length
                || (long) count * RaBitQuantizer.FACTORS > factors.length
                || out < 0 || out > estimates.length - count || out > bounds.length - count) {
            throw new IndexOutOfBoundsException(count + " codes into [" + out + ", +" + count
                    + ") of " + estimates.length + " and " + bounds.length);
        }
        if (codeBits == 1 && queryBits == 4) {
            if (words == 6) {
                oneBitSixWords(codes, factors, count, estimates, bounds, out);
            } else {
                oneBitBlock(codes, factors, count, estimates, bounds, out);
            }
            return;
        }
        for (int c = 0; c < count; c++) {
            estimates[out + c] = estimate(codes, c * codeLongs, factors,
                    c * RaBitQuantizer.FACTORS);
            bounds[out + c] = bound(factors, c * RaBitQuantizer.FACTORS);
        }
    }

    /**
     * The default shape, one code bit against four query bits. With code bits {@code u[i]} and
     * query levels {@code q[i] = Σ_j 2^j·plane_j[i]}, {@code ⟨u,q⟩ = Σ_j 2^j·popcount(u ∧ plane_j)}
     * and {@code Σ u[i] = popcount(u)}, both summed over the words of the code; the estimate then
     * follows {@link #estimate} term for term, so the floats are identical.
     */
    private void oneBitBlock(long[] codes, float[] factors, int count, float[] estimates,
                             float[] bounds, int out) {
        long[] q = planes;
        int w = words;
        float delta = this.delta;
        float low = this.low;
        float centreSum = centre * sum;
        float norm2 = this.norm2;
        float boundScale = this.boundScale;
        for (int c = 0, code = 0, f = 0; c < count; c++, code += w, f += RaBitQuantizer.FACTORS) {
            long c0 = 0, c1 = 0, c2 = 0, c3 = 0, ones = 0;
            for (int i = 0; i < w; i++) {
                long x = codes[code + i];
                c0 += Long.bitCount(x & q[i]);
                c1 += Long.bitCount(x & q[w + i]);
                c2 += Long.bitCount(x & q[2 * w + i]);
                c3 += Long.bitCount(x & q[3 * w + i]);
                ones += Long.bitCount(x);
            }
            long ip = c0 + (c1 << 1) + (c2 << 2) + (c3 << 3);
            float yq = delta * ip + low * ones - centreSum;
            estimates[out + c] = factors[f] + norm2 - 2f * factors[f + 1] * yq;
            bounds[out + c] = factors[f + 2] * boundScale;
        }
    }

    /**
     * {@link #oneBitBlock} for 321 to 384 dimensions (six words per plane, as for the common
     * 384-dimension embeddings), through {@link #sixWordCounts}. Same integers, same float
     * operations.
     */
    private void oneBitSixWords(long[] codes, float[] factors, int count, float[] estimates,
                                float[] bounds, int out) {
        long[] q = planes;
        float delta = this.delta;
        float low = this.low;
        float centreSum = centre * sum;
        float norm2 = this.norm2;
        float boundScale = this.boundScale;
        for (int c = 0, code = 0, f = 0; c < count; c++, code += 6, f += RaBitQuantizer.FACTORS) {
            long counts = sixWordCounts(codes, code, q);
            long ip = counts >>> 32;
            long ones = counts & 0xffff_ffffL;
            float yq = delta * ip + low * ones - centreSum;
            estimates[out + c] = factors[f] + norm2 - 2f * factors[f + 1] * yq;
            bounds[out + c] = factors[f + 2] * boundScale;
        }
    }

    /**
     * For a one-bit code of six words at {@code codes[code]} and four query planes of six words
     * in {@code q}: {@code ⟨u,q⟩ = Σ_j 2^j·popcount(u ∧ plane_j)} in the high 32 bits and
     * {@code Σ u[i] = popcount(u)} in the low 32 bits. Unrolled: a loop over only six words
     * costs more in loop control and bounds checks than in popcounts.
     */
    private static long sixWordCounts(long[] codes, int code, long[] q) {
        long x0 = codes[code];
        long x1 = codes[code + 1];
        long x2 = codes[code + 2];
        long x3 = codes[code + 3];
        long x4 = codes[code + 4];
        long x5 = codes[code + 5];
        long c0 = Long.bitCount(x0 & q[0]) + Long.bitCount(x1 & q[1])
                + Long.bitCount(x2 & q[2]) + Long.bitCount(x3 & q[3])
                + Long.bitCount(x4 & q[4]) + Long.bitCount(x5 & q[5]);
        long c1 = Long.bitCount(x0 & q[6]) + Long.bitCount(x1 & q[7])
                + Long.bitCount(x2 & q[8]) + Long.bitCount(x3 & q[9])
                + Long.bitCount(x4 & q[10]) + Long.bitCount(x5 & q[11]);
        long c2 = Long.bitCount(x0 & q[12]) + Long.bitCount(x1 & q[13])
                + Long.bitCount(x2 & q[14]) + Long.bitCount(x3 & q[15])
                + Long.bitCount(x4 & q[16]) + Long.bitCount(x5 & q[17]);
        long c3 = Long.bitCount(x0 & q[18]) + Long.bitCount(x1 & q[19])
                + Long.bitCount(x2 & q[20]) + Long.bitCount(x3 & q[21])
                + Long.bitCount(x4 & q[22]) + Long.bitCount(x5 & q[23]);
        long ones = Long.bitCount(x0) + Long.bitCount(x1) + Long.bitCount(x2)
                + Long.bitCount(x3) + Long.bitCount(x4) + Long.bitCount(x5);
        return ((c0 + (c1 << 1) + (c2 << 2) + (c3 << 3)) << 32) | ones;
    }

    /** The half-width of the confidence interval of {@link #estimate} for that vector. */
    public float bound(float[] factors, int factorOffset) {
        return factors[factorOffset + 2] * boundScale;
    }

    /** The offset at {@code position} of the stream; positions are asked for in order. */
    private float uniform(long position) {
        if (position < SHARED_UNIFORMS) {
            return UNIFORMS[(int) position];
        }
        if (position == SHARED_UNIFORMS) {
            random = STATE_AFTER_TABLE;
        }
        random = step(random);
        return toUniform(random);
    }

    /** xorshift64*: a fixed, allocation-free stream of rounding offsets in [0, 1). */
    private static long step(long state) {
        state ^= state >>> 12;
        state ^= state << 25;
        state ^= state >>> 27;
        return state;
    }

    private static float toUniform(long state) {
        return ((state * 0x2545F4914F6CDD1DL) >>> 40) * 0x1p-24f;
    }
}
