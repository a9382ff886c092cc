package dev.strata.index.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * A range source holding some of its object's bytes, fetched ahead: a read whose every range
 * lies inside a held range is answered from them at once, and those held ranges are then let go
 * (the source lives as long as its object stays open, the bytes are wanted once); any other read
 * goes to the source whole. A cold open uses it to read a segment's header, footer and index
 * metadata from the bytes that came with the manifest, instead of in a round trip of its own.
 */
public final class PrefetchedRangeSource implements RangeSource {

    private final RangeSource source;
    private final Map<ByteRange, byte[]> held = new ConcurrentHashMap<>();

    /** {@code held}: ranges of {@code source}'s object and their bytes, each exactly as long as its range. */
    public PrefetchedRangeSource(RangeSource source, Map<ByteRange, byte[]> held) {
        held.forEach((range, bytes) -> {
            if (bytes.length != range.length() || range.end() > source.length()) {
                throw new IllegalArgumentException("held bytes of " + range + " are " + bytes.length
                        + " bytes, in an object of " + source.length());
            }
        });
        this.source = source;
        this.held.putAll(held);
    }

    @Override
    public long length() {
        return source.length();
    }

    @Override
    public CompletableFuture<List<ByteBuffer>> read(List<ByteRange> ranges) {
        List<ByteBuffer> out = takeHeld(ranges);
        return out != null ? CompletableFuture.completedFuture(out) : source.read(ranges);
    }

    @Override
    public <T> CompletableFuture<List<T>> readDecoded(List<ByteRange> ranges, Decoder<T> decoder, Executor executor) {
        List<ByteBuffer> out = takeHeld(ranges);
        if (out == null) {
            return source.readDecoded(ranges, decoder, executor);
        }
        return CompletableFuture.supplyAsync(() -> RangeSource.decodeAll(out, decoder), executor);
    }

    /** The ranges' bytes if every one lies inside a held range (which is then let go), else null. */
    private List<ByteBuffer> takeHeld(List<ByteRange> ranges) {
        if (held.isEmpty()) {
            return null;
        }
        List<ByteBuffer> out = new ArrayList<>(ranges.size());
        List<ByteRange> used = new ArrayList<>();
        for (ByteRange r : ranges) {
            ByteBuffer found = null;
            for (Map.Entry<ByteRange, byte[]> h : held.entrySet()) {
                if (h.getKey().contains(r)) {
                    int offset = (int) (r.start() - h.getKey().start());
                    found = ByteBuffer.wrap(h.getValue(), offset, r.intLength()).slice().asReadOnlyBuffer()
                            .order(ByteOrder.LITTLE_ENDIAN);
                    used.add(h.getKey());
                    break;
                }
            }
            if (found == null) {
                return null;
            }
            out.add(found);
        }
        used.forEach(held::remove);
        return out;
    }
}
