package dev.strata.index.vector;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one entry point for vector arithmetic in Strata: float distance kernels over flat
 * {@code float[]} storage, half-precision conversion, and the float part of the RaBitQ
 * estimator.
 *
 * <p>The float kernels run on a provider chosen once, when this class initialises: the Vector
 * API ({@code panama}) when the {@code jdk.incubator.vector} module is present and usable, else
 * plain Java ({@code scalar}). The system property {@value #PROVIDER_PROPERTY} forces one of
 * them; every fallback is logged with its reason. The provider sits in a {@code static final}
 * field so each kernel call site stays monomorphic and inlines.
 *
 * <p>The bit-plane inner products of RaBitQ live in {@link QuantizedQuery}, as plain loops of
 * {@link Integer#bitCount} that the JIT vectorizes itself: Java 17's Vector API has no
 * lane-wise bit count, but its conversions from int to float, which the estimator needs, the
 * JIT does not vectorize on its own.
 */
public final class VectorUtil {

    /** System property that forces a provider: {@code scalar} or {@code panama}. */
    public static final String PROVIDER_PROPERTY = "strata.vector.provider";

    private static final Logger LOG = LoggerFactory.getLogger(VectorUtil.class);
    private static final VectorKernels KERNELS = chooseKernels();

    /** System property that forces how RaBitQ codes are scored: {@code vector} or {@code scalar}. */
    public static final String POPCOUNT_PROPERTY = "strata.vector.popcount";

    /**
     * Whether {@link QuantizedQuery} scores a block of codes with loops of
     * {@link Integer#bitCount} that the JIT compiles to vector population counts. Java 17 does
     * so only with AVX-512 and its VPOPCNTDQ extension; without them those loops run one scalar
     * population count per 32 dimensions, half as fast as scoring code by code with 64-bit ones,
     * so the choice is made once, here, and logged.
     */
    static final boolean VECTOR_POPCOUNT = chooseVectorPopcount();

    private VectorUtil() {
    }

    /** The name of the provider in use: {@code scalar} or {@code panama}. */
    public static String providerName() {
        return KERNELS.name();
    }

    /** Dot product of two equally long vectors. */
    public static float dot(float[] a, float[] b) {
        checkSameLength(a, b);
        return KERNELS.dot(a, 0, b, 0, a.length);
    }

    /** Dot product of {@code a[aOffset, aOffset+length)} and {@code b[bOffset, bOffset+length)}. */
    public static float dot(float[] a, int aOffset, float[] b, int bOffset, int length) {
        checkRanges(a, aOffset, b, bOffset, length);
        return KERNELS.dot(a, aOffset, b, bOffset, length);
    }

    /** Squared Euclidean distance of two equally long vectors. */
    public static float squareDistance(float[] a, float[] b) {
        checkSameLength(a, b);
        return KERNELS.squareDistance(a, 0, b, 0, a.length);
    }

    /** Squared Euclidean distance of two ranges of flat storage. */
    public static float squareDistance(float[] a, int aOffset, float[] b, int bOffset, int length) {
        checkRanges(a, aOffset, b, bOffset, length);
        return KERNELS.squareDistance(a, aOffset, b, bOffset, length);
    }

    /**
     * Cosine similarity of two equally long vectors, in {@code [-1, 1]}; 0 when either vector is
     * all zeros (so its cosine distance is 1, never NaN).
     */
    public static float cosine(float[] a, float[] b) {
        checkSameLength(a, b);
        return KERNELS.cosine(a, 0, b, 0, a.length);
    }

    /** Cosine similarity of two ranges of flat storage; see {@link #cosine(float[], float[])}. */
    public static float cosine(float[] a, int aOffset, float[] b, int bOffset, int length) {
        checkRanges(a, aOffset, b, bOffset, length);
        return KERNELS.cosine(a, aOffset, b, bOffset, length);
    }

    /** Scales {@code v} in place to unit length and returns its original length (0 stays 0). */
    public static float normalize(float[] v) {
        float norm = (float) Math.sqrt(KERNELS.dot(v, 0, v, 0, v.length));
        if (norm > 0) {
            float inv = 1f / norm;
            for (int i = 0; i < v.length; i++) {
                v[i] *= inv;
            }
        }
        return norm;
    }

    // ---- half precision (IEEE 754 binary16) ---------------------------------------------------

    /**
     * Converts a float to the nearest binary16 value (ties to even), returned as its 16 bits.
     * Overflow gives infinity, tiny values become subnormals or signed zero, NaN stays NaN.
     */
    public static short floatToHalf(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int exponent = (bits >>> 23) & 0xff;
        int mantissa = bits & 0x7f_ffff;
        if (exponent == 0xff) {
            // Infinity keeps an empty mantissa; NaN keeps its top payload bits and is made quiet.
            return (short) (sign | 0x7c00 | (mantissa == 0 ? 0 : 0x200 | (mantissa >>> 13)));
        }
        int halfExponent = exponent - 127 + 15;
        if (halfExponent >= 0x1f) {
            return (short) (sign | 0x7c00);
        }
        if (halfExponent <= 0) {
            if (halfExponent < -10) {
                return (short) sign; // below half the smallest subnormal: rounds to zero
            }
            int significand = mantissa | 0x80_0000;
            int shift = 14 - halfExponent;
            return (short) (sign | roundShift(significand, shift));
        }
        // A carry out of the mantissa correctly bumps the exponent, up to infinity.
        return (short) (sign | roundShift((halfExponent << 23) | mantissa, 13));
    }

    /** Shifts right by {@code shift} bits, rounding to nearest with ties to even. */
    private static int roundShift(int value, int shift) {
        int kept = value >>> shift;
        int rest = value & ((1 << shift) - 1);
        int half = 1 << (shift - 1);
        if (rest > half || (rest == half && (kept & 1) != 0)) {
            kept++;
        }
        return kept;
    }

    /** Converts the 16 bits of a binary16 value to the float it represents exactly. */
    public static float halfToFloat(short half) {
        int h = half & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f80_0000 | (mantissa << 13));
        }
        if (exponent == 0) {
            float magnitude = mantissa * 0x1p-24f; // subnormal (or zero): exact in float
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    // ---- RaBitQ ---------------------------------------------------------------------------------

    /**
     * RaBitQ estimates of {@code n} codes from their integer inner products with a quantized
     * query (see {@link VectorKernels#rabitqEstimates} for the formula); the arrays must hold at
     * least {@code n} values.
     */
    static void rabitqEstimates(int n, int[] dots, float[] codeSums, float[] norm2s,
                                float[] scales, float delta, float low, float centreSum,
                                float queryNorm2, float[] out) {
        if (n < 0 || dots.length < n || codeSums.length < n || norm2s.length < n
                || scales.length < n || out.length < n) {
            throw new IndexOutOfBoundsException(n + " estimates from shorter arrays");
        }
        KERNELS.rabitqEstimates(n, dots, codeSums, norm2s, scales, delta, low, centreSum,
                queryNorm2, out);
    }

    /**
     * The first {@code c ∈ [from, n)} whose upper bound {@code estimates[c] + bounds[c]} is below
     * {@code threshold}, or {@code n}.
     */
    public static int firstUpperBelow(float[] estimates, float[] bounds, int from, int n,
                                      float threshold) {
        checkScan(estimates, bounds, from, n);
        return KERNELS.firstUpperBelow(estimates, bounds, from, n, threshold);
    }

    /**
     * The first {@code c ∈ [from, n)} whose lower bound {@code estimates[c] − bounds[c]} is at
     * most {@code threshold}, or {@code n}.
     */
    public static int firstLowerAtMost(float[] estimates, float[] bounds, int from, int n,
                                       float threshold) {
        checkScan(estimates, bounds, from, n);
        return KERNELS.firstLowerAtMost(estimates, bounds, from, n, threshold);
    }

    private static void checkScan(float[] estimates, float[] bounds, int from, int n) {
        if (from < 0 || from > n || estimates.length < n || bounds.length < n) {
            throw new IndexOutOfBoundsException("scan of [" + from + ", " + n + ") over "
                    + estimates.length + " estimates and " + bounds.length + " bounds");
        }
    }

    /** Minimum, maximum, sum and sum of squares of a residual (see {@link VectorKernels}). */
    static void residualStats(float[] query, float[] centroid, int offset, int d, float[] out) {
        if (query.length < d || offset < 0 || offset > centroid.length - d || out.length < 4) {
            throw new IndexOutOfBoundsException("residual of " + d + " dimensions out of range");
        }
        KERNELS.residualStats(query, centroid, offset, d, out);
    }

    /**
     * Quantizes a query residual into bit planes (see {@link VectorKernels#quantizeToPlanes});
     * the caller has checked the query and centroid ranges and zeroed the planes.
     */
    static void quantizeToPlanes(float[] query, float[] centroid, int offset, int d, float low,
                                 float inverse, float[] rounding, int from, int maxLevel,
                                 int queryBits, int[] planes, int words) {
        if (from < 0 || from > rounding.length - d || planes.length < queryBits * words
                || words < (d + 31) >>> 5) {
            throw new IndexOutOfBoundsException("rounding offsets or planes too short for " + d
                    + " dimensions");
        }
        KERNELS.quantizeToPlanes(query, centroid, offset, d, low, inverse, rounding, from,
                maxLevel, queryBits, planes, words);
    }

    // ---- shared helpers -----------------------------------------------------------------------

    /** Cosine from the three sums a provider accumulates; 0 when either norm is 0. */
    static float cosineOf(float ab, float aa, float bb) {
        double denominator = Math.sqrt((double) aa * bb);
        if (denominator == 0) {
            return 0f;
        }
        return (float) Math.max(-1.0, Math.min(1.0, ab / denominator));
    }

    private static void checkSameLength(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException(
                    "vector lengths differ: " + a.length + " != " + b.length);
        }
    }

    private static void checkRanges(float[] a, int aOffset, float[] b, int bOffset, int length) {
        // Explicit checks let the kernels' loops run without per-element bounds surprises.
        if (length < 0 || aOffset < 0 || bOffset < 0
                || aOffset > a.length - length || bOffset > b.length - length) {
            throw new IndexOutOfBoundsException("ranges [" + aOffset + ", +" + length + ") of "
                    + a.length + " and [" + bOffset + ", +" + length + ") of " + b.length);
        }
    }

    private static boolean chooseVectorPopcount() {
        String forced = System.getProperty(POPCOUNT_PROPERTY, "").trim().toLowerCase(Locale.ROOT);
        if (forced.equals("vector") || forced.equals("scalar")) {
            LOG.info("RaBitQ popcounts: {} (forced by -D{})", forced, POPCOUNT_PROPERTY);
            return forced.equals("vector");
        }
        if (!forced.isEmpty()) {
            LOG.warn("ignoring -D{}={}: expected vector or scalar", POPCOUNT_PROPERTY, forced);
        }
        String why = vectorPopcountMissing();
        if (why != null) {
            LOG.info("RaBitQ popcounts: scalar, because {}", why);
            return false;
        }
        LOG.info("RaBitQ popcounts: vector (AVX-512 VPOPCNTDQ)");
        return true;
    }

    /** Why the JIT cannot use vector population counts here, or null when it can. */
    private static String vectorPopcountMissing() {
        String avx;
        try {
            avx = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .getVMOption("UseAVX").getValue();
        } catch (RuntimeException | LinkageError e) {
            return "the JVM does not report its UseAVX level (" + e + ")";
        }
        if (!avx.equals("3")) {
            return "the JVM uses AVX level " + avx + ", not 3 (AVX-512)";
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("flags")) {
                    return Arrays.asList(line.split("\\s+")).contains("avx512_vpopcntdq") ? null
                            : "the processor lacks AVX-512 VPOPCNTDQ";
                }
            }
            return "/proc/cpuinfo lists no processor flags";
        } catch (IOException | RuntimeException e) {
            return "the processor's flags are unknown (" + e + ")";
        }
    }

    private static VectorKernels chooseKernels() {
        String forced = System.getProperty(PROVIDER_PROPERTY, "").trim().toLowerCase(Locale.ROOT);
        if (forced.equals("scalar")) {
            LOG.info("vector kernels: scalar (forced by -D{}=scalar)", PROVIDER_PROPERTY);
            return new ScalarKernels();
        }
        if (!forced.isEmpty() && !forced.equals("panama")) {
            LOG.warn("ignoring -D{}={}: expected scalar or panama", PROVIDER_PROPERTY, forced);
        }
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            LOG.warn("vector kernels: scalar, because module jdk.incubator.vector is not loaded"
                    + " (run with --add-modules=jdk.incubator.vector)");
            return new ScalarKernels();
        }
        try {
            VectorKernels panama = (VectorKernels) Class.forName(
                            "dev.strata.index.vector.PanamaKernels")
                    .getDeclaredConstructor().newInstance();
            LOG.info("vector kernels: panama");
            return panama;
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            LOG.warn("vector kernels: scalar, because the Vector API provider failed to start: {}",
                    cause.toString());
            return new ScalarKernels();
        }
    }
}
