package dev.strata.index.segment;

import dev.strata.index.attr.AttributeColumn;
import dev.strata.index.attr.ColumnBuilder;
import dev.strata.index.attr.IdColumn;
import dev.strata.index.doc.BinaryWriter;
import dev.strata.index.doc.DocId;
import dev.strata.index.doc.Document;
import dev.strata.index.doc.Schema;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes one segment file (see {@link SegmentFormat}) from documents given in ordinal order.
 *
 * <p>Documents are stored in exactly the order they are added: the IVF builder renumbers them so
 * that each partition is contiguous and adds them in that order. Values must be canonical for
 * the writer's schema. The writer stores ids and attributes; vectors are not taken from the
 * documents but travel in opaque sections produced by the vector index (for example
 * {@link SegmentFormat#VECTORS}). Not thread-safe; one writer writes one segment.
 */
public final class SegmentWriter {

    private final Schema schema;
    private final Map<String, ColumnBuilder> columns = new LinkedHashMap<>();
    private final List<DocId> ids = new ArrayList<>();
    private final Map<String, byte[]> opaque = new LinkedHashMap<>();

    public SegmentWriter(Schema schema) {
        this.schema = schema;
        schema.attributes().forEach((name, a) -> columns.put(name, new ColumnBuilder(name, a.type(), a.filterable())));
    }

    /** Adds the next document; its ordinal is the number of documents added before it. */
    public SegmentWriter add(Document doc) {
        for (String name : doc.attributes().keySet()) {
            if (!columns.containsKey(name)) {
                throw new IllegalArgumentException("document " + doc.id() + " has attribute '" + name
                        + "', which is not in the segment's schema");
            }
        }
        ids.add(doc.id());
        columns.forEach((name, builder) -> builder.add(doc.attribute(name)));
        return this;
    }

    /**
     * Adds an opaque section, stored byte for byte (the vector index's data, for example). The
     * array is not copied (it may be large): do not modify it until the segment is written.
     */
    public SegmentWriter opaqueSection(String name, byte[] bytes) {
        if (name == null || name.isEmpty() || SegmentFormat.isReservedName(name)
                || name.getBytes(StandardCharsets.UTF_8).length > 0xFFFF) {
            throw new IllegalArgumentException("invalid or reserved section name: " + name);
        }
        if (opaque.putIfAbsent(name, bytes) != null) {
            throw new IllegalArgumentException("section '" + name + "' added twice");
        }
        return this;
    }

    public int rowCount() {
        return ids.size();
    }

    public byte[] toByteArray() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Writes the whole segment; returns the number of bytes written. */
    public long writeTo(OutputStream out) throws IOException {
        Sink sink = new Sink(out);
        BinaryWriter header = new BinaryWriter(SegmentFormat.HEADER_BYTES);
        header.i32(SegmentFormat.MAGIC).u16(SegmentFormat.VERSION).u16(0);
        sink.write(header.toByteArray(), 0, SegmentFormat.HEADER_BYTES);

        List<SectionInfo> sections = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : opaque.entrySet()) {
            sections.add(sink.section(e.getKey(), e.getValue(), e.getValue().length));
        }
        IdColumn idColumn = IdColumn.build(ids);
        BinaryWriter w = new BinaryWriter(ids.size() * 12 + 16);
        idColumn.writeIds(w);
        sections.add(sink.section(SegmentFormat.IDS, w.array(), w.position()));
        w = new BinaryWriter(ids.size() * 4 + 8);
        idColumn.writeIndex(w);
        sections.add(sink.section(SegmentFormat.ID_INDEX, w.array(), w.position()));
        for (Map.Entry<String, ColumnBuilder> e : columns.entrySet()) {
            AttributeColumn column = e.getValue().build();
            if (column.present().isEmpty()) {
                continue; // readers treat a missing column as all-null
            }
            sections.add(sink.section(SegmentFormat.ATTRIBUTE_PREFIX + e.getKey(), column::writeValues));
            if (column.hasPostings()) {
                sections.add(sink.section(SegmentFormat.POSTINGS_PREFIX + e.getKey(), column::writePostings));
            }
        }

        sink.pad();
        long directoryOffset = sink.position;
        BinaryWriter dir = new BinaryWriter(64 + sections.size() * 48);
        new SegmentDirectory(ids.size(), sections).writeTo(dir);
        int directoryLength = dir.position();
        dir.i64(directoryOffset).i64(directoryLength).u16(SegmentFormat.VERSION).u16(0);
        dir.i64(SegmentFormat.checksum(dir.array(), 0, dir.position()));
        dir.i32(SegmentFormat.MAGIC);
        sink.write(dir.array(), 0, dir.position());
        return sink.position;
    }

    /** Counts bytes, pads sections to the alignment and checksums them as they are written. */
    private static final class Sink {
        private final OutputStream out;
        private long position;

        Sink(OutputStream out) {
            this.out = out;
        }

        void write(byte[] bytes, int offset, int length) throws IOException {
            out.write(bytes, offset, length);
            position += length;
        }

        void pad() throws IOException {
            int padding = (int) ((SegmentFormat.ALIGNMENT - position % SegmentFormat.ALIGNMENT) % SegmentFormat.ALIGNMENT);
            write(new byte[padding], 0, padding);
        }

        SectionInfo section(String name, byte[] bytes, int length) throws IOException {
            pad();
            long offset = position;
            write(bytes, 0, length);
            return new SectionInfo(name, offset, length, SegmentFormat.checksum(bytes, 0, length));
        }

        SectionInfo section(String name, java.util.function.Consumer<BinaryWriter> encoder) throws IOException {
            BinaryWriter w = new BinaryWriter(4096);
            encoder.accept(w);
            return section(name, w.array(), w.position());
        }
    }
}
