package dev.strata.index.vector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fast paths of {@link QuantizedQuery} (fused residual quantization, word-major block
 * scoring) against a reference written out dimension by dimension from the definitions. Both compute
 * the same integers and then the same float operations in the same order, so the estimates and
 * bounds must be bit-for-bit identical, not merely close.
 */
class QuantizedQueryTest {

    @ParameterizedTest
    @CsvSource({"1, 384", "1, 321", "1, 500", "1, 100", "1, 64", "1, 7", "2, 384", "4, 130",
            "8, 33"})
    void blockScoringMatchesTheReferenceBitForBit(int bits, int dimension) {
        SplittableRandom random = new SplittableRandom(bits * 7919L + dimension);
        RaBitQuantizer quantizer = new RaBitQuantizer(dimension, bits);
        CodeBlock block = encodedBlock(quantizer, random, 97);
        int partitions = 5;
        float[] rotatedQuery = VectorUtilTest.randomVector(random, dimension);
        float[] centroids = new float[partitions * dimension];
        for (int i = 0; i < centroids.length; i++) {
            centroids[i] = (float) (random.nextDouble() - 0.5) * 0.2f;
        }

        QuantizedQuery fused = quantizer.newQuery();
        QuantizedQuery materialised = quantizer.newQuery();
        Reference reference = new Reference(quantizer);
        float[] residual = new float[dimension];
        float[] estimates = new float[block.size() + 3];
        float[] bounds = new float[block.size() + 3];
        float[] materialisedEstimates = new float[block.size()];
        // Several partitions in a row: the rounding stream carries over from one to the next.
        for (int p = 0; p < partitions; p++) {
            for (int i = 0; i < dimension; i++) {
                residual[i] = rotatedQuery[i] - centroids[p * dimension + i];
            }
            fused.prepare(rotatedQuery, centroids, p * dimension);
            materialised.prepare(residual);
            reference.prepare(residual);
            assertEquals(reference.norm2, fused.norm2());
            fused.estimateBlock(block, estimates, bounds);
            materialised.estimateBlock(block, materialisedEstimates, new float[block.size()]);
            // Both ways of summing the inner products, whichever this processor uses.
            float[] wordByWord = new float[block.size()];
            float[] codeByCode = new float[block.size()];
            fused.estimateBlock(block, wordByWord, new float[block.size()], true);
            fused.estimateBlock(block, codeByCode, new float[block.size()], false);
            for (int c = 0; c < block.size(); c++) {
                String where = "partition " + p + ", code " + c;
                assertEquals(reference.estimate(block, c), estimates[c], 0f, where);
                assertEquals(reference.bound(block, c), bounds[c], 0f, where);
                assertEquals(estimates[c], materialisedEstimates[c], 0f, where);
                assertEquals(estimates[c], wordByWord[c], 0f, where);
                assertEquals(estimates[c], codeByCode[c], 0f, where);
            }
        }
    }

    /**
     * Past the shared table of rounding offsets the stream continues from the generator; the
     * crossing falls inside a partition for 100 dimensions and between two for 128.
     */
    @ParameterizedTest
    @CsvSource({"1, 100", "1, 128", "2, 100"})
    void roundingStreamContinuesPastTheSharedTable(int bits, int dimension) {
        SplittableRandom random = new SplittableRandom(dimension);
        RaBitQuantizer quantizer = new RaBitQuantizer(dimension, bits);
        CodeBlock block = encodedBlock(quantizer, random, 4);
        float[] rotatedQuery = VectorUtilTest.randomVector(random, dimension);
        float[] centroid = VectorUtilTest.randomVector(random, dimension);
        QuantizedQuery query = quantizer.newQuery();
        Reference reference = new Reference(quantizer);
        float[] residual = new float[dimension];
        for (int i = 0; i < dimension; i++) {
            residual[i] = rotatedQuery[i] - centroid[i];
        }
        float[] estimates = new float[block.size()];
        int prepares = QuantizedQuery.SHARED_UNIFORMS / dimension + 3;
        for (int p = 0; p < prepares; p++) {
            query.prepare(rotatedQuery, centroid, 0);
            reference.prepare(residual);
            query.estimateBlock(block, estimates, new float[block.size()]);
            for (int c = 0; c < block.size(); c++) {
                assertEquals(reference.estimate(block, c), estimates[c], 0f, "prepare " + p);
            }
        }
    }

    /** The comparison above is sharp: one flipped code bit changes that code's estimate. */
    @ParameterizedTest
    @CsvSource({"1, 384", "2, 100"})
    void aSingleFlippedCodeBitIsDetected(int bits, int dimension) {
        SplittableRandom random = new SplittableRandom(5);
        RaBitQuantizer quantizer = new RaBitQuantizer(dimension, bits);
        CodeBlock block = encodedBlock(quantizer, random, 3);
        float[] residual = VectorUtilTest.randomVector(random, dimension);
        QuantizedQuery query = quantizer.newQuery();
        query.prepare(residual);
        // The last word of a plane too: the code-by-code path pairs words into longs.
        for (int row : new int[] {0, quantizer.words() - 1}) {
            for (boolean wordByWord : new boolean[] {true, false}) {
                float[] before = new float[3];
                query.estimateBlock(block, before, new float[3], wordByWord);
                block.words[row][1] ^= 1 << 3;
                float[] after = new float[3];
                query.estimateBlock(block, after, new float[3], wordByWord);
                block.words[row][1] ^= 1 << 3;
                String where = "row " + row + (wordByWord ? ", word by word" : ", code by code");
                assertEquals(before[0], after[0], where);
                assertFalse(before[1] == after[1], "a different code must give a different estimate: "
                        + where);
                assertEquals(before[2], after[2], where);
            }
        }
    }

    @Test
    void blockScoringChecksItsOutputsAndRanges() {
        RaBitQuantizer quantizer = new RaBitQuantizer(384, 1);
        QuantizedQuery query = quantizer.newQuery();
        query.prepare(new float[384]);
        CodeBlock block = quantizer.newBlock(4);
        assertThrows(IndexOutOfBoundsException.class,
                () -> query.estimateBlock(block, new float[3], new float[4]));
        assertThrows(IllegalArgumentException.class,
                () -> query.estimateBlock(new RaBitQuantizer(384, 2).newBlock(4), new float[4],
                        new float[4]));
        // Blocks of an equal quantizer (the same segment opened again) are scored.
        query.estimateBlock(new RaBitQuantizer(384, 1).newBlock(4), new float[4], new float[4]);
        assertThrows(IndexOutOfBoundsException.class,
                () -> query.prepare(new float[384], new float[384], 1));
        float[] estimates = new float[4];
        query.estimateBlock(block, estimates, new float[4]);
        assertArrayEquals(new float[4], estimates); // all-zero factors: ‖p‖² = 0
    }

    /** A block read back from its serialized form scores exactly as the block written. */
    @ParameterizedTest
    @CsvSource({"1, 384", "2, 100", "3, 7"})
    void serializedBlockRoundTrips(int bits, int dimension) {
        SplittableRandom random = new SplittableRandom(17);
        RaBitQuantizer quantizer = new RaBitQuantizer(dimension, bits);
        CodeBlock written = encodedBlock(quantizer, random, 13);
        ByteBuffer bytes = ByteBuffer.allocate(13 * quantizer.bytesPerVector() + 5);
        bytes.position(2);
        written.write(bytes);
        assertEquals(2 + 13 * quantizer.bytesPerVector(), bytes.position());
        CodeBlock read = quantizer.newBlock(20);
        read.read(bytes.flip().position(2), 13);
        assertEquals(13, read.size());
        for (int row = 0; row < quantizer.codeWords(); row++) {
            assertArrayEquals(Arrays.copyOf(written.words[row], 13),
                    Arrays.copyOf(read.words[row], 13));
        }
        for (int f = 0; f < RaBitQuantizer.FACTORS; f++) {
            assertArrayEquals(written.factors[f], Arrays.copyOf(read.factors[f], 13));
        }
        assertThrows(IllegalArgumentException.class,
                () -> read.read(bytes.position(3), 13)); // one byte short
        assertThrows(IllegalArgumentException.class, () -> read.read(bytes, 21));
    }

    static CodeBlock encodedBlock(RaBitQuantizer quantizer, SplittableRandom random, int n) {
        CodeBlock block = quantizer.newBlock(n);
        RaBitQuantizer.Encoder encoder = quantizer.newEncoder();
        for (int c = 0; c < n; c++) {
            encoder.encode(VectorUtilTest.randomVector(random, quantizer.dimension()), block, c);
        }
        return block;
    }

    /**
     * The quantized query and estimator from their definitions: each dimension's level and each
     * code's integer value are handled one at a time, with no bit planes on the query side.
     */
    private static final class Reference {
        private final int dimension;
        private final int codeBits;
        private final int queryBits;
        private final int words;
        private final float boundPerNorm;
        private final int[] level;
        private long random = 0x9E3779B97F4A7C15L;
        private float delta;
        private float low;
        private float sum;
        private float norm2;
        private float boundScale;

        Reference(RaBitQuantizer quantizer) {
            this.dimension = quantizer.dimension();
            this.codeBits = quantizer.bits();
            this.queryBits = quantizer.queryBits();
            this.words = quantizer.words();
            this.boundPerNorm = (float) (2 * RaBitQuantizer.EPSILON0
                    / Math.sqrt(Math.max(1, dimension - 1)));
            this.level = new int[dimension];
        }

        void prepare(float[] residual) {
            // The residual's range and sums come from the kernel under test in both; how it
            // sums is checked against double precision in VectorUtilTest.
            float[] stats = new float[4];
            VectorUtil.residualStats(residual, new float[dimension], 0, dimension, stats);
            float lo = stats[0];
            float hi = stats[1];
            int maxLevel = (1 << queryBits) - 1;
            float step = (hi - lo) / maxLevel;
            Arrays.fill(level, 0);
            if (step > 0) {
                float inverse = 1f / step;
                for (int i = 0; i < dimension; i++) {
                    // Randomized rounding: round half to even of x + u − ½, u uniform in [0, 1).
                    level[i] = Math.min(maxLevel, (int) Math.rint(
                            (residual[i] - lo) * inverse + nextUniform() - 0.5f));
                }
            }
            delta = Math.max(step, 0f);
            low = lo;
            sum = stats[2];
            norm2 = stats[3];
            boundScale = (float) Math.sqrt(norm2) * boundPerNorm;
        }

        float estimate(CodeBlock block, int c) {
            long ip = 0;
            long codeSum = 0;
            for (int i = 0; i < dimension; i++) {
                int u = 0;
                for (int b = 0; b < codeBits; b++) {
                    int word = block.words[b * words + (i >>> 5)][c];
                    u |= ((word >>> (i & 31)) & 1) << b;
                }
                ip += (long) u * level[i];
                codeSum += u;
            }
            assertEquals(codeSum, block.factors[RaBitQuantizer.CODE_SUM][c], "stored code sum");
            float centre = ((1 << codeBits) - 1) / 2f;
            float yq = delta * ip + low * codeSum - centre * sum;
            return block.factors[RaBitQuantizer.NORM2][c] + norm2
                    - 2f * block.factors[RaBitQuantizer.SCALE][c] * yq;
        }

        float bound(CodeBlock block, int c) {
            return block.factors[RaBitQuantizer.ERROR][c] * boundScale;
        }

        private float nextUniform() {
            random ^= random >>> 12;
            random ^= random << 25;
            random ^= random >>> 27;
            return ((random * 0x2545F4914F6CDD1DL) >>> 40) * 0x1p-24f;
        }
    }
}
