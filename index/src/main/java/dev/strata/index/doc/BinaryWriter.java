package dev.strata.index.doc;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable little-endian byte buffer that the binary formats encode into.
 *
 * <p>Not thread-safe: one writer belongs to one encoding task.
 */
public final class BinaryWriter {

    private ByteBuffer buf;

    public BinaryWriter() {
        this(256);
    }

    public BinaryWriter(int initialCapacity) {
        buf = ByteBuffer.allocate(Math.max(16, initialCapacity)).order(ByteOrder.LITTLE_ENDIAN);
    }

    private void ensure(int more) {
        if (buf.remaining() >= more) {
            return;
        }
        long needed = (long) buf.position() + more;
        long grown = Math.max(needed, (long) buf.capacity() * 2);
        int capacity = (int) Math.min(grown, Integer.MAX_VALUE - 8);
        if (capacity < needed) {
            throw new IllegalStateException("encoded object larger than one array: " + needed + " bytes");
        }
        ByteBuffer next = ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
        buf.flip();
        next.put(buf);
        buf = next;
    }

    public int position() {
        return buf.position();
    }

    public BinaryWriter u8(int value) {
        if (value < 0 || value > 0xFF) {
            throw new IllegalArgumentException("not an unsigned byte: " + value);
        }
        ensure(1);
        buf.put((byte) value);
        return this;
    }

    public BinaryWriter u16(int value) {
        if (value < 0 || value > 0xFFFF) {
            throw new IllegalArgumentException("not an unsigned 16-bit value: " + value);
        }
        ensure(2);
        buf.putShort((short) value);
        return this;
    }

    public BinaryWriter i32(int value) {
        ensure(4);
        buf.putInt(value);
        return this;
    }

    public BinaryWriter i64(long value) {
        ensure(8);
        buf.putLong(value);
        return this;
    }

    public BinaryWriter f32(float value) {
        ensure(4);
        buf.putFloat(value);
        return this;
    }

    public BinaryWriter f64(double value) {
        ensure(8);
        buf.putDouble(value);
        return this;
    }

    public BinaryWriter bytes(byte[] bytes) {
        return bytes(bytes, 0, bytes.length);
    }

    public BinaryWriter bytes(byte[] bytes, int offset, int length) {
        ensure(length);
        buf.put(bytes, offset, length);
        return this;
    }

    public BinaryWriter i32s(int[] values) {
        ensure(Math.multiplyExact(values.length, 4));
        buf.asIntBuffer().put(values);
        buf.position(buf.position() + values.length * 4);
        return this;
    }

    public BinaryWriter i64s(long[] values) {
        ensure(Math.multiplyExact(values.length, 8));
        buf.asLongBuffer().put(values);
        buf.position(buf.position() + values.length * 8);
        return this;
    }

    /** A string as a u16 byte length followed by its UTF-8 bytes (names, short keys). */
    public BinaryWriter shortString(String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        u16(utf8.length);
        return bytes(utf8);
    }

    /** A string as a u32 byte length followed by its UTF-8 bytes (attribute values). */
    public BinaryWriter string(String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        i32(utf8.length);
        return bytes(utf8);
    }

    /** Overwrites four bytes at an earlier position (for counts known only at the end). */
    public void i32At(int position, int value) {
        buf.putInt(position, value);
    }

    /** The backing array; valid bytes are {@code [0, position())}. No copy. */
    public byte[] array() {
        return buf.array();
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf.array(), buf.position());
    }
}
