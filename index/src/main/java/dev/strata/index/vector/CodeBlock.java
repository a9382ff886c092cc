package dev.strata.index.vector;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;

/**
 * The RaBitQ codes and factors of a run of vectors (one partition), laid out for scoring many
 * codes at once: word-major, one array per code word and one per factor, each indexed by the
 * code's position in the block.
 *
 * <p>Row {@code b·W + w} ({@code W =} {@link RaBitQuantizer#words()}) holds word {@code w} of
 * bit plane {@code b} of every code: dimension {@code i} is bit {@code i mod 32} of word
 * {@code ⌊i/32⌋}. Row-major arrays let the block kernel in {@link QuantizedQuery} run one
 * simple loop over the codes per word, which the JIT compiles to vector population counts;
 * codes laid out one after another would be scored one at a time.
 *
 * <p>The serialized form ({@link #read}, {@link #write}) is the rows in order, each {@code n}
 * little-endian int32, then the {@link RaBitQuantizer#FACTORS} factor rows, each {@code n}
 * little-endian float32: {@code n ×} {@link RaBitQuantizer#bytesPerVector()} bytes.
 *
 * <p>A block is filled once ({@link #read}, or by {@link RaBitQuantizer.Encoder}) and then only
 * read: searches share decoded blocks that a source keeps in memory, across threads, once it
 * has published them safely. Filling is not thread-safe.
 */
public final class CodeBlock {

    private final RaBitQuantizer quantizer;
    /** {@code words[row][c]}: word {@code row} of code {@code c}. */
    final int[][] words;
    /** {@code factors[f][c]}: factor {@code f} of code {@code c}. */
    final float[][] factors;
    private int size;

    CodeBlock(RaBitQuantizer quantizer, int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("negative capacity " + capacity);
        }
        this.quantizer = quantizer;
        this.words = new int[quantizer.codeWords()][capacity];
        this.factors = new float[RaBitQuantizer.FACTORS][capacity];
        this.size = capacity;
    }

    public RaBitQuantizer quantizer() {
        return quantizer;
    }

    /** The number of codes in the block. */
    public int size() {
        return size;
    }

    public int capacity() {
        return factors[0].length;
    }

    /** About the heap bytes the block holds: its arrays and their headers. */
    public long heapBytes() {
        return (long) (words.length + factors.length) * (16L + 4L * capacity()) + 64;
    }

    /**
     * Replaces the contents with {@code count} codes read from {@code in}'s remaining bytes,
     * which must be exactly their serialized form. Leaves {@code in}'s position unchanged.
     */
    public void read(ByteBuffer in, int count) {
        if (count < 0 || count > capacity()) {
            throw new IllegalArgumentException(count + " codes do not fit a block of "
                    + capacity());
        }
        long expected = (long) count * quantizer.bytesPerVector();
        if (in.remaining() != expected) {
            throw new IllegalArgumentException(count + " codes take " + expected
                    + " bytes, not " + in.remaining());
        }
        ByteBuffer block = in.slice().order(ByteOrder.LITTLE_ENDIAN);
        IntBuffer ints = block.asIntBuffer();
        for (int row = 0; row < words.length; row++) {
            ints.get(row * count, words[row], 0, count);
        }
        FloatBuffer floats = block.asFloatBuffer();
        int factorsFrom = words.length * count;
        for (int f = 0; f < factors.length; f++) {
            floats.get(factorsFrom + f * count, factors[f], 0, count);
        }
        size = count;
    }

    /** Writes the serialized form to {@code out} at its position, advancing it. */
    public void write(ByteBuffer out) {
        ByteBuffer block = out.slice().order(ByteOrder.LITTLE_ENDIAN);
        IntBuffer ints = block.asIntBuffer();
        for (int[] row : words) {
            ints.put(row, 0, size);
        }
        FloatBuffer floats = block.position(ints.position() * Integer.BYTES).asFloatBuffer();
        for (float[] factor : factors) {
            floats.put(factor, 0, size);
        }
        out.position(out.position() + block.position() + floats.position() * Float.BYTES);
    }
}
