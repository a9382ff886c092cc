package dev.strata.index.search;

import dev.strata.index.io.ByteRange;
import dev.strata.index.segment.SectionInfo;
import dev.strata.index.segment.SegmentDirectory;
import dev.strata.index.segment.SegmentFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a reader needs to open a segment without first reading its directory: the directory as
 * the file holds it and the length of the vector index's metadata at the start of its section
 * (header, centroids and partition table; 0 when unknown or the segment has no vectors). Kept
 * outside the segment (in a manifest) and checked against the file when used, see
 * {@link Segment#open(String, dev.strata.index.io.RangeSource, SegmentLayout, java.util.concurrent.Executor)}.
 */
public record SegmentLayout(SegmentDirectory directory, long vectorsMetaLength) {

    public SegmentLayout {
        Objects.requireNonNull(directory, "directory");
        if (vectorsMetaLength < 0) {
            throw new IllegalArgumentException("negative vectors metadata length " + vectorsMetaLength);
        }
    }

    /**
     * The byte ranges {@link Segment#open(String, dev.strata.index.io.RangeSource, SegmentLayout,
     * java.util.concurrent.Executor)} reads from a segment of {@code segmentLength} bytes with
     * this layout: the header, the footer, and the vector index's metadata when its length is
     * known. Whoever holds these bytes (fetched ahead, beside a manifest) opens the segment
     * without a read of its own.
     */
    public List<ByteRange> openReads(long segmentLength) {
        List<ByteRange> reads = new ArrayList<>(3);
        reads.add(new ByteRange(0, SegmentFormat.HEADER_BYTES));
        reads.add(new ByteRange(segmentLength - SegmentFormat.FOOTER_BYTES, segmentLength));
        if (vectorsMetaLength > 0) {
            directory.sections().stream().filter(s -> s.name().equals(SegmentFormat.VECTORS)).findFirst()
                    .map(SectionInfo::offset)
                    .ifPresent(offset -> reads.add(ByteRange.ofLength(offset, vectorsMetaLength)));
        }
        return reads;
    }
}
