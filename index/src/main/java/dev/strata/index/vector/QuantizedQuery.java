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
    static final int SHARED_UNIFORMS = 1 << 18;
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
    /** Plane {@code j} of the query levels: word {@code w} at {@code planes[j·words + w]}. */
    private final int[] planes;
    /** The query planes two words to a long, for scoring without vector population counts. */
    private final long[] planePairs;
    /** The missing high half of the last long of a plane of an odd number of words. */
    private int[] zeroWords = new int[0];
    /** Per-code integer inner products of the block being scored. */
    private int[] dots = new int[0];
    /** Rounding offsets of one residual once the stream is past the shared table. */
    private final float[] drawnRounding;
    /** The residual's minimum, maximum, sum and sum of squares. */
    private final float[] stats = new float[4];
    /** The zero centroid of {@link #prepare(float[])}, made on first use. */
    private float[] origin;
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
        this.planes = new int[queryBits * words];
        this.planePairs = new long[queryBits * ((words + 1) >>> 1)];
        this.drawnRounding = new float[dimension];
    }

    public RaBitQuantizer quantizer() {
        return quantizer;
    }

    /** Quantizes the rotated query residual {@code residual[0, d)}. */
    public void prepare(float[] residual) {
        if (origin == null) {
            origin = new float[dimension];
        }
        prepare(residual, origin, 0);
    }

    /**
     * Quantizes the rotated query residual {@code rotatedQuery[i] − rotatedCentroids[offset + i]}
     * for {@code i ∈ [0, d)} without materialising it: the rotation is linear, so the residual
     * of the rotated query is the rotated residual. Allocation-free and {@code O(d)}.
     */
    public void prepare(float[] rotatedQuery, float[] rotatedCentroids, int offset) {
        if (rotatedQuery.length < dimension || offset < 0
                || offset > rotatedCentroids.length - dimension) {
            throw new IndexOutOfBoundsException("query of " + rotatedQuery.length
                    + " and centroid at " + offset + " of " + rotatedCentroids.length);
        }
        VectorUtil.residualStats(rotatedQuery, rotatedCentroids, offset, dimension, stats);
        float lo = stats[0];
        float hi = stats[1];
        float n2 = stats[3];
        Arrays.fill(planes, 0);
        int maxLevel = (1 << queryBits) - 1;
        float step = (hi - lo) / maxLevel;
        if (step > 0) {
            // Dimension i uses offset (drawn + i) of the stream: the estimates depend on it.
            float[] rounding;
            int from;
            if (drawn + dimension <= SHARED_UNIFORMS) {
                rounding = UNIFORMS;
                from = (int) drawn;
            } else {
                rounding = drawnRounding;
                from = 0;
                for (int i = 0; i < dimension; i++) {
                    rounding[i] = uniform(drawn + i);
                }
            }
            VectorUtil.quantizeToPlanes(rotatedQuery, rotatedCentroids, offset, dimension, lo,
                    1f / step, rounding, from, maxLevel, queryBits, planes, words);
            drawn += dimension;
        }
        this.delta = Math.max(step, 0f);
        this.low = lo;
        this.sum = stats[2];
        this.norm2 = n2;
        this.boundScale = (float) Math.sqrt(n2) * boundPerNorm;
    }

    /** Makes room to score blocks of up to {@code codes} codes without allocating again. */
    public void reserve(int codes) {
        if (dots.length < codes) {
            dots = new int[codes];
        }
    }

    /** The squared norm of the prepared residual (its exact distance to the centroid). */
    public float norm2() {
        return norm2;
    }

    /**
     * Estimates the squared distance between the prepared query and each vector of
     * {@code block} into {@code estimates[0, n)}, and the half-width of each estimate's
     * confidence interval into {@code bounds[0, n)}, {@code n = block.size()}.
     *
     * <p>With code levels {@code u[i] = Σ_b 2^b·code_b[i]} and query levels
     * {@code q[i] = Σ_j 2^j·plane_j[i]}, the inner product is
     * {@code ⟨u,q⟩ = Σ_b Σ_j 2^(b+j)·popcount(code_b ∧ plane_j)}, summed over the words. Each
     * term is one loop over the block's codes for one code word, which the JIT vectorizes where
     * the processor has vector population counts (see {@link VectorUtil#VECTOR_POPCOUNT});
     * elsewhere the codes are scored one by one with scalar ones. The estimator's float
     * arithmetic then runs on the vector kernels.
     */
    public void estimateBlock(CodeBlock block, float[] estimates, float[] bounds) {
        estimateBlock(block, estimates, bounds, VectorUtil.VECTOR_POPCOUNT);
    }

    /** {@link #estimateBlock}, its inner products summed word by word or code by code. */
    void estimateBlock(CodeBlock block, float[] estimates, float[] bounds, boolean wordByWord) {
        if (!block.quantizer().equals(quantizer)) {
            throw new IllegalArgumentException("the block belongs to another quantizer");
        }
        int n = block.size();
        if (estimates.length < n || bounds.length < n) {
            throw new IndexOutOfBoundsException(n + " codes into " + estimates.length + " and "
                    + bounds.length + " outputs");
        }
        if (dots.length < n) {
            dots = new int[block.capacity()];
        }
        int[] dots = this.dots;
        if (wordByWord) {
            Arrays.fill(dots, 0, n, 0);
            for (int b = 0; b < codeBits; b++) {
                for (int w = 0; w < words; w++) {
                    int[] code = block.words[b * words + w];
                    if (queryBits == 4) {
                        addFourPlanes(code, n, planes[w], planes[words + w],
                                planes[2 * words + w], planes[3 * words + w], b, dots);
                    } else {
                        for (int j = 0; j < queryBits; j++) {
                            addPlane(code, n, planes[j * words + w], b + j, dots);
                        }
                    }
                }
            }
        } else {
            dotsCodeByCode(block.words, n, dots);
        }
        float[][] factors = block.factors;
        VectorUtil.rabitqEstimates(n, dots, factors[RaBitQuantizer.CODE_SUM],
                factors[RaBitQuantizer.NORM2], factors[RaBitQuantizer.SCALE], delta, low,
                centre * sum, norm2, estimates);
        float[] error = factors[RaBitQuantizer.ERROR];
        float boundScale = this.boundScale;
        for (int c = 0; c < n; c++) {
            bounds[c] = error[c] * boundScale;
        }
    }

    /**
     * {@code dots[c] += 2^shift · Σ_j 2^j·popcount(code[c] ∧ plane_j)} over four query planes:
     * the default shape, with one load of each code word for all four.
     */
    private static void addFourPlanes(int[] code, int n, int q0, int q1, int q2, int q3,
                                      int shift, int[] dots) {
        for (int c = 0; c < n; c++) {
            int x = code[c];
            dots[c] += (Integer.bitCount(x & q0) + (Integer.bitCount(x & q1) << 1)
                    + (Integer.bitCount(x & q2) << 2) + (Integer.bitCount(x & q3) << 3)) << shift;
        }
    }

    /**
     * The same inner products without vector population counts: two words at a time as one
     * long, so each 64 dimensions cost one scalar population count per query plane.
     */
    private void dotsCodeByCode(int[][] rows, int n, int[] dots) {
        int pairs = (words + 1) >>> 1;
        long[] query = planePairs;
        for (int j = 0; j < queryBits; j++) {
            for (int p = 0; p < pairs; p++) {
                query[j * pairs + p] = pair(planes, j * words, p, words);
            }
        }
        Arrays.fill(dots, 0, n, 0);
        if ((words & 1) == 1 && zeroWords.length < n) {
            zeroWords = new int[rows[0].length];
        }
        for (int b = 0; b < codeBits; b++) {
            for (int p = 0; p < pairs; p++) {
                int w = b * words + 2 * p;
                int[] low = rows[w];
                int[] high = 2 * p + 1 < words ? rows[w + 1] : zeroWords;
                if (queryBits == 4) {
                    addFourPlanes(low, high, n, query[p], query[pairs + p], query[2 * pairs + p],
                            query[3 * pairs + p], b, dots);
                } else {
                    for (int j = 0; j < queryBits; j++) {
                        addPlane(low, high, n, query[j * pairs + p], b + j, dots);
                    }
                }
            }
        }
    }

    /** {@link #addFourPlanes(int[], int, int, int, int, int, int, int[])} on two words as a long. */
    private static void addFourPlanes(int[] low, int[] high, int n, long q0, long q1, long q2,
                                      long q3, int shift, int[] dots) {
        for (int c = 0; c < n; c++) {
            long x = (long) high[c] << 32 | (low[c] & 0xffff_ffffL);
            dots[c] += (Long.bitCount(x & q0) + (Long.bitCount(x & q1) << 1)
                    + (Long.bitCount(x & q2) << 2) + (Long.bitCount(x & q3) << 3)) << shift;
        }
    }

    /** {@link #addPlane(int[], int, int, int, int[])} on two words as a long. */
    private static void addPlane(int[] low, int[] high, int n, long plane, int shift, int[] dots) {
        for (int c = 0; c < n; c++) {
            long x = (long) high[c] << 32 | (low[c] & 0xffff_ffffL);
            dots[c] += Long.bitCount(x & plane) << shift;
        }
    }

    /** Words {@code 2p} and {@code 2p + 1} of the plane at {@code from} as one long. */
    private static long pair(int[] plane, int from, int p, int words) {
        int w = 2 * p;
        long low = plane[from + w] & 0xffff_ffffL;
        return w + 1 < words ? (long) plane[from + w + 1] << 32 | low : low;
    }

    /** {@code dots[c] += 2^shift · popcount(code[c] ∧ plane)}. */
    private static void addPlane(int[] code, int n, int plane, int shift, int[] dots) {
        for (int c = 0; c < n; c++) {
            dots[c] += Integer.bitCount(code[c] & plane) << shift;
        }
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
