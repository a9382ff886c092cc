package dev.strata.index.segment;

import dev.strata.index.doc.BinaryWriter;
import java.util.List;
import java.util.Objects;

/**
 * A segment's directory (see {@link SegmentFormat}): its row count and its sections in file
 * order. A reader gets it from the file, or from a copy kept elsewhere (a manifest) to open the
 * segment without reading the directory first; {@link #writeTo} gives the exact bytes the file
 * holds, so such a copy can be checked against the file's footer checksum.
 */
public record SegmentDirectory(int rowCount, List<SectionInfo> sections) {

    public SegmentDirectory {
        Objects.requireNonNull(sections, "sections");
        sections = List.copyOf(sections);
        if (rowCount < 0) {
            throw new IllegalArgumentException("negative row count " + rowCount);
        }
    }

    /** Appends the directory's bytes as a segment file holds them. */
    public void writeTo(BinaryWriter out) {
        out.i32(rowCount).i32(sections.size());
        for (SectionInfo s : sections) {
            out.shortString(s.name()).i64(s.offset()).i64(s.length()).i64(s.checksum());
        }
    }

    /** The directory's bytes as a segment file holds them. */
    public byte[] encode() {
        BinaryWriter out = new BinaryWriter(64 + sections.size() * 48);
        writeTo(out);
        return out.toByteArray();
    }
}
