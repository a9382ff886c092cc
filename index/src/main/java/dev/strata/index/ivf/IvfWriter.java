package dev.strata.index.ivf;

import dev.strata.index.io.ByteRange;
import dev.strata.index.vector.CodeBlock;
import dev.strata.index.vector.Metric;
import dev.strata.index.vector.RaBitQuantizer;
import dev.strata.index.vector.RandomRotation;
import dev.strata.index.vector.VectorUtil;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.Executor;
import java.util.zip.CRC32C;

/**
 * Builds an IVF vector section (layout in {@link IvfFormat}) from vectors held in memory:
 * k-means partitions, RaBitQ codes per partition, and the original vectors by ordinal.
 *
 * <p>{@link #build} does all the computing (in parallel on the given executor); the result knows
 * its exact size, the ordinal → input row permutation, and writes itself to a stream. It keeps a
 * reference to the caller's vector array, which must not change until writing is done.
 * {@link #withPayloads} gives each vector record a payload (a segment stores document ids).
 */
public final class IvfWriter {

    private final float[] vectors;
    private final int dimension;
    private final int count;
    private final IvfBuildParams params;
    private final float[] centroids;
    private final int[] partitionFirst;
    private final int[] ordinalToRow;
    private final byte[] codeBlocks;
    private final int[] codeCrc;
    private final int bytesPerCode;
    /** The payload of each input row, or null for none. */
    private final byte[][] payloadsByRow;
    private final int payloadSlot;

    private IvfWriter(float[] vectors, int dimension, IvfBuildParams params, float[] centroids,
                      int[] partitionFirst, int[] ordinalToRow, byte[] codeBlocks,
                      int[] codeCrc, int bytesPerCode, byte[][] payloadsByRow) {
        this.vectors = vectors;
        this.dimension = dimension;
        this.count = ordinalToRow.length;
        this.params = params;
        this.centroids = centroids;
        this.partitionFirst = partitionFirst;
        this.ordinalToRow = ordinalToRow;
        this.codeBlocks = codeBlocks;
        this.codeCrc = codeCrc;
        this.bytesPerCode = bytesPerCode;
        this.payloadsByRow = payloadsByRow;
        int longest = -1;
        if (payloadsByRow != null) {
            for (byte[] payload : payloadsByRow) {
                longest = Math.max(longest, payload.length);
            }
        }
        this.payloadSlot = longest + 1; // a length byte and the longest payload; 0 for none
    }

    /**
     * Builds a section over {@code vectors.length / dimension} vectors stored back to back.
     *
     * @throws IllegalArgumentException if the array is not a whole number of vectors or holds a
     *                                  non-finite value
     */
    public static IvfWriter build(float[] vectors, int dimension, IvfBuildParams params,
                                  Executor executor) {
        Objects.requireNonNull(vectors, "vectors");
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(executor, "executor");
        if (dimension < 1 || vectors.length % dimension != 0) {
            throw new IllegalArgumentException("vector array of length " + vectors.length
                    + " is not a whole number of " + dimension + "-dimensional vectors");
        }
        for (int i = 0; i < vectors.length; i++) {
            if (!Float.isFinite(vectors[i])) {
                throw new IllegalArgumentException("vector row " + i / dimension
                        + " has a non-finite value at dimension " + i % dimension);
            }
        }
        int n = vectors.length / dimension;
        int partitions = params.partitionsFor(n);
        boolean cosine = params.metric() == Metric.COSINE_DISTANCE;

        float[] centroids = n == 0 ? new float[0]
                : train(vectors, dimension, n, partitions, cosine, params, executor);
        int[] assignment = KMeans.assign(vectors, dimension, n, cosine, centroids, partitions,
                executor, params.parallelism());

        // Counting sort by partition: ordinals of a partition are contiguous, rows stay in order.
        int[] partitionFirst = new int[partitions + 1];
        for (int a : assignment) {
            partitionFirst[a + 1]++;
        }
        for (int p = 0; p < partitions; p++) {
            partitionFirst[p + 1] += partitionFirst[p];
        }
        int[] ordinalToRow = new int[n];
        int[] next = partitionFirst.clone();
        for (int row = 0; row < n; row++) {
            ordinalToRow[next[assignment[row]]++] = row;
        }

        RaBitQuantizer quantizer = new RaBitQuantizer(dimension, params.bits());
        RandomRotation rotation = new RandomRotation(dimension, params.seed());
        int bytesPerCode = quantizer.bytesPerVector();
        byte[] codeBlocks = new byte[ByteRange.toIntExact((long) n * bytesPerCode, "code blocks")];
        int[] codeCrc = new int[partitions];
        ParallelWork work = new ParallelWork(executor, params.parallelism());
        work.run(partitions, partitions, (chunk, from, to) -> {
            for (int p = from; p < to; p++) {
                codeCrc[p] = encodePartition(vectors, dimension, cosine, centroids, p,
                        partitionFirst, ordinalToRow, quantizer, rotation, codeBlocks);
            }
        });
        return new IvfWriter(vectors, dimension, params, centroids, partitionFirst, ordinalToRow,
                codeBlocks, codeCrc, bytesPerCode, null);
    }

    /**
     * This section with a payload in each vector record: {@code byRow.get(r)} for input row
     * {@code r}, at most {@value IvfFormat#MAX_PAYLOAD_BYTES} bytes. A search returns the payload
     * of each hit ({@link Hit#payloadOrNull()}) from the record it reads anyway.
     */
    public IvfWriter withPayloads(List<byte[]> byRow) {
        if (byRow.size() != count) {
            throw new IllegalArgumentException(byRow.size() + " payloads for " + count + " vectors");
        }
        byte[][] payloads = byRow.toArray(byte[][]::new);
        for (int row = 0; row < payloads.length; row++) {
            if (payloads[row].length > IvfFormat.MAX_PAYLOAD_BYTES) {
                throw new IllegalArgumentException("payload of row " + row + " has " + payloads[row].length
                        + " bytes; at most " + IvfFormat.MAX_PAYLOAD_BYTES + " fit a record");
            }
        }
        return new IvfWriter(vectors, dimension, params, centroids, partitionFirst, ordinalToRow,
                codeBlocks, codeCrc, bytesPerCode, payloads);
    }

    private static float[] train(float[] vectors, int dimension, int n, int partitions,
                                 boolean cosine, IvfBuildParams params, Executor executor) {
        int sampleCount = (int) Math.min(n, (long) partitions * params.samplePerPartition());
        float[] sample = sample(vectors, dimension, n, sampleCount, cosine, params.seed());
        return KMeans.train(sample, dimension, sampleCount, partitions, params.iterations(),
                params.seed() + 1, executor, params.parallelism());
    }

    /** Encodes one partition's block in place and returns its checksum. */
    private static int encodePartition(float[] vectors, int dimension, boolean cosine,
                                       float[] centroids, int p, int[] partitionFirst,
                                       int[] ordinalToRow, RaBitQuantizer quantizer,
                                       RandomRotation rotation, byte[] codeBlocks) {
        int first = partitionFirst[p];
        int n = partitionFirst[p + 1] - first;
        CodeBlock block = quantizer.newBlock(n);
        float[] rotatedCentroid = new float[dimension];
        rotation.rotate(centroids, p * dimension, rotatedCentroid);
        float[] vector = new float[dimension];
        float[] residual = new float[dimension];
        RaBitQuantizer.Encoder encoder = quantizer.newEncoder();
        for (int i = 0; i < n; i++) {
            System.arraycopy(vectors, ordinalToRow[first + i] * dimension, vector, 0, dimension);
            if (cosine) {
                VectorUtil.normalize(vector);
            }
            rotation.rotate(vector, 0, residual);
            for (int d = 0; d < dimension; d++) {
                residual[d] -= rotatedCentroid[d];
            }
            encoder.encode(residual, block, i);
        }
        int offset = first * quantizer.bytesPerVector();
        int length = n * quantizer.bytesPerVector();
        block.write(ByteBuffer.wrap(codeBlocks, offset, length));
        CRC32C crc = new CRC32C();
        crc.update(codeBlocks, offset, length);
        return (int) crc.getValue();
    }

    /** A seeded uniform sample of rows, copied back to back (unit length for cosine). */
    private static float[] sample(float[] vectors, int dimension, int n, int sampleCount,
                                  boolean normalize, long seed) {
        int[] rows = new int[n];
        for (int i = 0; i < n; i++) {
            rows[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed);
        float[] sample = new float[sampleCount * dimension];
        float[] scratch = new float[dimension];
        for (int i = 0; i < sampleCount; i++) {
            int j = i + random.nextInt(n - i); // partial Fisher–Yates shuffle
            int row = rows[j];
            rows[j] = rows[i];
            rows[i] = row;
            System.arraycopy(vectors, row * dimension, scratch, 0, dimension);
            if (normalize) {
                VectorUtil.normalize(scratch);
            }
            System.arraycopy(scratch, 0, sample, i * dimension, dimension);
        }
        return sample;
    }

    /** Number of vectors. */
    public int size() {
        return count;
    }

    public int partitions() {
        return partitionFirst.length - 1;
    }

    /** A copy of the permutation: element {@code o} is the input row stored at ordinal {@code o}. */
    public int[] ordinalToRow() {
        return ordinalToRow.clone();
    }

    /** The exact number of bytes {@link #writeTo} writes. */
    public long sizeInBytes() {
        return vectorsOffset() + (long) count
                * IvfFormat.vectorRecordBytes(dimension, params.encoding(), payloadSlot);
    }

    private long vectorsOffset() {
        return IvfFormat.metaLength(dimension, partitions()) + codeBlocks.length;
    }

    /** Writes the section, exactly {@link #sizeInBytes()} bytes. */
    public void writeTo(OutputStream out) throws IOException {
        int partitions = partitions();
        long metaLength = IvfFormat.metaLength(dimension, partitions);
        ByteBuffer meta = ByteBuffer.allocate(ByteRange.toIntExact(metaLength, "IVF meta"))
                .order(ByteOrder.LITTLE_ENDIAN);
        meta.putInt(IvfFormat.MAGIC).putInt(IvfFormat.VERSION)
                .put((byte) params.metric().code()).put((byte) params.encoding().code())
                .put((byte) params.bits())
                .put((byte) new RaBitQuantizer(dimension, params.bits()).queryBits())
                .putInt(dimension).putInt(count).putInt(partitions)
                .putLong(params.seed()).putLong(metaLength).putLong(vectorsOffset())
                .putLong(sizeInBytes()).putInt(payloadSlot);
        CRC32C crc = new CRC32C();
        crc.update(meta.array(), 0, IvfFormat.HEADER_CHECKED_BYTES);
        meta.putInt((int) crc.getValue());
        for (float c : centroids) {
            meta.putFloat(c);
        }
        for (int p = 0; p < partitions; p++) {
            meta.putInt(partitionFirst[p]).putInt(partitionFirst[p + 1] - partitionFirst[p])
                    .putLong(metaLength + (long) partitionFirst[p] * bytesPerCode)
                    .putInt(codeCrc[p]);
        }
        crc.reset();
        crc.update(meta.array(), IvfFormat.HEADER_BYTES, meta.position() - IvfFormat.HEADER_BYTES);
        meta.putInt((int) crc.getValue());
        out.write(meta.array(), 0, meta.position());
        out.write(codeBlocks);
        writeVectors(out);
    }

    private void writeVectors(OutputStream out) throws IOException {
        int recordBytes = IvfFormat.vectorRecordBytes(dimension, params.encoding(), payloadSlot);
        int perBuffer = Math.max(1, (1 << 16) / recordBytes);
        ByteBuffer buffer = ByteBuffer.allocate(perBuffer * recordBytes)
                .order(ByteOrder.LITTLE_ENDIAN);
        CRC32C crc = new CRC32C();
        boolean half = params.encoding() == VectorEncoding.F16;
        for (int ordinal = 0; ordinal < count; ordinal++) {
            if (buffer.remaining() < recordBytes) {
                out.write(buffer.array(), 0, buffer.position());
                buffer.clear();
            }
            int start = buffer.position();
            int base = ordinalToRow[ordinal] * dimension;
            for (int d = 0; d < dimension; d++) {
                if (half) {
                    buffer.putShort(VectorUtil.floatToHalf(vectors[base + d]));
                } else {
                    buffer.putFloat(vectors[base + d]);
                }
            }
            if (payloadsByRow != null) {
                byte[] payload = payloadsByRow[ordinalToRow[ordinal]];
                buffer.put((byte) payload.length).put(payload);
                for (int pad = payload.length + 1; pad < payloadSlot; pad++) {
                    buffer.put((byte) 0); // the buffer is reused: write the zeros
                }
            }
            crc.reset();
            crc.update(buffer.array(), start, buffer.position() - start);
            buffer.putInt((int) crc.getValue());
        }
        out.write(buffer.array(), 0, buffer.position());
    }

    /** The section as one array (for tests and small segments). */
    public byte[] toByteArray() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(
                ByteRange.toIntExact(sizeInBytes(), "IVF section"));
        try {
            writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array stream does not fail
        }
        return out.toByteArray();
    }
}
