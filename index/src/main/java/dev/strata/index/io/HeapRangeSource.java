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
 * A {@link RangeSource} over a byte array in memory; reads complete immediately. Decoded values
 * are kept without a budget: they take about as much memory as the bytes they came from, which
 * this source holds anyway.
 */
final class HeapRangeSource implements RangeSource {

    private record Key(ByteRange range, Class<?> type) {}

    private final byte[] bytes;
    private final Map<Key, Object> decoded = new ConcurrentHashMap<>();

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

    @Override
    public <T> CompletableFuture<List<T>> readDecoded(List<ByteRange> ranges, Decoder<T> decoder,
                                                     Executor executor) {
        List<T> kept = new ArrayList<>(ranges.size());
        for (ByteRange r : ranges) {
            Object value = decoded.get(new Key(r, decoder.type()));
            if (value == null) {
                return RangeSource.super.readDecoded(ranges, new Decoder<>() {
                    @Override
                    public Class<T> type() {
                        return decoder.type();
                    }

                    @Override
                    public T decode(int index, ByteBuffer buffer) {
                        Key key = new Key(ranges.get(index), decoder.type());
                        Object known = decoded.get(key);
                        if (known != null) {
                            return decoder.type().cast(known);
                        }
                        T value = decoder.decode(index, buffer);
                        decoded.put(key, value);
                        return value;
                    }

                    @Override
                    public long weight(T value) {
                        return decoder.weight(value);
                    }
                }, executor);
            }
            kept.add(decoder.type().cast(value));
        }
        return CompletableFuture.completedFuture(kept);
    }
}
