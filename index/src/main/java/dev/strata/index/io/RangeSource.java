package dev.strata.index.io;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

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

    /**
     * Reads the given ranges and decodes each with {@code decoder}, on {@code executor}. A source
     * with a memory tier may keep the decoded values and answer later calls for the same ranges
     * with them, without reading or decoding again: the bytes are immutable, so a decoded value
     * stays right for as long as the object exists. Fails like {@link #read}, or with whatever
     * {@code decode} throws (a value that fails to decode is never kept).
     */
    default <T> CompletableFuture<List<T>> readDecoded(List<ByteRange> ranges, Decoder<T> decoder,
                                                      Executor executor) {
        return read(ranges).thenApplyAsync(buffers -> decodeAll(buffers, decoder), executor);
    }

    /** Each buffer decoded by {@code decoder}, in order. */
    static <T> List<T> decodeAll(List<ByteBuffer> buffers, Decoder<T> decoder) {
        List<T> out = new ArrayList<>(buffers.size());
        for (int i = 0; i < buffers.size(); i++) {
            out.add(decoder.decode(i, buffers.get(i)));
        }
        return out;
    }

    /**
     * Turns the bytes of one range into a value worth keeping in their place, for example a
     * verified, scoring-ready block of codes.
     */
    interface Decoder<T> {

        /** The class of the values; a source keeps values per (range, type). */
        Class<T> type();

        /** Verifies and decodes the bytes of the {@code index}-th requested range. */
        T decode(int index, ByteBuffer bytes);

        /** About how many heap bytes {@code value} holds, to weigh it against a memory budget. */
        long weight(T value);
    }

    /** A source over a byte array held in memory (tests, benchmarks of the engine alone). */
    static RangeSource of(byte[] bytes) {
        return new HeapRangeSource(bytes);
    }
}
