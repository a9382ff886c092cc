package dev.strata.cache;

import dev.strata.config.CacheSettings;
import dev.strata.config.StrataThreads;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SSD tier: a cache of pages kept in one preallocated local file, in front of a colder
 * {@link PageSource}.
 *
 * <p>The file is cut into fixed regions. An object's pages are grouped into chunks of
 * {@code regionSize / pageSize} consecutive pages, and a cached chunk occupies one region. A read
 * serves the pages the file holds (each checked against its CRC32C), asks the colder source for
 * all the others in one call, returns as soon as that call answers, and writes the fetched pages
 * into the file afterwards on the I/O executor. When a chunk needs a region and none is free, the
 * least frequently read region that no write is filling is reassigned; frequencies are halved
 * periodically so past popularity fades.
 *
 * <p>The file's previous contents are never trusted: it is recreated empty at construction, so a
 * restarted node starts cold, and it is deleted on {@link #close()}. Metadata lives on the heap,
 * sized once from the file: about 4 bytes per page (its CRC32C) plus a few words per region.
 */
public final class SsdPageCache implements PageSource, AutoCloseable {

    /*
     * Implementation notes.
     *
     * Layout. Region r covers file bytes [r * regionSize, (r + 1) * regionSize). Page p of the
     * chunk assigned to r lives in slot s = r * pagesPerRegion + p % pagesPerRegion, at file
     * offset s * pageSize; slots are numbered across the whole file, so consecutive slot numbers
     * are consecutive in the file and one run of them is one read or write call.
     *
     * State, all guarded by `lock` and sized at construction:
     *   owner[r]       the chunk assigned to region r, or null; regionOf is its inverse
     *   generation[r]  bumped on every reassignment of r
     *   present        bitmap over slots: the slot holds a page whose CRC32C is crc[s]
     *   filling        bitmap over slots: a write of the slot is in flight
     *   writers[r]     write batches in flight that reserved slots of r
     *   frequency[r]   reads of r, halved every agingPeriod touches
     * Invariants: regionOf.get(owner[r]) == r for every assigned r and regionOf holds nothing
     * else; no slot is both present and filling; a region with writers[r] > 0 is never evicted,
     * so its generation cannot change under a write.
     *
     * The lock is never held during I/O. Reads are optimistic: under the lock a read notes the
     * generation and CRC of each present page, then reads the file without it, then serves a page
     * only if the bytes match the CRC and the generation is unchanged. A reassignment bumps the
     * generation before any byte of the new chunk can be written (writes reserve their slots under
     * the lock, after the bump), and a slot is written only while it is not present; so a page
     * that passes both checks holds the bytes that were noted. A CRC mismatch under an unchanged
     * generation is corruption: the slot is cleared and the page fetched and written again.
     */

    /** The name of the cache file inside its directory. */
    public static final String FILE_NAME = "strata-pages.cache";

    private static final Logger log = LoggerFactory.getLogger(SsdPageCache.class);

    /** Frequencies are halved after this many region reads per region in the file. */
    static final int AGING_TOUCHES_PER_REGION = 16;
    private static final int MAX_FREQUENCY = 1 << 20;
    private static final int ZERO_FILL_BYTES = 1 << 20;

    private final PageSource delegate;
    private final Executor ioExecutor;
    private final PageGeometry geometry;
    private final int pageSize;
    private final int pagesPerRegion;
    private final int regionCount;
    private final long agingPeriod;
    private final Path file;
    private final FileChannel channel;

    private final Object lock = new Object();
    private final Map<ChunkKey, Integer> regionOf;
    private final ChunkKey[] owner;
    private final long[] generation;
    private final long[] present;
    private final long[] filling;
    private final int[] writers;
    private final int[] crc;
    private final int[] frequency;
    /** Regions at or above this index have never been assigned. */
    private int neverUsed;
    private int evictionCursor;
    private long touches;
    private boolean closed;

    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder bytesRead = new LongAdder();
    private final LongAdder bytesWritten = new LongAdder();
    private final LongAdder evictions = new LongAdder();
    private final LongAdder corruptPages = new LongAdder();
    private final LongAdder racedPages = new LongAdder();
    private final LongAdder ioErrors = new LongAdder();
    private final LongAdder skippedWrites = new LongAdder();

    /**
     * Creates (or recreates, discarding what it held) the cache file in {@code directory} and
     * writes it full of zeros, so its space is reserved before the first page is cached.
     *
     * @param fileBytes the file's size, rounded down to a whole number of regions
     * @param regionSize the size of one region, a multiple of the page size
     * @param ioExecutor runs every read and write of the file; its threads may block and must be
     *     I/O threads in the sense of {@link StrataThreads#assertIo} (checked with assertions on)
     * @throws SsdCacheException if the file cannot be created or preallocated
     */
    public SsdPageCache(Path directory, long fileBytes, int regionSize, PageGeometry geometry,
            PageSource delegate, Executor ioExecutor) {
        if (directory == null || geometry == null || delegate == null || ioExecutor == null) {
            throw new IllegalArgumentException("directory, geometry, delegate and I/O executor are required");
        }
        if (regionSize <= 0 || regionSize % geometry.pageSize() != 0) {
            throw new IllegalArgumentException("SSD cache region size " + regionSize
                    + " is not a positive multiple of the page size " + geometry.pageSize());
        }
        if (fileBytes < regionSize) {
            throw new IllegalArgumentException("SSD cache size " + fileBytes + " holds no region of " + regionSize);
        }
        this.delegate = delegate;
        this.ioExecutor = ioExecutor;
        this.geometry = geometry;
        this.pageSize = geometry.pageSize();
        this.pagesPerRegion = regionSize / pageSize;
        long regions = fileBytes / regionSize;
        this.regionCount = checkedInt(regions, "SSD cache regions");
        int slots = checkedInt(regions * pagesPerRegion, "SSD cache pages");
        this.agingPeriod = (long) regionCount * AGING_TOUCHES_PER_REGION;
        this.regionOf = new HashMap<>(regionCount * 2);
        this.owner = new ChunkKey[regionCount];
        this.generation = new long[regionCount];
        this.present = new long[(slots + 63) >>> 6];
        this.filling = new long[present.length];
        this.writers = new int[regionCount];
        this.crc = new int[slots];
        this.frequency = new int[regionCount];
        this.file = directory.resolve(FILE_NAME);
        this.channel = createFile(file, regions * regionSize);
    }

    /**
     * The SSD tier configured by {@code strata.cache.ssd.*} and {@code strata.cache.page-size}.
     *
     * @throws IllegalArgumentException if the SSD tier is off ({@code strata.cache.ssd.size = 0})
     */
    public static SsdPageCache create(CacheSettings settings, PageSource delegate, Executor ioExecutor) {
        if (!settings.ssdEnabled()) {
            throw new IllegalArgumentException("strata.cache.ssd.size = 0: the SSD tier is off");
        }
        return new SsdPageCache(settings.ssdDirectory(), settings.ssdBytes(), settings.regionSize(),
                new PageGeometry(settings.pageSize()), delegate, ioExecutor);
    }

    private static FileChannel createFile(Path file, long size) {
        FileChannel channel = null;
        try {
            Files.createDirectories(file.getParent());
            Files.deleteIfExists(file);
            channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(ZERO_FILL_BYTES, size));
            for (long position = 0; position < size; ) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), size - position));
                position += channel.write(zeros, position);
            }
            return channel;
        } catch (IOException e) {
            try {
                if (channel != null) {
                    channel.close();
                }
                Files.deleteIfExists(file);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new SsdCacheException(file, "cannot create and preallocate " + size + " bytes", e);
        }
    }

    private static int checkedInt(long value, String what) {
        if (value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(what + ": " + value + " is more than one array can index");
        }
        return (int) value;
    }

    @Override
    public CompletableFuture<List<Page>> readPages(ObjectId object, long[] pageIndexes) {
        long pageCount = geometry.pageCount(object.length());
        for (int i = 0; i < pageIndexes.length; i++) {
            long page = pageIndexes[i];
            if (page < 0 || page >= pageCount || (i > 0 && page <= pageIndexes[i - 1])) {
                return CompletableFuture.failedFuture(new IllegalArgumentException("page indexes of " + object
                        + " must be ascending, distinct and inside the object: " + Arrays.toString(pageIndexes)));
            }
        }
        if (pageIndexes.length == 0) {
            return CompletableFuture.completedFuture(List.of());
        }
        Page[] out = new Page[pageIndexes.length];
        List<SlotRead> reads;
        synchronized (lock) {
            if (closed) {
                return CompletableFuture.failedFuture(new IllegalStateException("SSD cache " + file + " is closed"));
            }
            reads = planReads(object, pageIndexes);
        }
        if (reads.isEmpty()) {
            return fetchMissing(object, pageIndexes, out);
        }
        CompletableFuture<Void> served;
        try {
            // The continuation below sees what readPresent stored in `out`: completing the future
            // happens-after the task's writes.
            served = CompletableFuture.runAsync(() -> readPresent(reads, out), ioExecutor);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(e);
        }
        return served.thenCompose(ignored -> fetchMissing(object, pageIndexes, out));
    }

    /** Notes the present pages of a request and counts a read of each region it touches. */
    private List<SlotRead> planReads(ObjectId object, long[] pageIndexes) {
        assert Thread.holdsLock(lock);
        List<SlotRead> reads = new ArrayList<>();
        long chunk = -1;
        int region = -1;
        for (int i = 0; i < pageIndexes.length; i++) {
            long page = pageIndexes[i];
            if (page / pagesPerRegion != chunk) {
                // Indexes are sorted, so each chunk of the request is looked up once.
                chunk = page / pagesPerRegion;
                Integer r = regionOf.get(new ChunkKey(object, chunk));
                region = r == null ? -1 : r;
                if (region >= 0) {
                    touch(region);
                }
            }
            if (region >= 0) {
                int slot = slot(region, page);
                if (isSet(present, slot)) {
                    reads.add(new SlotRead(i, region, slot, generation[region], crc[slot],
                            geometry.pageLength(object, page)));
                }
            }
        }
        return reads;
    }

    /** Reads noted pages from the file and keeps, in {@code out}, those that pass both checks. */
    private void readPresent(List<SlotRead> reads, Page[] out) {
        assert StrataThreads.assertIo("SSD cache read");
        byte[][] bytes = new byte[reads.size()][];
        int[] actualCrc = new int[reads.size()];
        for (int start = 0, end; start < reads.size(); start = end) {
            end = start + 1;
            while (end < reads.size() && reads.get(end).slot() == reads.get(end - 1).slot() + 1
                    && reads.get(end - 1).length() == pageSize) {
                end++;
            }
            readRun(reads, start, end, bytes, actualCrc);
        }
        int served = 0;
        synchronized (lock) {
            for (int k = 0; k < reads.size(); k++) {
                SlotRead read = reads.get(k);
                if (bytes[k] == null) {
                    continue;
                }
                if (generation[read.region()] != read.generation()) {
                    racedPages.increment();
                } else if (actualCrc[k] != read.crc()) {
                    corruptPages.increment();
                    // Still this chunk's slot (same generation): forget it so the refetch rewrites it.
                    clear(present, read.slot());
                } else {
                    out[read.position()] = new Page(bytes[k], Tier.SSD);
                    served++;
                }
            }
        }
        hits.add(served);
    }

    /** Reads the contiguous slots {@code reads[start, end)} with one positional read. */
    private void readRun(List<SlotRead> reads, int start, int end, byte[][] bytes, int[] actualCrc) {
        int length = 0;
        for (int k = start; k < end; k++) {
            length += reads.get(k).length();
        }
        long position = (long) reads.get(start).slot() * pageSize;
        ByteBuffer buffer = ByteBuffer.allocate(length);
        try {
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, position + buffer.position()) < 0) {
                    throw new EOFException("end of file at " + (position + buffer.position()));
                }
            }
        } catch (IOException e) {
            if (channel.isOpen()) {
                ioErrors.increment();
                log.warn("SSD cache file {}: reading {} bytes at {} failed, fetching those pages instead",
                        file, length, position, e);
            }
            return;
        }
        bytesRead.add(length);
        byte[] all = buffer.array();
        CRC32C checksum = new CRC32C();
        for (int k = start, offset = 0; k < end; k++) {
            int pageLength = reads.get(k).length();
            checksum.reset();
            checksum.update(all, offset, pageLength);
            actualCrc[k] = (int) checksum.getValue();
            bytes[k] = end - start == 1 ? all : Arrays.copyOfRange(all, offset, offset + pageLength);
            offset += pageLength;
        }
    }

    /**
     * Fetches every page {@code out} still lacks in one colder read, completes the request, and
     * queues the fetched pages for writing.
     */
    private CompletableFuture<List<Page>> fetchMissing(ObjectId object, long[] pageIndexes, Page[] out) {
        int missing = 0;
        for (Page page : out) {
            if (page == null) {
                missing++;
            }
        }
        if (missing == 0) {
            return CompletableFuture.completedFuture(List.of(out));
        }
        long[] indexes = new long[missing];
        int[] positions = new int[missing];
        for (int i = 0, m = 0; i < out.length; i++) {
            if (out[i] == null) {
                indexes[m] = pageIndexes[i];
                positions[m++] = i;
            }
        }
        misses.add(missing);
        return PageReads.read(delegate, object, indexes).thenApply(pages -> {
            PageReads.requireCount(pages, object, indexes);
            for (int m = 0; m < indexes.length; m++) {
                Page page = pages.get(m);
                int expected = geometry.pageLength(object, indexes[m]);
                if (page.bytes().length != expected) {
                    throw new IllegalStateException("colder tier returned " + page.bytes().length
                            + " bytes for page " + indexes[m] + " of " + object + ", expected " + expected);
                }
                out[positions[m]] = page;
            }
            // Only queues the write: the caller gets its pages without waiting for the file.
            scheduleWrite(object, indexes, pages);
            return List.of(out);
        });
    }

    private void scheduleWrite(ObjectId object, long[] pageIndexes, List<Page> pages) {
        try {
            ioExecutor.execute(() -> store(object, pageIndexes, pages));
        } catch (RejectedExecutionException e) {
            skippedWrites.add(pageIndexes.length);
        }
    }

    /** Writes fetched pages into their chunks' regions, assigning regions as needed. */
    private void store(ObjectId object, long[] pageIndexes, List<Page> pages) {
        assert StrataThreads.assertIo("SSD cache write");
        Reservation reservation = reserve(object, pageIndexes, pages);
        if (reservation == null) {
            return;
        }
        List<SlotWrite> writes = reservation.writes();
        int[] checksums = new int[writes.size()];
        CRC32C checksum = new CRC32C();
        for (int k = 0; k < writes.size(); k++) {
            byte[] bytes = writes.get(k).bytes();
            checksum.reset();
            checksum.update(bytes, 0, bytes.length);
            checksums[k] = (int) checksum.getValue();
        }
        boolean[] written = new boolean[writes.size()];
        for (int start = 0, end; start < writes.size(); start = end) {
            end = start + 1;
            while (end < writes.size() && writes.get(end).slot() == writes.get(end - 1).slot() + 1
                    && writes.get(end - 1).bytes().length == pageSize) {
                end++;
            }
            if (writeRun(writes, start, end)) {
                Arrays.fill(written, start, end, true);
            }
        }
        synchronized (lock) {
            for (int k = 0; k < writes.size(); k++) {
                SlotWrite write = writes.get(k);
                assert generation[write.region()] == write.generation() : "region evicted while being written";
                assert isSet(filling, write.slot()) && !isSet(present, write.slot());
                clear(filling, write.slot());
                if (written[k]) {
                    crc[write.slot()] = checksums[k];
                    set(present, write.slot());
                }
            }
            for (int region : reservation.regions()) {
                writers[region]--;
                assert writers[region] >= 0;
            }
        }
    }

    /**
     * Under the lock: finds or assigns each chunk's region, pins it against eviction, and marks
     * the slots this batch will write as filling. Returns null if the cache is closed.
     */
    private Reservation reserve(ObjectId object, long[] pageIndexes, List<Page> pages) {
        List<SlotWrite> writes = new ArrayList<>(pageIndexes.length);
        int[] regions = new int[pageIndexes.length];
        int pinned = 0;
        synchronized (lock) {
            if (closed) {
                return null;
            }
            long chunk = -1;
            int region = -1;
            for (int i = 0; i < pageIndexes.length; i++) {
                long page = pageIndexes[i];
                if (page / pagesPerRegion != chunk) {
                    chunk = page / pagesPerRegion;
                    region = regionFor(new ChunkKey(object, chunk));
                    if (region >= 0) {
                        writers[region]++;
                        regions[pinned++] = region;
                    }
                }
                if (region < 0) {
                    skippedWrites.increment();
                    continue;
                }
                int slot = slot(region, page);
                if (isSet(present, slot) || isSet(filling, slot)) {
                    continue;
                }
                set(filling, slot);
                writes.add(new SlotWrite(region, slot, generation[region], pages.get(i).bytes()));
            }
        }
        return new Reservation(writes, Arrays.copyOf(regions, pinned));
    }

    /** Writes the contiguous slots {@code writes[start, end)} with one positional write. */
    private boolean writeRun(List<SlotWrite> writes, int start, int end) {
        int length = 0;
        for (int k = start; k < end; k++) {
            length += writes.get(k).bytes().length;
        }
        ByteBuffer buffer = ByteBuffer.allocate(length);
        for (int k = start; k < end; k++) {
            buffer.put(writes.get(k).bytes());
        }
        buffer.flip();
        long position = (long) writes.get(start).slot() * pageSize;
        try {
            while (buffer.hasRemaining()) {
                channel.write(buffer, position + buffer.position());
            }
        } catch (IOException e) {
            if (channel.isOpen()) {
                ioErrors.increment();
                log.warn("SSD cache file {}: writing {} bytes at {} failed, not caching those pages",
                        file, length, position, e);
            }
            return false;
        }
        bytesWritten.add(length);
        return true;
    }

    /** The region holding a chunk, assigning one (evicting if needed); -1 if none can be had. */
    private int regionFor(ChunkKey chunk) {
        assert Thread.holdsLock(lock);
        Integer existing = regionOf.get(chunk);
        if (existing != null) {
            return existing;
        }
        int region;
        if (neverUsed < regionCount) {
            region = neverUsed++;
        } else {
            region = leastFrequentIdleRegion();
            if (region < 0) {
                return -1;
            }
            assert writers[region] == 0 && Integer.valueOf(region).equals(regionOf.get(owner[region]));
            regionOf.remove(owner[region]);
            for (int s = region * pagesPerRegion, end = s + pagesPerRegion; s < end; s++) {
                // No slot of an idle region is filling, so clearing presence empties it.
                assert !isSet(filling, s);
                clear(present, s);
            }
            evictions.increment();
        }
        // The bump precedes any write of the new chunk: writes reserve slots under this lock.
        generation[region]++;
        owner[region] = chunk;
        regionOf.put(chunk, region);
        frequency[region] = 1;
        assert regionOf.size() <= regionCount;
        return region;
    }

    /**
     * The region with the lowest frequency among those no write is filling, scanning from just
     * after the previous victim so ties rotate through the file; -1 if every region is pinned.
     */
    private int leastFrequentIdleRegion() {
        int victim = -1;
        for (int n = 0, r = evictionCursor; n < regionCount; n++, r = r + 1 == regionCount ? 0 : r + 1) {
            if (writers[r] == 0 && (victim < 0 || frequency[r] < frequency[victim])) {
                victim = r;
                if (frequency[r] == 0) {
                    break;
                }
            }
        }
        if (victim >= 0) {
            evictionCursor = victim + 1 == regionCount ? 0 : victim + 1;
        }
        return victim;
    }

    /** Counts a read of a region and periodically halves every frequency (aging). */
    private void touch(int region) {
        if (frequency[region] < MAX_FREQUENCY) {
            frequency[region]++;
        }
        if (++touches >= agingPeriod) {
            touches = 0;
            for (int r = 0; r < regionCount; r++) {
                frequency[r] >>>= 1;
            }
        }
    }

    private int slot(int region, long pageIndex) {
        return region * pagesPerRegion + (int) (pageIndex % pagesPerRegion);
    }

    private static boolean isSet(long[] bits, int i) {
        return (bits[i >>> 6] & (1L << i)) != 0;
    }

    private static void set(long[] bits, int i) {
        bits[i >>> 6] |= 1L << i;
    }

    private static void clear(long[] bits, int i) {
        bits[i >>> 6] &= ~(1L << i);
    }

    /** The cache file. */
    public Path file() {
        return file;
    }

    /** The number of regions the file is cut into. */
    public int regionCount() {
        return regionCount;
    }

    /** A snapshot of the counters; the tier keeps counting while it is taken. */
    public SsdCacheStats stats() {
        return new SsdCacheStats(hits.sum(), misses.sum(), bytesRead.sum(), bytesWritten.sum(), evictions.sum(),
                corruptPages.sum(), racedPages.sum(), ioErrors.sum(), skippedWrites.sum());
    }

    /**
     * Stops serving from the file, closes and deletes it. Reads still in flight fall back to the
     * colder tier; writes still queued are dropped.
     *
     * @throws SsdCacheException if the file cannot be closed or deleted
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            channel.close();
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new SsdCacheException(file, "cannot close and delete", e);
        }
    }

    /** A chunk of an object: pages {@code [index * pagesPerRegion, (index + 1) * pagesPerRegion)}. */
    private record ChunkKey(ObjectId object, long index) {}

    /** A present page a read will take from the file, with what it must still match afterwards. */
    private record SlotRead(int position, int region, int slot, long generation, int crc, int length) {}

    /** A fetched page reserved for writing into a filling slot. */
    private record SlotWrite(int region, int slot, long generation, byte[] bytes) {}

    /** The slots a write batch reserved and the regions it pinned (each once per chunk). */
    private record Reservation(List<SlotWrite> writes, int[] regions) {}
}
