package dev.strata.index.wal;

import dev.strata.index.doc.AttributeType;
import dev.strata.index.doc.BinaryReader;
import dev.strata.index.doc.CorruptDataException;
import dev.strata.index.doc.DocId;
import dev.strata.index.doc.Document;
import dev.strata.index.doc.Values;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Decodes and verifies one WAL batch (see {@link WalFormat}). */
public final class WalReader {

    private WalReader() {}

    public static List<WalOp> read(byte[] bytes, String resource) {
        return read(ByteBuffer.wrap(bytes), resource);
    }

    /**
     * Returns the batch's operations in order, or throws {@link CorruptDataException} naming
     * {@code resource} if the bytes are truncated, corrupted or not a WAL batch.
     */
    public static List<WalOp> read(ByteBuffer bytes, String resource) {
        ByteBuffer buf = bytes.slice().order(ByteOrder.LITTLE_ENDIAN);
        int length = buf.remaining();
        if (length < WalFormat.HEADER_BYTES + WalFormat.CHECKSUM_BYTES) {
            throw new CorruptDataException(resource, "truncated WAL batch: " + length + " bytes");
        }
        if (buf.getInt(0) != WalFormat.MAGIC) {
            throw new CorruptDataException(resource, "not a WAL batch (bad magic)");
        }
        int version = buf.getShort(4) & 0xFFFF;
        if (version != WalFormat.VERSION) {
            throw new CorruptDataException(resource, "unsupported WAL format version " + version);
        }
        int flags = buf.getShort(6) & 0xFFFF;
        if (flags != 0) {
            throw new CorruptDataException(resource, "unknown WAL flags " + flags);
        }
        int body = length - WalFormat.CHECKSUM_BYTES;
        long expected = buf.getLong(body);
        long actual = WalFormat.checksum(buf, 0, body);
        if (expected != actual) {
            throw new CorruptDataException(resource, "WAL checksum mismatch (truncated or corrupted)");
        }
        BinaryReader in = new BinaryReader(buf.duplicate().position(8).limit(body), resource);
        int count = in.count(body, "operation count");
        List<WalOp> ops = new ArrayList<>(Math.min(count, 1 << 16));
        for (int i = 0; i < count; i++) {
            ops.add(readOp(in));
        }
        in.expectEnd();
        return ops;
    }

    private static WalOp readOp(BinaryReader in) {
        int at = in.position();
        int kind = in.u8();
        DocId id = DocId.readFrom(in);
        switch (kind) {
            case WalFormat.OP_UPSERT: {
                int dims = in.count(in.remaining() / 4, "vector length");
                float[] vector = null;
                if (dims > 0) {
                    vector = new float[dims];
                    for (int d = 0; d < dims; d++) {
                        vector[d] = in.f32();
                    }
                }
                return new WalOp.Upsert(new Document(id, vector, attributes(in, false)));
            }
            case WalFormat.OP_PATCH:
                return new WalOp.Patch(id, attributes(in, true));
            case WalFormat.OP_DELETE:
                return new WalOp.Delete(id);
            default:
                throw in.corrupt("unknown operation kind " + kind + " at offset " + at);
        }
    }

    private static Map<String, Object> attributes(BinaryReader in, boolean nullsAllowed) {
        int n = in.u16();
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String name = in.shortString();
            int at = in.position();
            int code = in.u8();
            Object value = null;
            if (code == WalFormat.NULL_TYPE) {
                if (!nullsAllowed) {
                    throw in.corrupt("null attribute in an upsert at offset " + at);
                }
            } else {
                AttributeType type = AttributeType.fromCode(code)
                        .orElseThrow(() -> in.corrupt("unknown type code " + code + " at offset " + at));
                value = Values.read(in, type);
            }
            if (out.containsKey(name)) {
                throw in.corrupt("attribute '" + name + "' repeated at offset " + at);
            }
            out.put(name, value);
        }
        return out;
    }
}
