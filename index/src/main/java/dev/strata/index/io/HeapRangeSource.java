package dev.strata.index.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A {@link RangeSource} over a byte array in memory; reads complete immediately. */
final class HeapRangeSource implements RangeSource {

    private final byte[] bytes;

    HeapRangeSource(byte[] bytes) {
        this.bytes = bytes;
    }

    @Override
    public long length() {
        return bytes.length;
    }

    @Override
    public CompletableFuture<List<ByteBuffer>> read(List<ByteRange> ranges) {
        List<ByteBuffer> out = new ArrayList<>(ranges.size());
        for (ByteRange r : ranges) {
            if (r.end() > bytes.length) {
                return CompletableFuture.failedFuture(new IndexOutOfBoundsException(
                        "range " + r + " beyond the end of a " + bytes.length + "-byte object"));
            }
            out.add(ByteBuffer.wrap(bytes, (int) r.start(), r.intLength()).slice()
                    .asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN));
        }
        return CompletableFuture.completedFuture(out);
    }
}
