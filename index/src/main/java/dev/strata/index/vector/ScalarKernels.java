package dev.strata.index.vector;

/** Plain Java kernels: the reference implementation and the fallback without the Vector API. */
final class ScalarKernels implements VectorKernels {

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public float dot(float[] a, int aOffset, float[] b, int bOffset, int length) {
        // Four independent accumulators break the add dependency chain so the loop pipelines.
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (int bound = length & ~3; i < bound; i += 4) {
            s0 += a[aOffset + i] * b[bOffset + i];
            s1 += a[aOffset + i + 1] * b[bOffset + i + 1];
            s2 += a[aOffset + i + 2] * b[bOffset + i + 2];
            s3 += a[aOffset + i + 3] * b[bOffset + i + 3];
        }
        for (; i < length; i++) {
            s0 += a[aOffset + i] * b[bOffset + i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    public float squareDistance(float[] a, int aOffset, float[] b, int bOffset, int length) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (int bound = length & ~3; i < bound; i += 4) {
            float d0 = a[aOffset + i] - b[bOffset + i];
            float d1 = a[aOffset + i + 1] - b[bOffset + i + 1];
            float d2 = a[aOffset + i + 2] - b[bOffset + i + 2];
            float d3 = a[aOffset + i + 3] - b[bOffset + i + 3];
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        for (; i < length; i++) {
            float d = a[aOffset + i] - b[bOffset + i];
            s0 += d * d;
        }
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    public float cosine(float[] a, int aOffset, float[] b, int bOffset, int length) {
        float ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < length; i++) {
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
        rabitqEstimates(0, n, dots, codeSums, norm2s, scales, delta, low, centreSum,
                queryNorm2, out);
    }

    /** {@link #rabitqEstimates} for the codes {@code [from, n)}; the vector provider's tail. */
    static void rabitqEstimates(int from, int n, int[] dots, float[] codeSums, float[] norm2s,
                                float[] scales, float delta, float low, float centreSum,
                                float queryNorm2, float[] out) {
        for (int c = from; c < n; c++) {
            float yq = delta * dots[c] + low * codeSums[c] - centreSum;
            out[c] = norm2s[c] + queryNorm2 - 2f * scales[c] * yq;
        }
    }

    @Override
    public int firstUpperBelow(float[] estimates, float[] bounds, int from, int n, float threshold) {
        int c = from;
        while (c < n && !(estimates[c] + bounds[c] < threshold)) {
            c++;
        }
        return c;
    }

    @Override
    public int firstLowerAtMost(float[] estimates, float[] bounds, int from, int n, float threshold) {
        int c = from;
        while (c < n && !(estimates[c] - bounds[c] <= threshold)) {
            c++;
        }
        return c;
    }

    @Override
    public void residualStats(float[] query, float[] centroid, int offset, int d, float[] out) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        double sum = 0;
        double squares = 0;
        for (int i = 0; i < d; i++) {
            float r = query[i] - centroid[offset + i];
            min = Math.min(min, r);
            max = Math.max(max, r);
            sum += r;
            squares += (double) r * r;
        }
        out[0] = min;
        out[1] = max;
        out[2] = (float) sum;
        out[3] = (float) squares;
    }

    @Override
    public void quantizeToPlanes(float[] query, float[] centroid, int offset, int d, float low,
                                 float inverse, float[] rounding, int from, int maxLevel,
                                 int queryBits, int[] planes, int words) {
        quantizeToPlanes(0, query, centroid, offset, d, low, inverse, rounding, from, maxLevel,
                queryBits, planes, words);
    }

    /** {@link #quantizeToPlanes} for the dimensions {@code [start, d)}; the vector provider's tail. */
    static void quantizeToPlanes(int start, float[] query, float[] centroid, int offset, int d,
                                 float low, float inverse, float[] rounding, int from,
                                 int maxLevel, int queryBits, int[] planes, int words) {
        for (int i = start; i < d; i++) {
            float r = query[i] - centroid[offset + i];
            float x = (r - low) * inverse + rounding[from + i] - 0.5f;
            int q = Math.min(maxLevel, (int) Math.rint(x));
            int bit = i & 31;
            for (int j = 0, at = i >>> 5; j < queryBits; j++, at += words) {
                planes[at] |= ((q >>> j) & 1) << bit;
            }
        }
    }
}
