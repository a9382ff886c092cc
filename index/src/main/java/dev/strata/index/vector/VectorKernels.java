package dev.strata.index.vector;

/**
 * The float kernels one provider implements: dot product, squared Euclidean distance and cosine
 * similarity over ranges of flat {@code float[]} storage.
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
}
