package dev.strata.actors.namespace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.strata.index.doc.CorruptDataException;
import dev.strata.index.io.ByteRange;
import dev.strata.index.io.RangeSource;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestCopyTest {

    private static final byte[] MANIFEST = "{\"version\": 7}".getBytes(StandardCharsets.UTF_8);

    private final ManifestCopy copy = new ManifestCopy(MANIFEST, List.of(
            new ManifestCopy.Range("segments/a", new ByteRange(0, 3), new byte[] {1, 2, 3}),
            new ManifestCopy.Range("segments/b", new ByteRange(5, 7), new byte[] {6, 7})));

    @Test
    void aCopyReadsBackWithItsManifestAndRanges() {
        ManifestCopy read = ManifestCopy.decode(copy.encode(), "copy");
        assertArrayEquals(MANIFEST, read.manifest());
        assertEquals(2, read.ranges().size());
        for (int i = 0; i < 2; i++) {
            assertEquals(copy.ranges().get(i).key(), read.ranges().get(i).key());
            assertEquals(copy.ranges().get(i).range(), read.ranges().get(i).range());
            assertArrayEquals(copy.ranges().get(i).bytes(), read.ranges().get(i).bytes());
        }
    }

    @Test
    void aManifestsBytesAloneAreACopyWithoutRanges() {
        ManifestCopy plain = ManifestCopy.decode(MANIFEST, "copy");
        assertArrayEquals(MANIFEST, plain.manifest());
        assertEquals(List.of(), plain.ranges());
    }

    @Test
    void aDamagedCopyIsATypedError() {
        byte[] bytes = copy.encode();
        for (int at : new int[] {5, 20, bytes.length - 12, bytes.length - 1}) {
            byte[] damaged = bytes.clone();
            damaged[at] ^= 0x10;
            assertThrows(CorruptDataException.class, () -> ManifestCopy.decode(damaged, "copy"), "byte " + at);
        }
    }

    @Test
    void aSegmentsSourceAnswersFromItsOwnRangesOnly() {
        RangeSource a = RangeSource.of(new byte[10]);
        ByteBuffer held = copy.over("segments/a", a).read(List.of(new ByteRange(1, 3))).join().get(0);
        assertEquals(2, held.get(held.position()));
        assertSame(a, copy.over("segments/c", a));
    }
}
