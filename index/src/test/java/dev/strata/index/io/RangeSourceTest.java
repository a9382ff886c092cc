package dev.strata.index.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RangeSourceTest {

    /** Decodes a range into its first byte; counts its calls. */
    private static final class FirstByte implements RangeSource.Decoder<Integer> {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public Class<Integer> type() {
            return Integer.class;
        }

        @Override
        public Integer decode(int index, ByteBuffer bytes) {
            calls.incrementAndGet();
            return (int) bytes.get(bytes.position());
        }

        @Override
        public long weight(Integer value) {
            return 16;
        }
    }

    @Test
    void anInMemorySourceDecodesEachRangeOnce() {
        byte[] bytes = {10, 11, 12, 13, 14};
        RangeSource source = RangeSource.of(bytes);
        FirstByte decoder = new FirstByte();
        List<ByteRange> ranges = List.of(new ByteRange(1, 3), new ByteRange(4, 5));
        assertEquals(List.of(11, 14), source.readDecoded(ranges, decoder, Runnable::run).join());
        assertEquals(List.of(11, 14), source.readDecoded(ranges, decoder, Runnable::run).join());
        assertEquals(2, decoder.calls.get());
        assertEquals(List.of(14, 12), source.readDecoded(List.of(new ByteRange(4, 5), new ByteRange(2, 3)),
                decoder, Runnable::run).join());
        assertEquals(3, decoder.calls.get(), "only the new range was decoded");
        CompletionException e = assertThrows(CompletionException.class, () -> source.readDecoded(
                List.of(new ByteRange(4, 6)), decoder, Runnable::run).join());
        assertEquals(IndexOutOfBoundsException.class, e.getCause().getClass());
    }
}
