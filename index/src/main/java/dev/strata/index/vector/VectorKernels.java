package dev.strata.index.vector;

/**
 * The float kernels one provider implements: dot product, squared Euclidean distance and cosine
 * similarity over ranges of flat {@code float[]} storage, and the RaBitQ estimator over a block
 * of codes.
 *
 * <p>{@link VectorUtil} holds exactly one instance in a {@code static final} field, so the JIT
 * sees a constant receiver of a known class and inlines the kernel at every call site.
 */
sealed interface VectorKernels permits ScalarKernels, PanamaKernels {

    /** A short name for logs and benchmarks ({@code scalar} or {@code panama}). */
    String name();

    float dot(float[] a, int aOffset, float[] b, int bOffset, int length);

    float squareDistance(float[] a, int aOffset, float[] b, int bOffset, int length);

    float cosine(float[] a, int aOffset, float[] b, int bOffset, int length);

    /**
     * For {@code c ∈ [0, n)}: {@code out[c] = norm2s[c] + queryNorm2 − 2·scales[c]·(delta·dots[c]
     * + low·codeSums[c] − centreSum)}, evaluated in exactly that order (no fused multiply-add),
     * so every provider gives the same floats.
     */
    void rabitqEstimates(int n, int[] dots, float[] codeSums, float[] norm2s, float[] scales,
                         float delta, float low, float centreSum, float queryNorm2, float[] out);

    /**
     * The first {@code c ∈ [from, n)} with {@code estimates[c] + bounds[c] < threshold} (an upper
     * bound that beats the threshold), or {@code n} if there is none.
     */
    int firstUpperBelow(float[] estimates, float[] bounds, int from, int n, float threshold);

    /**
     * The first {@code c ∈ [from, n)} with {@code estimates[c] − bounds[c] ≤ threshold} (a lower
     * bound the threshold does not exclude), or {@code n} if there is none.
     */
    int firstLowerAtMost(float[] estimates, float[] bounds, int from, int n, float threshold);

    /**
     * Of the residual {@code r[i] = query[i] − centroid[offset + i]}, {@code i ∈ [0, d)}: the
     * minimum into {@code out[0]}, the maximum into {@code out[1]}, {@code Σ r[i]} into
     * {@code out[2]} and {@code Σ r[i]²} into {@code out[3]}. The sums' rounding depends on
     * the provider.
     */
    void residualStats(float[] query, float[] centroid, int offset, int d, float[] out);

    /**
     * Quantizes the residual {@code r[i] = query[i] − centroid[offset + i]}, {@code i ∈ [0, d)},
     * to the levels {@code q[i] = min(maxLevel, rint((r[i] − low)·inverse + rounding[from + i]
     * − ½))}, each step in float and {@code rint} rounding half to even, and sets bit {@code j}
     * of {@code q[i]} at bit {@code i mod 32} of {@code planes[j·words + ⌊i/32⌋]}, for
     * {@code j < queryBits}. The planes must be zero and the levels before clamping
     * non-negative. With {@code rounding} uniform in {@code [0, 1)} this is randomized rounding
     * of {@code (r[i] − low)·inverse}.
     */
    void quantizeToPlanes(float[] query, float[] centroid, int offset, int d, float low,
                          float inverse, float[] rounding, int from, int maxLevel,
                          int queryBits, int[] planes, int words);
}
