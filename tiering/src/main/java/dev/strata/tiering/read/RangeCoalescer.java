package dev.strata.tiering.read;

import dev.strata.index.io.ByteRange;
import java.util.ArrayList;
import java.util.List;

/**
 * Merges the ranges one read needs from an object into fewer, larger requests: ranges closer
 * than the window are fetched as one, trading a few extra bytes for fewer round trips. With a
 * window of 0 only touching or overlapping ranges merge.
 */
public record RangeCoalescer(long window) {

    public RangeCoalescer {
        if (window < 0) {
            throw new IllegalArgumentException("coalescing window must not be negative: " + window);
        }
    }

    /**
     * The requests to issue for {@code ranges}, which must be sorted by start. Every input
     * range lies inside exactly one output range; outputs are sorted and disjoint.
     */
    public List<ByteRange> coalesce(List<ByteRange> ranges) {
        List<ByteRange> out = new ArrayList<>();
        long start = -1;
        long end = -1;
        for (ByteRange r : ranges) {
            if (r.start() < start) {
                throw new IllegalArgumentException("ranges must be sorted by start: " + ranges);
            }
            if (start >= 0 && r.start() - end <= window) {
                end = Math.max(end, r.end());
            } else {
                if (start >= 0) {
                    out.add(new ByteRange(start, end));
                }
                start = r.start();
                end = r.end();
            }
        }
        if (start >= 0) {
            out.add(new ByteRange(start, end));
        }
        return out;
    }
}
