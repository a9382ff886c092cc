package dev.strata.index.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.index.attr.IdColumn;
import dev.strata.index.doc.CorruptDataException;
import dev.strata.index.doc.DocId;
import dev.strata.index.doc.Document;
import dev.strata.index.doc.RandomData;
import dev.strata.index.doc.Schema;
import dev.strata.index.io.ByteRange;
import dev.strata.index.io.RangeSource;
import dev.strata.index.segment.SegmentReaderLoadingTest.ManualSource;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Opening a segment with a directory recorded elsewhere (a manifest): no read of the directory,
 * section reads in the same round trip as the check of the copy against the file, and a copy
 * that is not the file's own fails every read with a typed error instead of serving bytes.
 */
class RecordedDirectoryTest {

    private static final Schema SCHEMA = RandomData.schema();

    private static byte[] segment() {
        SegmentWriter w = new SegmentWriter(SCHEMA);
        w.opaqueSection("vectors", new byte[1000]);
        new RandomData(5).documents(40, false).forEach(w::add);
        w.add(new Document(DocId.of("last"), Map.of("int", 4L)));
        return w.toByteArray();
    }

    private static SegmentDirectory directoryOf(byte[] file) {
        return SegmentReader.open(RangeSource.of(file), "seg").join().directory();
    }

    @Test
    void theEncodedDirectoryIsTheFilesOwnBytes() {
        byte[] file = segment();
        SegmentDirectory directory = directoryOf(file);
        byte[] encoded = directory.encode();
        int at = file.length - SegmentFormat.FOOTER_BYTES - encoded.length;
        assertEquals(ByteBuffer.wrap(encoded), ByteBuffer.wrap(file, at, encoded.length));
        assertEquals(41, directory.rowCount());
    }

    @Test
    void sectionReadsGoOutTogetherWithTheCheckAndNoDirectoryIsRead() {
        byte[] file = segment();
        SegmentDirectory directory = directoryOf(file);
        ManualSource source = new ManualSource(file);
        CompletableFuture<SegmentReader> opening = SegmentReader.open(source, "seg", directory);
        assertTrue(opening.isDone(), "nothing to wait for before reading sections");
        SegmentReader reader = opening.join();
        CompletableFuture<IdColumn> ids = reader.ids();
        // One read of header and footer, one of each id section; nothing answered yet.
        assertEquals(3, source.requests.size());
        long tail = file.length - SegmentFormat.FOOTER_BYTES;
        assertEquals(List.of(new ByteRange(0, SegmentFormat.HEADER_BYTES), new ByteRange(tail, file.length)),
                source.requests.get(0));
        source.completeAll();
        assertEquals(41, ids.join().rowCount());
        assertEquals(DocId.of("last"), ids.join().id(40));
        assertEquals(3, source.requests.size());
        assertEquals(directory, reader.directory());
    }

    /** A copy of {@code file}'s directory with its sections changed by {@code change}. */
    private static SegmentDirectory altered(byte[] file, UnaryOperator<List<SectionInfo>> change) {
        SegmentDirectory own = directoryOf(file);
        return new SegmentDirectory(own.rowCount(), change.apply(new ArrayList<>(own.sections())));
    }

    private static int indexOf(List<SectionInfo> sections, String name) {
        for (int i = 0; i < sections.size(); i++) {
            if (sections.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new AssertionError("no section " + name);
    }

    private static void assertCorrupt(CompletableFuture<?> f) {
        CompletionException e = assertThrows(CompletionException.class, f::join);
        assertInstanceOf(CorruptDataException.class, e.getCause());
        assertTrue(e.getCause().getMessage().startsWith("seg: "), e.getCause().getMessage());
    }

    @Test
    void aCopyThatIsNotTheFilesOwnFailsEveryReadWithATypedError() {
        byte[] file = segment();
        List<SegmentDirectory> lies = List.of(
                // The ids section's checksum corrupted: its bytes fail it, and the footer too.
                altered(file, s -> {
                    int i = indexOf(s, SegmentFormat.IDS);
                    SectionInfo ids = s.get(i);
                    s.set(i, new SectionInfo(ids.name(), ids.offset(), ids.length(), ids.checksum() ^ 1));
                    return s;
                }),
                // Two sections' names swapped, each keeping the other's checksum: every section
                // read passes its own checksum, only the footer can tell.
                altered(file, s -> {
                    int a = indexOf(s, "attr/int");
                    int b = indexOf(s, "attr/string");
                    SectionInfo x = s.get(a);
                    SectionInfo y = s.get(b);
                    s.set(a, new SectionInfo(y.name(), x.offset(), x.length(), x.checksum()));
                    s.set(b, new SectionInfo(x.name(), y.offset(), y.length(), y.checksum()));
                    return s;
                }),
                // The vectors section said to be 8 bytes shorter.
                altered(file, s -> {
                    SectionInfo v = s.get(0);
                    s.set(0, new SectionInfo(v.name(), v.offset(), v.length() - 8, v.checksum()));
                    return s;
                }),
                // The row count off by one.
                new SegmentDirectory(directoryOf(file).rowCount() + 1, directoryOf(file).sections()));
        for (SegmentDirectory lie : lies) {
            SegmentReader reader = SegmentReader.open(RangeSource.of(file), "seg", lie).join();
            assertCorrupt(reader.verified());
            assertCorrupt(reader.ids());
            assertCorrupt(reader.column("int", SCHEMA));
            assertCorrupt(reader.readSection("vectors"));
        }
    }

    @Test
    void aCopyThatCannotFitTheFileFailsTheOpen() {
        byte[] file = segment();
        SegmentDirectory outside = altered(file, s -> {
            int i = indexOf(s, SegmentFormat.ID_INDEX);
            SectionInfo x = s.get(i);
            s.set(i, new SectionInfo(x.name(), file.length, x.length(), x.checksum()));
            return s;
        });
        assertCorrupt(SegmentReader.open(RangeSource.of(file), "seg", outside));
        SegmentDirectory noIds = altered(file, s -> {
            s.remove(indexOf(s, SegmentFormat.IDS));
            return s;
        });
        assertCorrupt(SegmentReader.open(RangeSource.of(file), "seg", noIds));
    }
}
