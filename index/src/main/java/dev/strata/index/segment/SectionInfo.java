package dev.strata.index.segment;

import dev.strata.index.io.ByteRange;

/** One entry of a segment's section directory: where a named section lies and its checksum. */
public record SectionInfo(String name, long offset, long length, long checksum) {

    public SectionInfo {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("section without a name");
        }
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("section '" + name + "' at " + offset + " of length " + length);
        }
    }

    /** The section's bytes in the segment file. */
    public ByteRange range() {
        return ByteRange.ofLength(offset, length);
    }
}
