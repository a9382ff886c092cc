package dev.strata.index.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.index.attr.AttributeColumn;
import dev.strata.index.doc.DocId;
import dev.strata.index.doc.Document;
import dev.strata.index.doc.RandomData;
import dev.strata.index.doc.Schema;
import dev.strata.index.io.ByteRange;
import dev.strata.index.io.RangeSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Lazy section loading: concurrent first callers share one read, failed reads are retried. */
class SegmentReaderLoadingTest {

    private static final Schema SCHEMA = RandomData.schema();

    /** Reads complete only when the test says so, in the order they were issued. */
    static final class ManualSource implements RangeSource {
        final RangeSource bytes;
        final List<CompletableFuture<List<ByteBuffer>>> pending = new ArrayList<>();
        final List<List<ByteRange>> requests = new ArrayList<>();

        ManualSource(byte[] file) {
            bytes = RangeSource.of(file);
        }

        @Override
        public long length() {
            return bytes.length();
        }

        @Override
        public synchronized CompletableFuture<List<ByteBuffer>> read(List<ByteRange> ranges) {
            CompletableFuture<List<ByteBuffer>> f = new CompletableFuture<>();
            pending.add(f);
            requests.add(ranges);
            return f;
        }

        void completeAll() {
            for (int i = 0; i < pending.size(); i++) {
                if (!pending.get(i).isDone()) {
                    pending.get(i).complete(bytes.read(requests.get(i)).join());
                }
            }
        }

        void failAll() {
            pending.forEach(f -> f.completeExceptionally(new IOException("connection reset")));
        }
    }

    private static byte[] segment() {
        SegmentWriter w = new SegmentWriter(SCHEMA);
        new RandomData(9).documents(30, false).forEach(w::add);
        w.add(new Document(DocId.of("last"), java.util.Map.of("int", 4L)));
        return w.toByteArray();
    }

    @Test
    void concurrentFirstCallersShareOneLoad() {
        ManualSource source = new ManualSource(segment());
        CompletableFuture<SegmentReader> opening = SegmentReader.open(source, "seg");
        source.completeAll();
        SegmentReader reader = opening.join();
        int before = source.requests.size();
        CompletableFuture<AttributeColumn> a = reader.column("int", SCHEMA);
        CompletableFuture<AttributeColumn> b = reader.column("int", SCHEMA);
        assertEquals(before + 2, source.requests.size(), "one read of values and one of postings");
        source.completeAll();
        assertSame(a.join(), b.join());
        assertEquals(4L, a.join().value(30));
    }

    @Test
    void aFailedLoadIsNotCached() {
        ManualSource source = new ManualSource(segment());
        CompletableFuture<SegmentReader> opening = SegmentReader.open(source, "seg");
        source.completeAll();
        SegmentReader reader = opening.join();
        CompletableFuture<AttributeColumn> failed = reader.column("string", SCHEMA);
        source.failAll();
        assertTrue(failed.isCompletedExceptionally());
        int before = source.requests.size();
        CompletableFuture<AttributeColumn> retried = reader.column("string", SCHEMA);
        assertTrue(source.requests.size() > before, "the retry reads again");
        source.completeAll();
        assertEquals(31, retried.join().rowCount());
    }
}
