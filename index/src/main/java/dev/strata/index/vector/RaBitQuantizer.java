package dev.strata.index.vector;

import java.util.Arrays;
import java.util.Objects;

/**
 * RaBitQ quantization of residual vectors (a vector minus its partition centroid, both already
 * rotated by a {@link RandomRotation}) into {@code bits} bits per dimension, with the
 * unbiased distance estimator and error bound of Gao &amp; Long (SIGMOD 2024) and, for more than
 * one bit, the codebook search of extended RaBitQ (Gao et al., SIGMOD 2025).
 *
 * <p><b>Code.</b> Let {@code o = r/‖r‖} be the unit rotated residual. The code is an integer
 * vector {@code u ∈ [0, 2^bits)^d}; its centred form {@code y = u − (2^bits − 1)/2} has entries
 * {@code ±(level + ½)} whose signs are those of {@code o}. With one bit this is just the sign
 * bits of {@code o}. With more bits the levels are the ones whose direction is closest to
 * {@code o} (largest {@code ⟨y,o⟩/‖y‖}), found exactly by sweeping the rescaling factor over its
 * critical values. Codes are {@code bits} bit planes of {@code ⌈d/32⌉} int words each, kept
 * in a {@link CodeBlock}.
 *
 * <p><b>Factors.</b> Four floats per vector: {@code ‖r‖²}, {@code ‖r‖/⟨y,o⟩},
 * {@code ‖r‖·√(1−⟨ō,o⟩²)/⟨ō,o⟩}, where {@code ō = y/‖y‖}, and the code sum {@code Σ u[i]},
 * which the estimator needs and which would otherwise cost a population count per word.
 *
 * <p><b>Estimator.</b> For a query residual {@code p} (same centroid, same rotation), the
 * estimator {@code ⟨o,p⟩ ≈ ⟨y,p⟩/⟨y,o⟩} is unbiased, and
 * {@code ‖r − p‖² = ‖r‖² + ‖p‖² − 2‖r‖⟨o,p⟩}. The query is quantized to {@code queryBits}
 * unsigned levels with randomized rounding (still unbiased), so {@code ⟨u,p⟩} becomes a
 * popcount inner product of bit planes. The error of
 * {@code ⟨o,p/‖p‖⟩} is below {@code √(1−⟨ō,o⟩²)/⟨ō,o⟩ · ε₀/√(d−1)}, {@code ε₀ =}
 * {@value #EPSILON0}, with probability about 0.94 (the estimator's error is close to normal
 * and ε₀ spans about 1.9 of its standard deviations); {@link QuantizedQuery#bound} turns that
 * into a bound on the distance. Search uses it to discard candidates, not as a guarantee.
 */
public final class RaBitQuantizer {

    /** The confidence parameter ε₀ of the error bound. */
    public static final float EPSILON0 = 1.9f;
    /** Floats of per-vector factors stored beside each code. */
    public static final int FACTORS = 4;
    /** The factor {@code ‖r‖²}. */
    static final int NORM2 = 0;
    /** The factor {@code ‖r‖/⟨y,o⟩} that scales the code's inner product with the query. */
    static final int SCALE = 1;
    /** The factor that scales the query's norm into the half-width of the error bound. */
    static final int ERROR = 2;
    /** The code sum {@code Σ u[i]}, an integer held exactly in a float. */
    static final int CODE_SUM = 3;
    /** The largest supported number of bits per dimension. */
    public static final int MAX_BITS = 8;

    private final int dimension;
    private final int bits;
    private final int queryBits;
    private final int words;

    public RaBitQuantizer(int dimension, int bits) {
        if (dimension < 1) {
            throw new IllegalArgumentException("dimension must be positive: " + dimension);
        }
        if (bits < 1 || bits > MAX_BITS) {
            throw new IllegalArgumentException(
                    "bits per dimension must be in [1, " + MAX_BITS + "]: " + bits);
        }
        this.dimension = dimension;
        this.bits = bits;
        // The paper's four query bits suit one code bit; finer codes get finer queries.
        this.queryBits = bits == 1 ? 4 : Math.min(8, bits + 4);
        // Inner products are summed in ints and code sums held in floats: both must be exact.
        long largestDot = (long) dimension * ((1 << bits) - 1) * ((1 << queryBits) - 1);
        if (largestDot > Integer.MAX_VALUE || (long) dimension * ((1 << bits) - 1) > 1 << 24) {
            throw new IllegalArgumentException(dimension + " dimensions at " + bits
                    + " bits per dimension overflow the estimator's integer sums");
        }
        this.words = (dimension + 31) >>> 5;
    }

    public int dimension() {
        return dimension;
    }

    public int bits() {
        return bits;
    }

    public int queryBits() {
        return queryBits;
    }

    /** Int words in one bit plane. */
    public int words() {
        return words;
    }

    /** Int words in one code. */
    public int codeWords() {
        return bits * words;
    }

    /** Bytes of one code and its factors. */
    public int bytesPerVector() {
        return codeWords() * Integer.BYTES + FACTORS * Float.BYTES;
    }

    /** Quantizers of one dimension and bit width encode and score alike. */
    @Override
    public boolean equals(Object o) {
        return o instanceof RaBitQuantizer other && other.dimension == dimension && other.bits == bits;
    }

    @Override
    public int hashCode() {
        return 31 * dimension + bits;
    }

    /** An empty block for up to {@code capacity} codes. */
    public CodeBlock newBlock(int capacity) {
        return new CodeBlock(this, capacity);
    }

    /** A new encoder; each thread needs its own, as it holds scratch space. */
    public Encoder newEncoder() {
        return new Encoder();
    }

    /** A new query holder; reuse it across the partitions of one query. */
    public QuantizedQuery newQuery() {
        return new QuantizedQuery(this);
    }

    /** Encodes rotated residuals; holds per-thread scratch space so encoding does not allocate. */
    public final class Encoder {
        private final double[] magnitude = new double[dimension];
        private final int[] level = new int[dimension];
        private final double[] heapKey = new double[dimension];
        private final int[] heapIndex = new int[dimension];

        private Encoder() {
        }

        /**
         * Encodes {@code residual[0, d)} as code {@code index} of {@code block}, replacing what
         * was there.
         */
        public void encode(float[] residual, CodeBlock block, int index) {
            Objects.checkIndex(index, block.size());
            int[][] rows = block.words;
            float[][] factors = block.factors;
            for (int[] row : rows) {
                row[index] = 0;
            }
            double norm2 = 0;
            for (int i = 0; i < dimension; i++) {
                norm2 += (double) residual[i] * residual[i];
            }
            if (norm2 == 0) {
                // The vector is its centroid: the estimate reduces to ‖p‖², which is exact.
                for (float[] factor : factors) {
                    factor[index] = 0f;
                }
                return;
            }
            double norm = Math.sqrt(norm2);
            for (int i = 0; i < dimension; i++) {
                magnitude[i] = Math.abs(residual[i]) / norm;
            }
            Arrays.fill(level, 0);
            int maxLevel = (1 << (bits - 1)) - 1;
            if (maxLevel > 0) {
                chooseLevels(maxLevel);
            }
            int half = 1 << (bits - 1);
            double centre = ((1 << bits) - 1) / 2.0;
            double yo = 0;
            double yy = 0;
            long codeSum = 0;
            for (int i = 0; i < dimension; i++) {
                int u = residual[i] >= 0 ? half + level[i] : half - 1 - level[i];
                double y = u - centre;
                yo += y * residual[i] / norm;
                yy += y * y;
                codeSum += u;
                int bit = 1 << (i & 31);
                for (int b = 0, row = i >>> 5; b < bits; b++, row += words) {
                    if (((u >>> b) & 1) != 0) {
                        rows[row][index] |= bit;
                    }
                }
            }
            double cosine = yo / Math.sqrt(yy);
            factors[NORM2][index] = (float) norm2;
            factors[SCALE][index] = (float) (norm / yo);
            factors[ERROR][index] =
                    (float) (norm * Math.sqrt(Math.max(0, 1 - cosine * cosine)) / cosine);
            factors[CODE_SUM][index] = codeSum;
        }

        /**
         * Picks the levels maximising {@code ⟨y,o⟩/‖y‖}: level {@code i} is
         * {@code min(⌊t·|o_i|⌋, maxLevel)} for the best rescaling factor {@code t}, and the
         * objective only changes where some level steps up, so one sweep over those critical
         * values (in increasing order, from a heap) finds the optimum; a replay rebuilds it.
         */
        private void chooseLevels(int maxLevel) {
            double numerator = 0;
            for (int i = 0; i < dimension; i++) {
                numerator += 0.5 * magnitude[i];
            }
            double denominator = 0.25 * dimension;
            double best = numerator / Math.sqrt(denominator);
            long bestSteps = 0;
            long steps = 0;
            int size = initHeap();
            while (size > 0) {
                int i = heapIndex[0];
                level[i]++;
                numerator += magnitude[i];
                denominator += 2.0 * level[i]; // (l+½)² − (l−½)² = 2l
                steps++;
                double value = numerator / Math.sqrt(denominator);
                if (value > best) {
                    best = value;
                    bestSteps = steps;
                }
                size = level[i] < maxLevel ? replaceTop(size, (level[i] + 1) / magnitude[i], i)
                        : removeTop(size);
            }
            Arrays.fill(level, 0);
            size = initHeap();
            for (long s = 0; s < bestSteps; s++) {
                int i = heapIndex[0];
                level[i]++;
                size = level[i] < maxLevel ? replaceTop(size, (level[i] + 1) / magnitude[i], i)
                        : removeTop(size);
            }
        }

        private int initHeap() {
            int size = 0;
            for (int i = 0; i < dimension; i++) {
                if (magnitude[i] > 0) {
                    heapKey[size] = 1 / magnitude[i];
                    heapIndex[size] = i;
                    size++;
                }
            }
            for (int n = size / 2 - 1; n >= 0; n--) {
                siftDown(n, size);
            }
            return size;
        }

        private int replaceTop(int size, double key, int index) {
            heapKey[0] = key;
            heapIndex[0] = index;
            siftDown(0, size);
            return size;
        }

        private int removeTop(int size) {
            size--;
            heapKey[0] = heapKey[size];
            heapIndex[0] = heapIndex[size];
            siftDown(0, size);
            return size;
        }

        private void siftDown(int node, int size) {
            double key = heapKey[node];
            int index = heapIndex[node];
            while (true) {
                int child = 2 * node + 1;
                if (child >= size) {
                    break;
                }
                if (child + 1 < size && less(child + 1, child)) {
                    child++;
                }
                if (heapKey[child] > key || (heapKey[child] == key && heapIndex[child] > index)) {
                    break;
                }
                heapKey[node] = heapKey[child];
                heapIndex[node] = heapIndex[child];
                node = child;
            }
            heapKey[node] = key;
            heapIndex[node] = index;
        }

        private boolean less(int a, int b) {
            return heapKey[a] < heapKey[b]
                    || (heapKey[a] == heapKey[b] && heapIndex[a] < heapIndex[b]);
        }
    }
}
