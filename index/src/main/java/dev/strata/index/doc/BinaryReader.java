package dev.strata.index.doc;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A bounds-checked little-endian cursor over one encoded object; every malformed read raises a
 * {@link CorruptDataException} naming the resource and the offset.
 *
 * <p>Not thread-safe: one reader belongs to one decoding task.
 */
public final class BinaryReader {

    private final ByteBuffer buf;
    private final String resource;

    public BinaryReader(ByteBuffer buffer, String resource) {
        this.buf = buffer.slice().order(ByteOrder.LITTLE_ENDIAN);
        this.resource = resource;
    }

    public String resource() {
        return resource;
    }

    public int position() {
        return buf.position();
    }

    public int remaining() {
        return buf.remaining();
    }

    private void need(int n) {
        if (n < 0 || buf.remaining() < n) {
            throw corrupt("truncated: need " + n + " bytes at offset " + buf.position() + ", "
                    + buf.remaining() + " left");
        }
    }

    public int u8() {
        need(1);
        return buf.get() & 0xFF;
    }

    public int u16() {
        need(2);
        return buf.getShort() & 0xFFFF;
    }

    public int i32() {
        need(4);
        return buf.getInt();
    }

    /** A 32-bit count or length that must lie in {@code [0, max]}. */
    public int count(int max, String what) {
        int at = buf.position();
        int n = i32();
        if (n < 0 || n > max) {
            throw corrupt(what + " " + Integer.toUnsignedString(n) + " at offset " + at
                    + " out of range [0, " + max + "]");
        }
        return n;
    }

    public long i64() {
        need(8);
        return buf.getLong();
    }

    public float f32() {
        need(4);
        return buf.getFloat();
    }

    public double f64() {
        need(8);
        return buf.getDouble();
    }

    public byte[] bytes(int n) {
        need(n);
        byte[] out = new byte[n];
        buf.get(out);
        return out;
    }

    /** A view of the next {@code n} bytes (little-endian, read-only), advancing past them. */
    public ByteBuffer slice(int n) {
        need(n);
        ByteBuffer out = buf.slice().limit(n).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        buf.position(buf.position() + n);
        return out;
    }

    public int[] i32s(int n) {
        need(Math.multiplyExact(n, 4));
        int[] out = new int[n];
        buf.asIntBuffer().get(out);
        buf.position(buf.position() + n * 4);
        return out;
    }

    public long[] i64s(int n) {
        need(Math.multiplyExact(n, 8));
        long[] out = new long[n];
        buf.asLongBuffer().get(out);
        buf.position(buf.position() + n * 8);
        return out;
    }

    public String shortString() {
        return utf8(u16());
    }

    public String string() {
        return utf8(count(buf.remaining(), "string length"));
    }

    private String utf8(int n) {
        int at = buf.position();
        need(n);
        ByteBuffer view = buf.slice().limit(n);
        buf.position(at + n);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(view).toString();
        } catch (CharacterCodingException e) {
            throw new CorruptDataException(resource, "invalid UTF-8 at offset " + at, e);
        }
    }

    /** Fails unless every byte was consumed. */
    public void expectEnd() {
        if (buf.hasRemaining()) {
            throw corrupt(buf.remaining() + " unexpected trailing bytes at offset " + buf.position());
        }
    }

    public CorruptDataException corrupt(String detail) {
        return new CorruptDataException(resource, detail);
    }
}
