package dev.strata.index.ivf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.index.io.ByteRange;
import dev.strata.index.io.RangeSource;
import dev.strata.index.vector.Metric;
import dev.strata.index.vector.VectorUtil;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.roaringbitmap.RoaringBitmap;

/** Round trips, checksums, truncation and the read pattern of the IVF section format. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IvfFormatTest {

    private static final int N = 3000;
    private static final int DIMENSION = 40;

    private ExecutorService compute;
    private ExecutorService io;
    private float[] data;
    private IvfWriter writer;
    private byte[] bytes;

    @BeforeAll
    void build() {
        compute = Executors.newFixedThreadPool(2, named("compute"));
        io = Executors.newSingleThreadExecutor(named("io"));
        data = IvfTestData.clustered(21, N, DIMENSION, 30);
        writer = IvfWriter.build(data, DIMENSION,
                IvfBuildParams.defaults(Metric.EUCLIDEAN_SQUARED).withParallelism(2), compute);
        bytes = writer.toByteArray();
    }

    @AfterAll
    void shutdown() {
        compute.shutdownNow();
        io.shutdownNow();
    }

    @Test
    void sectionCanSitAtAnOffsetInsideALargerObject() {
        byte[] object = new byte[bytes.length + 300];
        System.arraycopy(bytes, 0, object, 123, bytes.length);
        IvfReader reader = open(RangeSource.of(object), 123, bytes.length);
        IvfReader plain = open(RangeSource.of(bytes), 0, bytes.length);
        float[] q = row(7);
        assertEquals(plain.search(q, 10, SearchParams.DEFAULT, null).join(),
                reader.search(q, 10, SearchParams.DEFAULT, null).join());
        assertEquals(0, reader.search(q, 1, SearchParams.DEFAULT, null).join().get(0).distance());
    }

    @Test
    void delayedSourceGivesTheSameResultsWithAtMostTwoReadsPerSearchOnComputeThreads() {
        CountingSource counting = new CountingSource(RangeSource.of(bytes), io);
        IvfReader delayed = open(counting, 0, bytes.length);
        IvfReader direct = open(RangeSource.of(bytes), 0, bytes.length);
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 20; i++) {
            float[] q = row(random.nextInt(N));
            RoaringBitmap allowed = null;
            if (i % 2 == 1) {
                allowed = new RoaringBitmap();
                for (int o = 0; o < N; o++) {
                    if (random.nextInt(i % 4 == 1 ? 3 : 500) == 0) {
                        allowed.add(o);
                    }
                }
            }
            counting.reads.set(0);
            RoaringBitmap filter = allowed;
            List<Hit> hits = onCompute(() -> delayed.search(q, 10, SearchParams.DEFAULT, filter));
            assertTrue(counting.reads.get() <= 2, counting.reads.get() + " reads");
            assertEquals(direct.search(q, 10, SearchParams.DEFAULT, allowed).join(), hits);
            assertEquals(direct.exactSearch(q, 10, allowed).join(),
                    onCompute(() -> delayed.exactSearch(q, 10, filter)));
        }
        // Reads complete on the I/O thread; scoring must have hopped back to compute threads.
        assertTrue(counting.completionThreads.stream().allMatch(t -> t.startsWith("io")));
    }

    @Test
    void halfPrecisionAndMultiBitCodesRoundTrip() {
        for (int bits : new int[] {2, 4}) {
            IvfWriter w = IvfWriter.build(data, DIMENSION,
                    IvfBuildParams.defaults(Metric.COSINE_DISTANCE).withParallelism(2)
                            .withBits(bits).withEncoding(VectorEncoding.F16).withPartitions(30),
                    compute);
            byte[] b = w.toByteArray();
            IvfReader reader = open(RangeSource.of(b), 0, b.length);
            assertEquals(VectorEncoding.F16, reader.encoding());
            int[] ordinalToRow = w.ordinalToRow();
            float[] stored = reader.vector(5).join();
            for (int d = 0; d < DIMENSION; d++) {
                float original = data[ordinalToRow[5] * DIMENSION + d];
                assertEquals(VectorUtil.halfToFloat(VectorUtil.floatToHalf(original)),
                        stored[d]);
            }
            SplittableRandom random = new SplittableRandom(bits);
            double recall = 0;
            for (int i = 0; i < 20; i++) {
                float[] q = row(random.nextInt(N));
                List<Hit> exact = reader.exactSearch(q, 10, null).join();
                List<Hit> approximate = reader.search(q, 10, SearchParams.DEFAULT, null).join();
                recall += approximate.stream().filter(exact::contains).count() / 10.0;
            }
            assertTrue(recall / 20 >= 0.95, bits + " bits: recall " + recall / 20);
        }
    }

    @Test
    void emptySectionAnswersNothing() {
        IvfWriter w = IvfWriter.build(new float[0], 8,
                IvfBuildParams.defaults(Metric.EUCLIDEAN_SQUARED), compute);
        byte[] b = w.toByteArray();
        IvfReader reader = open(RangeSource.of(b), 0, b.length);
        assertEquals(0, reader.size());
        assertTrue(reader.search(new float[8], 3, SearchParams.DEFAULT, null).join().isEmpty());
        assertTrue(reader.exactSearch(new float[8], 3, null).join().isEmpty());
    }

    @Test
    void flippedByteInACodeBlockIsDetected() {
        int ordinal = 100;
        byte[] corrupt = bytes.clone();
        // Locate the partition of the ordinal through the documented partition table.
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int partitions = in.getInt(20);
        int table = IvfFormat.HEADER_BYTES + partitions * DIMENSION * Float.BYTES;
        for (int p = 0; p < partitions; p++) {
            int entry = table + p * IvfFormat.PARTITION_ENTRY_BYTES;
            int first = in.getInt(entry);
            int count = in.getInt(entry + 4);
            if (ordinal >= first && ordinal < first + count) {
                corrupt[(int) in.getLong(entry + 8) + (ordinal - first) * 8] ^= 0x10;
            }
        }
        IvfReader reader = open(RangeSource.of(corrupt), 0, corrupt.length);
        float[] q = row(writer.ordinalToRow()[ordinal]);
        CorruptIndexException e = corruption(() -> reader.search(q, 10, SearchParams.DEFAULT,
                null));
        assertTrue(e.getMessage().contains("code block"), e.getMessage());
        assertEquals(reader.exactSearch(q, 10, null).join().get(0).ordinal(), ordinal,
                "exact search does not read codes");
    }

    @Test
    void flippedByteInAVectorRecordIsDetected() {
        int ordinal = 2000;
        byte[] corrupt = bytes.clone();
        long vectors = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(40);
        corrupt[(int) vectors + ordinal * IvfFormat.vectorRecordBytes(DIMENSION,
                VectorEncoding.F32, 0) + 9] ^= 0x01;
        IvfReader reader = open(RangeSource.of(corrupt), 0, corrupt.length);
        float[] q = row(writer.ordinalToRow()[ordinal]);
        assertTrue(corruption(() -> reader.search(q, 10, SearchParams.DEFAULT, null))
                .getMessage().contains("ordinal " + ordinal));
        corruption(() -> reader.exactSearch(q, 10, null));
        corruption(() -> reader.vector(ordinal));
        RoaringBitmap justIt = RoaringBitmap.bitmapOf(ordinal, ordinal + 1);
        corruption(() -> reader.search(q, 1, SearchParams.DEFAULT, justIt));
    }

    @Test
    void hitsCarryThePayloadsOfTheirRecords() {
        List<byte[]> payloads = new java.util.ArrayList<>();
        for (int row = 0; row < N; row++) {
            payloads.add(("row-" + row).repeat(row % 3).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        byte[] withPayloads = writer.withPayloads(payloads).toByteArray();
        IvfReader reader = open(RangeSource.of(withPayloads), 0, withPayloads.length);
        IvfReader plain = open(RangeSource.of(bytes), 0, bytes.length);
        assertTrue(reader.hasPayloads());
        assertTrue(!plain.hasPayloads());
        int[] toRow = writer.ordinalToRow();
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < 10; i++) {
            float[] q = row(random.nextInt(N));
            RoaringBitmap narrow = RoaringBitmap.bitmapOfRange(0, 40); // answered exactly
            for (List<Hit> hits : List.of(reader.search(q, 10, SearchParams.DEFAULT, null).join(),
                    reader.exactSearch(q, 10, null).join(),
                    reader.search(q, 10, SearchParams.DEFAULT, narrow).join())) {
                assertEquals(10, hits.size());
                for (Hit h : hits) {
                    assertEquals(new String(payloads.get(toRow[h.ordinal()]), java.nio.charset.StandardCharsets.UTF_8),
                            new String(h.payloadOrNull(), java.nio.charset.StandardCharsets.UTF_8));
                }
            }
            // The payloads change nothing else: the same hits as without them.
            assertEquals(ordinalsAndDistances(plain.search(q, 10, SearchParams.DEFAULT, null).join()),
                    ordinalsAndDistances(reader.search(q, 10, SearchParams.DEFAULT, null).join()));
            assertTrue(plain.search(q, 10, SearchParams.DEFAULT, null).join().stream()
                    .allMatch(h -> h.payloadOrNull() == null));
        }
        // A flipped payload byte fails the record's checksum.
        int ordinal = 1234;
        int slot = ByteBuffer.wrap(withPayloads).order(ByteOrder.LITTLE_ENDIAN).getInt(56);
        int recordBytes = IvfFormat.vectorRecordBytes(DIMENSION, VectorEncoding.F32, slot);
        long vectors = ByteBuffer.wrap(withPayloads).order(ByteOrder.LITTLE_ENDIAN).getLong(40);
        byte[] corrupt = withPayloads.clone();
        corrupt[(int) vectors + ordinal * recordBytes + DIMENSION * Float.BYTES + 2] ^= 0x04;
        IvfReader flipped = open(RangeSource.of(corrupt), 0, corrupt.length);
        assertTrue(corruption(() -> flipped.exactSearch(row(toRow[ordinal]), 1, null))
                .getMessage().contains("ordinal " + ordinal));
        assertThrows(IllegalArgumentException.class, () -> writer.withPayloads(payloads.subList(1, N)));
    }

    @Test
    void aVersionTwoSectionReadsAsOneWithoutPayloads() {
        byte[] v2 = bytes.clone();
        ByteBuffer header = ByteBuffer.wrap(v2).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(4, 2);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(v2, 0, 60);
        header.putInt(60, (int) crc.getValue());
        IvfReader reader = open(RangeSource.of(v2), 0, v2.length);
        float[] q = row(11);
        assertEquals(open(RangeSource.of(bytes), 0, bytes.length).search(q, 10, SearchParams.DEFAULT, null).join(),
                reader.search(q, 10, SearchParams.DEFAULT, null).join());
        // Version 2 had no payload slot: a non-zero one there is corruption.
        header.putInt(56, 9);
        crc.reset();
        crc.update(v2, 0, 60);
        header.putInt(60, (int) crc.getValue());
        corruption(() -> IvfReader.open("v2", RangeSource.of(v2), 0, v2.length, compute));
    }

    private static List<String> ordinalsAndDistances(List<Hit> hits) {
        return hits.stream().map(h -> h.ordinal() + "@" + h.distance()).toList();
    }

    @Test
    void flippedByteInTheHeaderOrTableFailsOpen() {
        for (int position : new int[] {14, 61, IvfFormat.HEADER_BYTES + 3,
                (int) IvfFormat.metaLength(DIMENSION, writer.partitions()) - 6}) {
            byte[] corrupt = bytes.clone();
            corrupt[position] ^= 0x40;
            corruption(() -> IvfReader.open("flipped", RangeSource.of(corrupt), 0,
                    corrupt.length, compute));
        }
    }

    @Test
    void truncationIsDetected() {
        byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 100);
        CorruptIndexException e = corruption(() -> IvfReader.open("seg-7",
                RangeSource.of(truncated), 0, bytes.length, compute));
        assertTrue(e.getMessage().contains("seg-7") && e.getMessage().contains("truncated"));
        corruption(() -> IvfReader.open("seg-7", RangeSource.of(truncated), 0,
                truncated.length, compute));
        // A source that returns short buffers is caught when the bytes are used.
        IvfReader reader = open(new ShortReadSource(RangeSource.of(bytes),
                IvfFormat.metaLength(DIMENSION, writer.partitions())), 0, bytes.length);
        corruption(() -> reader.search(row(1), 10, SearchParams.DEFAULT, null));
    }

    private CorruptIndexException corruption(Supplier<CompletableFuture<?>> call) {
        CompletionException e = assertThrows(CompletionException.class, () -> call.get().join());
        return assertInstanceOf(CorruptIndexException.class, e.getCause());
    }

    private <T> T onCompute(Supplier<CompletableFuture<T>> call) {
        return CompletableFuture.supplyAsync(call, compute).thenCompose(f -> f).join();
    }

    private IvfReader open(RangeSource source, long offset, long length) {
        return IvfReader.open("test", source, offset, length, compute).join();
    }

    private float[] row(int row) {
        return java.util.Arrays.copyOfRange(data, row * DIMENSION, (row + 1) * DIMENSION);
    }

    private static java.util.concurrent.ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Completes every read later on the I/O executor, and counts reads. */
    private static final class CountingSource implements RangeSource {
        final RangeSource delegate;
        final ExecutorService io;
        final AtomicInteger reads = new AtomicInteger();
        final Set<String> completionThreads = ConcurrentHashMap.newKeySet();

        CountingSource(RangeSource delegate, ExecutorService io) {
            this.delegate = delegate;
            this.io = io;
        }

        @Override
        public long length() {
            return delegate.length();
        }

        @Override
        public CompletableFuture<List<ByteBuffer>> read(List<ByteRange> ranges) {
            reads.incrementAndGet();
            return CompletableFuture.supplyAsync(() -> {
                completionThreads.add(Thread.currentThread().getName());
                return delegate.read(ranges).join();
            }, io);
        }
    }

    /** Returns one byte too few for every read starting at or after {@code from}. */
    private record ShortReadSource(RangeSource delegate, long from) implements RangeSource {
        @Override
        public long length() {
            return delegate.length();
        }

        @Override
        public CompletableFuture<List<ByteBuffer>> read(List<ByteRange> ranges) {
            return delegate.read(ranges).thenApply(buffers -> {
                for (int i = 0; i < buffers.size(); i++) {
                    ByteBuffer b = buffers.get(i);
                    if (ranges.get(i).start() >= from && b.remaining() > 0) {
                        b.limit(b.limit() - 1);
                    }
                }
                return buffers;
            });
        }
    }
}
