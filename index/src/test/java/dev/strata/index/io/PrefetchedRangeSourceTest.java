package dev.strata.index.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class PrefetchedRangeSourceTest {

    private final byte[] object = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    private final List<List<ByteRange>> reads = new ArrayList<>();
    private final RangeSource counting = new RangeSource() {
        @Override
        public long length() {
            return object.length;
        }

        @Override
        public CompletableFuture<List<ByteBuffer>> read(List<ByteRange> ranges) {
            reads.add(ranges);
            return RangeSource.of(object).read(ranges);
        }
    };

    private static List<Integer> firstBytes(List<ByteBuffer> buffers) {
        return buffers.stream().map(b -> (int) b.get(b.position())).toList();
    }

    @Test
    void readsInsideHeldRangesAreAnsweredFromThemAndOthersGoToTheSourceWhole() {
        // The held bytes differ from the object's, so the test sees which answered.
        RangeSource source = new PrefetchedRangeSource(counting,
                Map.of(new ByteRange(2, 5), new byte[] {20, 30, 40}, new ByteRange(8, 10), new byte[] {80, 90}));
        List<ByteBuffer> held = source.read(List.of(new ByteRange(3, 5), new ByteRange(8, 9))).join();
        assertEquals(List.of(30, 80), firstBytes(held));
        assertEquals(2, held.get(0).remaining());
        assertEquals(List.of(), reads);
        // Those held ranges answered once and were let go: the same read now goes to the source.
        assertEquals(List.of(3, 8), firstBytes(source.read(List.of(new ByteRange(3, 5), new ByteRange(8, 9))).join()));
        assertEquals(1, reads.size());
        reads.clear();

        // One range outside what is held (4..6 crosses the end of 2..5): the whole read goes out.
        List<ByteBuffer> mixed = source.read(List.of(new ByteRange(3, 4), new ByteRange(4, 6))).join();
        assertEquals(List.of(3, 4), firstBytes(mixed));
        assertEquals(List.of(List.of(new ByteRange(3, 4), new ByteRange(4, 6))), reads);
    }

    @Test
    void decodedReadsAreAnsweredFromHeldBytesToo() {
        RangeSource source = new PrefetchedRangeSource(counting, Map.of(new ByteRange(2, 5), new byte[] {20, 30, 40}));
        RangeSource.Decoder<Integer> first = new RangeSource.Decoder<>() {
            @Override
            public Class<Integer> type() {
                return Integer.class;
            }

            @Override
            public Integer decode(int index, ByteBuffer bytes) {
                return (int) bytes.get(bytes.position());
            }

            @Override
            public long weight(Integer value) {
                return 16;
            }
        };
        assertEquals(List.of(40), source.readDecoded(List.of(new ByteRange(4, 5)), first, Runnable::run).join());
        assertEquals(List.of(), reads);
        assertEquals(List.of(4), source.readDecoded(List.of(new ByteRange(4, 5)), first, Runnable::run).join());
        assertEquals(1, reads.size());
    }

    @Test
    void heldBytesMustMatchTheirRange() {
        assertThrows(IllegalArgumentException.class,
                () -> new PrefetchedRangeSource(counting, Map.of(new ByteRange(2, 5), new byte[2])));
        assertThrows(IllegalArgumentException.class,
                () -> new PrefetchedRangeSource(counting, Map.of(new ByteRange(9, 11), new byte[2])));
    }
}
