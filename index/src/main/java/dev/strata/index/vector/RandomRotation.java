package dev.strata.index.vector;

import java.util.SplittableRandom;

/**
 * A seeded random orthogonal transform of {@code R^d}: a few rounds of random sign flips followed
 * by a normalised fast Walsh–Hadamard transform, applied alternately to the first and the last
 * {@code 2^⌊log2 d⌋} coordinates so that any dimension is covered without padding.
 *
 * <p>Every step is orthogonal, so the composition preserves inner products and norms exactly
 * (up to float rounding), and costs {@code O(d log d)} instead of the {@code O(d²)} of a dense
 * matrix. The same seed always gives the same transform, so it is stored as a seed only.
 */
public final class RandomRotation {

    private static final int STEPS = 4;

    private final int dimension;
    private final int block;
    /** Per step, {@code ±1/√block} for each coordinate of that step's block. */
    private final float[] signs;

    public RandomRotation(int dimension, long seed) {
        if (dimension < 1) {
            throw new IllegalArgumentException("dimension must be positive: " + dimension);
        }
        this.dimension = dimension;
        this.block = Integer.highestOneBit(dimension);
        this.signs = new float[STEPS * block];
        float scale = (float) (1.0 / Math.sqrt(block));
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < signs.length; i++) {
            signs[i] = random.nextBoolean() ? scale : -scale;
        }
    }

    public int dimension() {
        return dimension;
    }

    /** Writes the rotation of {@code in[inOffset, inOffset+d)} to {@code out[0, d)}. */
    public void rotate(float[] in, int inOffset, float[] out) {
        System.arraycopy(in, inOffset, out, 0, dimension);
        for (int step = 0; step < STEPS; step++) {
            int start = (step & 1) == 0 ? 0 : dimension - block;
            int signOffset = step * block;
            for (int i = 0; i < block; i++) {
                out[start + i] *= signs[signOffset + i];
            }
            walshHadamard(out, start, block);
        }
    }

    /** In-place unnormalised Walsh–Hadamard transform of {@code x[start, start+n)}, n a power of 2. */
    private static void walshHadamard(float[] x, int start, int n) {
        for (int h = 1; h < n; h <<= 1) {
            for (int i = start; i < start + n; i += h << 1) {
                for (int j = i; j < i + h; j++) {
                    float a = x[j];
                    float b = x[j + h];
                    x[j] = a + b;
                    x[j + h] = a - b;
                }
            }
        }
    }
}
