package dev.strata.index.wal;

import dev.strata.index.doc.AttributeType;
import dev.strata.index.doc.BinaryWriter;
import dev.strata.index.doc.DocId;
import dev.strata.index.doc.Document;
import dev.strata.index.doc.Schema;
import java.util.Map;

/**
 * Encodes one WAL batch (see {@link WalFormat}). Values must be canonical for the schema the
 * writer was given (as {@link Schema#admit} and {@link Schema#conform} produce them); the schema
 * supplies each attribute's type.
 *
 * <p>Not thread-safe; one writer encodes one batch.
 */
public final class WalWriter {

    private final Schema schema;
    private final BinaryWriter out = new BinaryWriter(4096);
    private int count;
    private boolean finished;

    public WalWriter(Schema schema) {
        this.schema = schema;
        out.i32(WalFormat.MAGIC).u16(WalFormat.VERSION).u16(0).i32(0);
    }

    public WalWriter add(WalOp op) {
        if (op instanceof WalOp.Upsert u) {
            return upsert(u.document());
        }
        if (op instanceof WalOp.Patch p) {
            return patch(p.id(), p.attributes());
        }
        return delete(op.id());
    }

    public WalWriter upsert(Document doc) {
        begin(WalFormat.OP_UPSERT, doc.id());
        float[] v = doc.vectorOrNull();
        out.i32(v == null ? 0 : v.length);
        if (v != null) {
            for (float f : v) {
                out.f32(f);
            }
        }
        attributes(doc.attributes());
        return this;
    }

    public WalWriter patch(DocId id, Map<String, Object> attributes) {
        begin(WalFormat.OP_PATCH, id);
        attributes(attributes);
        return this;
    }

    public WalWriter delete(DocId id) {
        begin(WalFormat.OP_DELETE, id);
        return this;
    }

    private void begin(int kind, DocId id) {
        if (finished) {
            throw new IllegalStateException("WAL batch already finished");
        }
        out.u8(kind);
        id.writeTo(out);
        count++;
    }

    private void attributes(Map<String, Object> attributes) {
        out.u16(attributes.size());
        for (Map.Entry<String, Object> e : attributes.entrySet()) {
            out.shortString(e.getKey());
            if (e.getValue() == null) {
                out.u8(WalFormat.NULL_TYPE);
                continue;
            }
            AttributeType type = schema.attribute(e.getKey())
                    .orElseThrow(() -> new IllegalArgumentException("attribute '" + e.getKey()
                            + "' is not in the schema the WAL writer was given"))
                    .type();
            out.u8(type.code());
            dev.strata.index.doc.Values.write(out, type, e.getValue());
        }
    }

    public int operationCount() {
        return count;
    }

    /** Completes the batch (count and checksum) and returns its bytes; the writer is then spent. */
    public byte[] finish() {
        if (finished) {
            throw new IllegalStateException("WAL batch already finished");
        }
        finished = true;
        out.i32At(8, count);
        out.i64(WalFormat.checksum(out.array(), 0, out.position()));
        return out.toByteArray();
    }
}
