package dev.strata.index.io;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Asynchronous random access to the bytes of one immutable object (for example a segment file).
 *
 * <p>The index engine never assumes its bytes are in memory: it names the ranges it needs and
 * continues when they arrive. Implementations (the tiered reader in {@code tiering}, or an
 * in-memory array in tests) decide where the bytes come from. The returned future may complete
 * on an I/O thread; callers that go on to compute must hop to their compute executor.
 */
public interface RangeSource {

    /** The object's length in bytes. */
    long length();

    /**
     * Reads the given ranges. The future completes with one little-endian, read-only buffer per
     * requested range, in request order, each positioned at 0 with its limit at the range's
     * length; or exceptionally if any range lies outside the object or cannot be read.
     */
    CompletableFuture<List<ByteBuffer>> read(List<ByteRange> ranges);

    /** A source over a byte array held in memory (tests, freshly built segments). */
    static RangeSource of(byte[] bytes) {
        return new HeapRangeSource(bytes);
    }
}
