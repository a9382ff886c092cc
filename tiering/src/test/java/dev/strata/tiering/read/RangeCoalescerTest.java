package dev.strata.tiering.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.index.io.ByteRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RangeCoalescerTest {

    private static ByteRange r(long start, long end) {
        return new ByteRange(start, end);
    }

    @Test
    void mergesRangesWithinTheWindowOnly() {
        List<ByteRange> in = List.of(r(0, 10), r(10, 20), r(25, 30), r(100, 110), r(105, 107));
        assertEquals(List.of(r(0, 20), r(25, 30), r(100, 110)), new RangeCoalescer(0).coalesce(in));
        assertEquals(List.of(r(0, 30), r(100, 110)), new RangeCoalescer(5).coalesce(in));
        assertEquals(List.of(r(0, 110)), new RangeCoalescer(70).coalesce(in));
        assertEquals(List.of(), new RangeCoalescer(70).coalesce(List.of()));
    }

    @Test
    void rejectsUnsortedInput() {
        assertThrows(IllegalArgumentException.class, () -> new RangeCoalescer(0).coalesce(List.of(r(5, 6), r(0, 1))));
    }

    @Test
    void randomizedOutputsCoverEveryInputAndKeepGapsAboveTheWindow() {
        Random random = new Random(42);
        for (int trial = 0; trial < 500; trial++) {
            long window = random.nextInt(4) == 0 ? 0 : random.nextInt(5000);
            List<ByteRange> in = new ArrayList<>();
            long at = 0;
            for (int i = random.nextInt(30); i > 0; i--) {
                at += random.nextInt(3) == 0 ? 0 : random.nextInt(8000);
                in.add(ByteRange.ofLength(at, random.nextInt(3000)));
            }
            List<ByteRange> out = new RangeCoalescer(window).coalesce(in);
            for (ByteRange input : in) {
                assertEquals(1, out.stream().filter(o -> o.contains(input)).count(), input + " in " + out);
            }
            for (int i = 1; i < out.size(); i++) {
                assertTrue(out.get(i).start() - out.get(i - 1).end() > window, "gap above window: " + out);
            }
            long covered = out.stream().mapToLong(ByteRange::length).sum();
            long needed = in.stream().mapToLong(ByteRange::end).max().orElse(0)
                    - in.stream().mapToLong(ByteRange::start).min().orElse(0);
            assertTrue(covered <= needed, "never reads beyond the span of the inputs");
        }
    }
}
