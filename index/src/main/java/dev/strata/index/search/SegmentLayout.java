package dev.strata.index.search;

import dev.strata.index.segment.SegmentDirectory;
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
}
