package dev.strata.bench.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Little-endian f32 and i32 matrices on disk, as the embedding step and ground truth write them. */
public final class VectorFiles {

    private VectorFiles() {}

    /** The first {@code rows} rows of a row-major f32 file of {@code dims} columns, flat. */
    public static float[] readFloats(Path file, int rows, int dims) {
        long bytes = 4L * rows * dims;
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            if (in.size() < bytes) {
                throw new IllegalStateException(file + " holds " + in.size() / (4L * dims) + " rows, " + rows
                        + " wanted: run EmbedCorpus first");
            }
            float[] out = new float[Math.toIntExact((long) rows * dims)];
            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 24).order(ByteOrder.LITTLE_ENDIAN);
            int filled = 0;
            while (filled < out.length) {
                buf.clear().limit((int) Math.min(buf.capacity(), 4L * (out.length - filled)));
                while (buf.hasRemaining()) {
                    if (in.read(buf) < 0) {
                        throw new IllegalStateException(file + " ended early");
                    }
                }
                buf.flip();
                int n = buf.remaining() / 4;
                buf.asFloatBuffer().get(out, filled, n);
                filled += n;
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static int[] readInts(Path file) {
        try {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
            int[] out = new int[b.remaining() / 4];
            b.asIntBuffer().get(out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void writeInts(Path file, int[] values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(values);
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, b.array());
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void writeFloats(Path file, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        try {
            Files.write(file, b.array());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
