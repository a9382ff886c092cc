package dev.strata.index.doc;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * A document identifier: an unsigned 64-bit integer, a UUID, or a string of at most
 * {@value #MAX_STRING_BYTES} UTF-8 bytes.
 *
 * <p>Ids are totally ordered: all u64 ids (unsigned order) before all UUIDs (unsigned 128-bit
 * order) before all strings (UTF-8 byte order, which equals code point order). Binary encoding:
 * a kind byte ({@code 1} u64, {@code 2} uuid, {@code 3} string) followed by eight little-endian
 * bytes, or the most and least significant halves as two little-endian longs, or a one-byte
 * length and the UTF-8 bytes.
 */
public sealed interface DocId extends Comparable<DocId> {

    int MAX_STRING_BYTES = 64;

    /** An unsigned 64-bit id; {@code value} holds the unsigned bits. */
    record U64(long value) implements DocId {
        @Override
        public int kind() {
            return 1;
        }

        @Override
        public Object toJson() {
            return value >= 0 ? (Object) value : new BigInteger(Long.toUnsignedString(value));
        }

        @Override
        public String toString() {
            return Long.toUnsignedString(value);
        }
    }

    /** A UUID id. */
    record Uuid(UUID value) implements DocId {
        public Uuid {
            if (value == null) {
                throw new IllegalArgumentException("null UUID id");
            }
        }

        @Override
        public int kind() {
            return 2;
        }

        @Override
        public Object toJson() {
            return value.toString();
        }

        @Override
        public String toString() {
            return value.toString();
        }
    }

    /** A string id of 1 to {@value #MAX_STRING_BYTES} UTF-8 bytes. */
    record Str(String value) implements DocId {
        public Str {
            if (value == null || value.isEmpty()) {
                throw new IllegalArgumentException("empty string id");
            }
            int bytes = value.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > MAX_STRING_BYTES) {
                throw new IllegalArgumentException("string id longer than " + MAX_STRING_BYTES
                        + " UTF-8 bytes (" + bytes + "): " + value);
            }
        }

        @Override
        public int kind() {
            return 3;
        }

        @Override
        public Object toJson() {
            return value;
        }

        @Override
        public String toString() {
            return value;
        }
    }

    /** The kind byte of the binary encoding; also the first ordering key. */
    int kind();

    /** The id as a JSON library would take it: Long (or BigInteger above 2^63-1) or String. */
    Object toJson();

    static DocId of(long unsignedValue) {
        return new U64(unsignedValue);
    }

    static DocId of(UUID value) {
        return new Uuid(value);
    }

    static DocId of(String value) {
        return new Str(value);
    }

    /**
     * Reads an id as a JSON library yields it: a non-negative integral number (u64), a
     * {@link UUID}, or a string. Strings stay string ids; callers that know the namespace's ids are
     * UUIDs convert with {@link #of(UUID)}.
     */
    static DocId fromJson(Object value) {
        if (value instanceof String s) {
            return of(s);
        }
        if (value instanceof UUID u) {
            return of(u);
        }
        if (value instanceof DocId d) {
            return d;
        }
        if (value instanceof Number n) {
            BigInteger big = Values.integral(n);
            if (big == null || big.signum() < 0 || big.bitLength() > 64) {
                throw new IllegalArgumentException("id must be an unsigned 64-bit integer, a UUID or a"
                        + " string; got " + value);
            }
            return of(big.longValue());
        }
        throw new IllegalArgumentException("id must be an unsigned 64-bit integer, a UUID or a string; got "
                + (value == null ? "null" : value.getClass().getSimpleName() + " " + value));
    }

    default void writeTo(BinaryWriter out) {
        out.u8(kind());
        if (this instanceof U64 u) {
            out.i64(u.value());
        } else if (this instanceof Uuid u) {
            out.i64(u.value().getMostSignificantBits()).i64(u.value().getLeastSignificantBits());
        } else {
            byte[] utf8 = ((Str) this).value().getBytes(StandardCharsets.UTF_8);
            out.u8(utf8.length).bytes(utf8);
        }
    }

    /** The id as {@link #writeTo} encodes it, alone: at most {@value #MAX_STRING_BYTES} + 2 bytes. */
    default byte[] encoded() {
        BinaryWriter out = new BinaryWriter(MAX_STRING_BYTES + 2);
        writeTo(out);
        return out.toByteArray();
    }

    /** The id {@code bytes} encode alone (see {@link #encoded}); {@code resource} names them in errors. */
    static DocId decode(byte[] bytes, String resource) {
        BinaryReader in = new BinaryReader(ByteBuffer.wrap(bytes), resource);
        DocId id = readFrom(in);
        in.expectEnd();
        return id;
    }

    static DocId readFrom(BinaryReader in) {
        int at = in.position();
        int kind = in.u8();
        switch (kind) {
            case 1:
                return new U64(in.i64());
            case 2:
                return new Uuid(new UUID(in.i64(), in.i64()));
            case 3:
                int length = in.u8();
                if (length == 0 || length > MAX_STRING_BYTES) {
                    throw in.corrupt("string id length " + length + " at offset " + at);
                }
                String s = new String(in.bytes(length), StandardCharsets.UTF_8);
                if (s.getBytes(StandardCharsets.UTF_8).length != length) {
                    throw in.corrupt("invalid UTF-8 in string id at offset " + at);
                }
                return new Str(s);
            default:
                throw in.corrupt("unknown id kind " + kind + " at offset " + at);
        }
    }

    @Override
    default int compareTo(DocId other) {
        int c = Integer.compare(kind(), other.kind());
        if (c != 0) {
            return c;
        }
        if (this instanceof U64 a) {
            return Long.compareUnsigned(a.value(), ((U64) other).value());
        }
        if (this instanceof Uuid a) {
            return Values.compareUuids(a.value(), ((Uuid) other).value());
        }
        return Values.compareStrings(((Str) this).value(), ((Str) other).value());
    }
}
