package dev.strata.index.ivf;

import dev.strata.index.io.ByteRange;
import dev.strata.index.io.RangeSource;
import dev.strata.index.vector.CodeBlock;
import dev.strata.index.vector.Metric;
import dev.strata.index.vector.QuantizedQuery;
import dev.strata.index.vector.RaBitQuantizer;
import dev.strata.index.vector.RandomRotation;
import dev.strata.index.vector.VectorUtil;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.zip.CRC32C;
import org.roaringbitmap.PeekableIntIterator;
import org.roaringbitmap.RoaringBitmap;

/**
 * Searches an IVF vector section (layout in {@link IvfFormat}) through a {@link RangeSource},
 * never assuming its bytes are in memory.
 *
 * <p>Implementation notes. {@link #open} reads the header and then the centroids and partition
 * table (both small) once and keeps them, with the rotated centroids, on the heap. An approximate
 * {@link #search} then issues at most two sequential reads: one for the code blocks of every
 * chosen partition together (so the tier below can coalesce them; a source with a memory
 * tier keeps them verified and decoded, and then answers without reading), and one for the vector
 * records of every rerank candidate together. Each read's future may complete on an I/O
 * thread, so every continuation that computes hops to the {@code compute} executor with
 * {@code thenApplyAsync}. Scoring keeps the candidates whose RaBitQ lower bound is not beaten by
 * the k-th best upper bound, at most {@code k × rerankMultiple} of them by estimate. Filters
 * are applied inside the scan: a narrow filter is answered exactly from the allowed documents'
 * vectors, a wider one makes the scan skip disallowed ordinals and probe further partitions
 * until enough allowed documents were seen. Hits carry the payloads of the vector records the
 * rerank read (a segment stores document ids there), so naming them needs no further read.
 * Every byte range is checksum-verified before use, and a mismatch fails the future with
 * {@link CorruptIndexException}.
 *
 * <p>Instances are immutable after open and safe for concurrent queries; each query allocates
 * its own scratch arrays once (nothing per candidate).
 */
public final class IvfReader {

    /** Exact search reads vector records in batches of about this many bytes, one at a time. */
    private static final int EXACT_BATCH_BYTES = 8 << 20;

    private final String resource;
    private final RangeSource source;
    private final long base;
    private final Executor compute;
    private final Header header;
    private final int dimension;
    private final int count;
    private final int partitions;
    private final float[] centroids;
    private final float[] rotatedCentroids;
    private final int[] partitionFirst;
    private final int[] partitionCount;
    private final long[] codeOffset;
    private final int[] codeCrc;
    private final RaBitQuantizer quantizer;
    private final RandomRotation rotation;
    private final int recordBytes;

    private IvfReader(String resource, RangeSource source, long base, Executor compute,
                      Header header, ByteBuffer meta) {
        this.resource = resource;
        this.source = source;
        this.base = base;
        this.compute = compute;
        this.header = header;
        this.dimension = header.dimension;
        this.count = header.count;
        this.partitions = header.partitions;
        this.quantizer = new RaBitQuantizer(dimension, header.bits);
        this.rotation = new RandomRotation(dimension, header.seed);
        this.recordBytes = IvfFormat.vectorRecordBytes(dimension, header.encoding, header.payloadSlot);

        int metaBytes = (int) (header.metaLength - IvfFormat.HEADER_BYTES);
        if (meta.remaining() != metaBytes) {
            throw corrupt("meta read returned " + meta.remaining() + " of " + metaBytes + " bytes");
        }
        byte[] bytes = new byte[metaBytes];
        meta.get(meta.position(), bytes, 0, metaBytes);
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (crc(bytes, 0, metaBytes - Integer.BYTES) != in.getInt(metaBytes - Integer.BYTES)) {
            throw corrupt("centroids and partition table " + absolute(IvfFormat.HEADER_BYTES,
                    header.metaLength) + " fail their checksum");
        }
        this.centroids = new float[partitions * dimension];
        in.asFloatBuffer().get(centroids);
        in.position(centroids.length * Float.BYTES);
        this.partitionFirst = new int[partitions];
        this.partitionCount = new int[partitions];
        this.codeOffset = new long[partitions];
        this.codeCrc = new int[partitions];
        long expectedOffset = header.metaLength;
        int expectedFirst = 0;
        for (int p = 0; p < partitions; p++) {
            partitionFirst[p] = in.getInt();
            partitionCount[p] = in.getInt();
            codeOffset[p] = in.getLong();
            codeCrc[p] = in.getInt();
            if (partitionFirst[p] != expectedFirst || partitionCount[p] < 0
                    || partitionCount[p] > count - expectedFirst
                    || codeOffset[p] != expectedOffset) {
                throw corrupt("partition table entry " + p + " is inconsistent");
            }
            expectedFirst += partitionCount[p];
            expectedOffset += (long) partitionCount[p] * quantizer.bytesPerVector();
        }
        if (expectedFirst != count) {
            throw corrupt("partitions hold " + expectedFirst + " of " + count + " documents");
        }
        this.rotatedCentroids = new float[centroids.length];
        float[] rotated = new float[dimension];
        for (int p = 0; p < partitions; p++) {
            rotation.rotate(centroids, p * dimension, rotated);
            System.arraycopy(rotated, 0, rotatedCentroids, p * dimension, dimension);
        }
    }

    /** Opens the section at {@code [offset, offset + length)} of {@code source}. */
    public static CompletableFuture<IvfReader> open(RangeSource source, long offset, long length,
                                                    Executor compute) {
        return open(String.valueOf(source), source, offset, length, compute);
    }

    /**
     * Opens the section at {@code [offset, offset + length)} of {@code source}; {@code resource}
     * names the object in errors. Reads the header, then the centroids and partition table.
     */
    public static CompletableFuture<IvfReader> open(String resource, RangeSource source,
                                                    long offset, long length, Executor compute) {
        String name = sectionName(resource, source, offset, length, compute);
        if (source.length() < offset + length) {
            return CompletableFuture.failedFuture(truncated(name, source));
        }
        if (length < IvfFormat.HEADER_BYTES) {
            return CompletableFuture.failedFuture(new CorruptIndexException(name,
                    "truncated: " + length + " bytes cannot hold the header"));
        }
        return source.read(List.of(ByteRange.ofLength(offset, IvfFormat.HEADER_BYTES)))
                .thenApplyAsync(buffers -> Header.parse(name, buffers.get(0), length), compute)
                .thenCompose(header -> source.read(List.of(ByteRange.ofLength(
                                offset + IvfFormat.HEADER_BYTES,
                                header.metaLength - IvfFormat.HEADER_BYTES)))
                        .thenApplyAsync(buffers -> new IvfReader(name, source, offset, compute,
                                header, buffers.get(0)), compute));
    }

    /**
     * Opens the section at {@code [offset, offset + length)} of {@code source} whose header,
     * centroids and partition table span its first {@code metaLength} bytes (as recorded from
     * {@link #metaLength()} of an earlier open): one read instead of two. A {@code metaLength}
     * that disagrees with the header read fails the future with {@link CorruptIndexException}.
     */
    public static CompletableFuture<IvfReader> open(String resource, RangeSource source, long offset,
                                                    long length, long metaLength, Executor compute) {
        String name = sectionName(resource, source, offset, length, compute);
        if (source.length() < offset + length) {
            return CompletableFuture.failedFuture(truncated(name, source));
        }
        if (metaLength < IvfFormat.HEADER_BYTES || metaLength > length) {
            return CompletableFuture.failedFuture(new CorruptIndexException(name,
                    "metadata length " + metaLength + " does not fit a section of " + length + " bytes"));
        }
        return source.read(List.of(ByteRange.ofLength(offset, metaLength))).thenApplyAsync(buffers -> {
            ByteBuffer all = buffers.get(0);
            if (all.remaining() != metaLength) {
                throw new CorruptIndexException(name, "metadata read returned " + all.remaining()
                        + " of " + metaLength + " bytes");
            }
            int headerEnd = all.position() + IvfFormat.HEADER_BYTES;
            Header header = Header.parse(name, all.duplicate().limit(headerEnd), length);
            if (header.metaLength != metaLength) {
                throw new CorruptIndexException(name, "metadata length " + metaLength
                        + " disagrees with the header's " + header.metaLength);
            }
            return new IvfReader(name, source, offset, compute, header,
                    all.duplicate().position(headerEnd));
        }, compute);
    }

    /** Checks the arguments every open takes; returns the section's name for errors. */
    private static String sectionName(String resource, RangeSource source, long offset,
                                      long length, Executor compute) {
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(compute, "compute");
        return resource + " IVF section " + ByteRange.ofLength(offset, length);
    }

    private static CorruptIndexException truncated(String name, RangeSource source) {
        return new CorruptIndexException(name, "truncated: the object has only " + source.length()
                + " bytes");
    }

    /** Bytes from the section's start through the partition table: what {@link #open} reads first. */
    public long metaLength() {
        return header.metaLength;
    }

    public int dimension() {
        return dimension;
    }

    /** Number of documents (ordinals are {@code [0, size())}). */
    public int size() {
        return count;
    }

    public int partitions() {
        return partitions;
    }

    public Metric metric() {
        return header.metric;
    }

    public VectorEncoding encoding() {
        return header.encoding;
    }

    /** Whether the vector records carry payloads, which hits then return. */
    public boolean hasPayloads() {
        return header.payloadSlot > 0;
    }

    /**
     * The {@code k} nearest documents to {@code query} among those in {@code allowedOrNull} (all
     * documents when null), by exact distance, nearest first; approximate in which documents are
     * found, exact in the distances reported.
     */
    public CompletableFuture<List<Hit>> search(float[] query, int k, SearchParams params,
                                               RoaringBitmap allowedOrNull) {
        Objects.requireNonNull(params, "params");
        float[] q = checkQuery(query, k);
        if (count == 0) {
            return CompletableFuture.completedFuture(List.of());
        }
        long allowed = count;
        long floor = 0;
        if (allowedOrNull != null) {
            allowed = allowedOrNull.rangeCardinality(0, count);
            if (allowed == 0) {
                return CompletableFuture.completedFuture(List.of());
            }
            if (allowed <= params.exactFilterLimit()) {
                return rerank(q, k, allowedOrdinals(allowedOrNull));
            }
            floor = (long) k * params.filterCandidateMultiple();
        }
        float[] searchQuery = q;
        if (header.metric == Metric.COSINE_DISTANCE) {
            searchQuery = q.clone();
            VectorUtil.normalize(searchQuery);
        }
        int[] probes = choosePartitions(searchQuery, params.nprobeFor(partitions), allowedOrNull,
                allowed, floor, params.filterCoverage());
        List<ByteRange> ranges = new ArrayList<>(probes.length);
        for (int p : probes) {
            ranges.add(ByteRange.ofLength(base + codeOffset[p],
                    (long) partitionCount[p] * quantizer.bytesPerVector()));
        }
        float[] scanQuery = searchQuery;
        int cap = (int) Math.min(Integer.MAX_VALUE, (long) k * params.rerankMultiple());
        return source.readDecoded(ranges, new CodeBlocks(probes), compute)
                .thenApplyAsync(blocks -> scan(scanQuery, k, cap, probes, blocks, allowedOrNull),
                        compute)
                .thenCompose(candidates -> rerank(q, k, candidates));
    }

    /** The exact {@code k} nearest documents among the allowed ones (all when null). */
    public CompletableFuture<List<Hit>> exactSearch(float[] query, int k,
                                                    RoaringBitmap allowedOrNull) {
        float[] q = checkQuery(query, k);
        int[] ordinals = allowedOrNull == null ? null : allowedOrdinals(allowedOrNull);
        int total = ordinals == null ? count : ordinals.length;
        int perBatch = Math.max(1, EXACT_BATCH_BYTES / recordBytes);
        TopK top = new TopK(k);
        CompletableFuture<TopK> chain = CompletableFuture.completedFuture(top);
        for (int from = 0; from < total; from += perBatch) {
            int batchFrom = from;
            int batchTo = Math.min(total, from + perBatch);
            // Batches run one after another; each continuation sees the previous one's updates
            // to top because future completion orders them (happens-before).
            chain = chain.thenCompose(t -> readAndScore(q, t, ordinals, batchFrom, batchTo));
        }
        return chain.thenApply(TopK::drainSorted);
    }

    /** The stored vector of {@code ordinal} (as stored: original, or rounded to f16). */
    public CompletableFuture<float[]> vector(int ordinal) {
        return vectors(new int[] {ordinal}).thenApply(vectors -> vectors[0]);
    }

    /**
     * The stored vectors of {@code ordinals} (ascending and distinct), in their order, in one
     * read of their records (runs of consecutive ordinals are one range each).
     */
    public CompletableFuture<float[][]> vectors(int[] ordinals) {
        for (int i = 0; i < ordinals.length; i++) {
            Objects.checkIndex(ordinals[i], count);
            if (i > 0 && ordinals[i] <= ordinals[i - 1]) {
                throw new IllegalArgumentException("ordinals must ascend: " + ordinals[i - 1] + ", "
                        + ordinals[i]);
            }
        }
        float[][] out = new float[ordinals.length][];
        int[] next = {0};
        return readRecords(ordinals, 0, ordinals.length, (ordinal, v, record) -> out[next[0]++] = v.clone())
                .thenApply(ignored -> out);
    }

    // ---- search internals ---------------------------------------------------------------------

    /**
     * Partitions to scan, nearest centroid first. Unfiltered: the {@code nprobe} nearest
     * non-empty ones. Under a filter ({@code allowed} of the documents pass it), only partitions
     * holding allowed documents count, and probing goes on past {@code nprobe} of them until the
     * allowed documents covered reach {@code coverage} times the share of all allowed documents
     * that the unfiltered probes cover of all documents, and at least {@code floor}. With
     * coverage 1, a filter that is independent of the vectors thus probes about the unfiltered
     * partitions; one that removes most documents near the query probes further out.
     */
    private int[] choosePartitions(float[] q, int nprobe, RoaringBitmap filter, long allowed,
                                   long floor, int coverage) {
        long[] keys = new long[partitions];
        int candidates = 0;
        for (int p = 0; p < partitions; p++) {
            if (filter == null && partitionCount[p] == 0) {
                continue; // never probed unfiltered
            }
            float d = VectorUtil.squareDistance(q, 0, centroids, p * dimension, dimension);
            keys[candidates++] = orderKey(d, p);
        }
        if (filter == null) {
            // Only the nprobe nearest are needed, in order: select them, then sort just those.
            int n = Math.min(nprobe, candidates);
            selectSmallest(keys, candidates, n);
            Arrays.sort(keys, 0, n);
            int[] chosen = new int[n];
            for (int i = 0; i < n; i++) {
                chosen[i] = (int) keys[i];
            }
            return chosen;
        }
        Arrays.sort(keys);
        int[] chosen = new int[partitions];
        int n = 0;
        long unfiltered = 0;
        for (int i = 0, probed = 0; i < partitions && probed < nprobe; i++) {
            int p = (int) keys[i];
            if (partitionCount[p] > 0) {
                unfiltered += partitionCount[p];
                probed++;
            }
        }
        long target = Math.max(floor,
                (long) Math.ceil((double) coverage * allowed * unfiltered / count));
        long seen = 0;
        for (long key : keys) {
            int p = (int) key;
            if (partitionCount[p] == 0) {
                continue;
            }
            long inPartition = filter.rangeCardinality(partitionFirst[p],
                    (long) partitionFirst[p] + partitionCount[p]);
            if (inPartition == 0) {
                continue;
            }
            seen += inPartition;
            chosen[n++] = p;
            if (n >= nprobe && seen >= target) {
                break;
            }
        }
        return Arrays.copyOf(chosen, n);
    }

    /**
     * Reorders {@code keys[0, size)} so that its {@code n} smallest values come first, in no
     * particular order (quickselect with median-of-three pivots; the keys are distinct).
     */
    static void selectSmallest(long[] keys, int size, int n) {
        int lo = 0;
        int hi = size - 1;
        while (n > 0 && n < hi - lo + 1) {
            int mid = (lo + hi) >>> 1;
            long a = keys[lo];
            long b = keys[mid];
            long c = keys[hi];
            long pivot = Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (keys[i] < pivot) {
                    i++;
                }
                while (keys[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    long t = keys[i];
                    keys[i] = keys[j];
                    keys[j] = t;
                    i++;
                    j--;
                }
            }
            // Now keys[lo, j] ≤ pivot ≤ keys[i, hi], and any keys in (j, i) equal the pivot.
            int left = j - lo + 1;
            if (n <= left) {
                hi = j;
            } else if (n <= i - lo) {
                return;
            } else {
                n -= i - lo;
                lo = i;
            }
        }
    }

    /** Scores the codes of the probed partitions; returns rerank candidates, ascending. */
    private int[] scan(float[] q, int k, int cap, int[] probes, List<CodeBlock> blocks,
                       RoaringBitmap allowed) {
        int largest = 0;
        int total = 0;
        for (int p : probes) {
            largest = Math.max(largest, partitionCount[p]);
            total += partitionCount[p];
        }
        float[] blockEstimate = new float[largest];
        float[] blockBound = new float[largest];
        float[] rotatedQuery = new float[dimension];
        rotation.rotate(q, 0, rotatedQuery);
        QuantizedQuery quantized = quantizer.newQuery();
        quantized.reserve(largest);
        // Codes that may still be candidates: the threshold below (the k-th smallest upper bound
        // seen) only falls, so a code whose lower bound is above it now never becomes one. A few
        // hundred is typical (269 a query on average at 1M documents, default parameters).
        Candidates candidates = new Candidates(Math.min(total, 512));
        KthSmallest upper = new KthSmallest(k);
        for (int i = 0; i < probes.length; i++) {
            int p = probes[i];
            int n = partitionCount[p];
            quantized.prepare(rotatedQuery, rotatedCentroids, p * dimension);
            quantized.estimateBlock(blocks.get(i), blockEstimate, blockBound);
            int first = partitionFirst[p];
            if (allowed == null) {
                // Both passes skip, a vector at a time, the codes that change nothing: once the
                // first partitions are scanned, few upper bounds beat the threshold and few lower
                // bounds pass it.
                for (int j = VectorUtil.firstUpperBelow(blockEstimate, blockBound, 0, n, upper.value()); j < n;
                        j = VectorUtil.firstUpperBelow(blockEstimate, blockBound, j + 1, n, upper.value())) {
                    upper.offer(blockEstimate[j] + blockBound[j]);
                }
                float threshold = upper.value();
                for (int j = VectorUtil.firstLowerAtMost(blockEstimate, blockBound, 0, n, threshold); j < n;
                        j = VectorUtil.firstLowerAtMost(blockEstimate, blockBound, j + 1, n, threshold)) {
                    candidates.add(blockEstimate[j], blockBound[j], first + j);
                }
            } else {
                PeekableIntIterator it = allowed.getIntIterator();
                it.advanceIfNeeded(first);
                int end = first + n;
                while (it.hasNext()) {
                    int next = it.peekNext();
                    if (next < 0 || next >= end) {
                        break; // unsigned order: negatives come last
                    }
                    it.next();
                    float e = blockEstimate[next - first];
                    float b = blockBound[next - first];
                    upper.offer(e + b);
                    if (e - b <= upper.value()) {
                        candidates.add(e, b, next);
                    }
                }
            }
        }
        // Candidates whose lower bound is not beaten by the k-th best upper bound; of those, the
        // cap smallest by (estimate, ordinal), found by partial selection rather than a heap.
        float threshold = upper.value();
        long[] keys = new long[candidates.size];
        int passed = 0;
        for (int i = 0; i < candidates.size; i++) {
            if (candidates.lower[i] <= threshold) {
                keys[passed++] = orderKey(candidates.estimate[i], candidates.ordinal[i]);
            }
        }
        int n = Math.min(cap, passed);
        selectSmallest(keys, passed, n);
        int[] chosen = new int[n];
        for (int i = 0; i < n; i++) {
            chosen[i] = (int) keys[i];
        }
        Arrays.sort(chosen);
        return chosen;
    }

    /**
     * A long that orders like the pair ({@code distance}, {@code id}) does (by distance, then
     * id; {@code -0f} as {@code 0f}), for a non-negative id and a distance that is not NaN.
     */
    static long orderKey(float distance, int id) {
        int bits = Float.floatToIntBits(distance + 0f); // -0f + 0f is 0f
        bits ^= (bits >> 31) & 0x7fff_ffff; // order-preserving float → int
        return ((long) bits << 32) | id;
    }

    /**
     * Verifies the code blocks of the probed partitions and decodes each into a block of its
     * own, which the source may keep for later searches.
     */
    private final class CodeBlocks implements RangeSource.Decoder<CodeBlock> {
        private final int[] probes;

        CodeBlocks(int[] probes) {
            this.probes = probes;
        }

        @Override
        public Class<CodeBlock> type() {
            return CodeBlock.class;
        }

        @Override
        public CodeBlock decode(int index, ByteBuffer buffer) {
            int p = probes[index];
            int length = partitionCount[p] * quantizer.bytesPerVector();
            if (buffer.remaining() != length) {
                throw corrupt("read of partition " + p + " code block returned "
                        + buffer.remaining() + " of " + length + " bytes");
            }
            CRC32C crc = new CRC32C();
            crc.update(buffer.slice());
            if ((int) crc.getValue() != codeCrc[p]) {
                throw corrupt("code block of partition " + p + " "
                        + absolute(codeOffset[p], codeOffset[p] + length) + " fails its checksum");
            }
            CodeBlock block = quantizer.newBlock(partitionCount[p]);
            block.read(buffer, partitionCount[p]);
            return block;
        }

        @Override
        public long weight(CodeBlock block) {
            return block.heapBytes();
        }
    }

    /** Exact distances for the given ascending ordinals, in one read. */
    private CompletableFuture<List<Hit>> rerank(float[] q, int k, int[] ordinals) {
        if (ordinals.length == 0) {
            return CompletableFuture.completedFuture(List.of());
        }
        return readAndScore(q, new TopK(k), ordinals, 0, ordinals.length)
                .thenApply(TopK::drainSorted);
    }

    /**
     * Reads the vector records of {@code ordinals} (ascending; null means all ordinals) at
     * positions {@code [from, to)} in one read, and offers their exact distances.
     */
    private CompletableFuture<TopK> readAndScore(float[] q, TopK top, int[] ordinals, int from,
                                                 int to) {
        return readRecords(ordinals, from, to, (ordinal, v, record) -> {
            if (top.offer(header.metric.distance(q, 0, v, 0, dimension), ordinal) && hasPayloads()) {
                top.keepPayload(ordinal, record.payload(ordinal));
            }
        }).thenApply(ignored -> top);
    }

    /**
     * Receives decoded vector records; {@code vector} is scratch space, valid during the call, as
     * is {@code record}'s payload.
     */
    private interface RecordSink {
        void accept(int ordinal, float[] vector, RecordDecoder record);
    }

    /**
     * Reads the vector records of {@code ordinals} (ascending; null means all ordinals) at
     * positions {@code [from, to)} in one read, verifies them and hands each to {@code sink} in
     * ordinal order, on the compute executor.
     */
    private CompletableFuture<Void> readRecords(int[] ordinals, int from, int to, RecordSink sink) {
        List<ByteRange> ranges = new ArrayList<>();
        List<int[]> runs = new ArrayList<>();
        if (ordinals == null) {
            ranges.add(recordRange(from, to - from));
            runs.add(new int[] {from, to - from});
        } else {
            int i = from;
            while (i < to) {
                int start = ordinals[i];
                int j = i + 1;
                while (j < to && ordinals[j] == ordinals[j - 1] + 1) {
                    j++;
                }
                ranges.add(recordRange(start, j - i));
                runs.add(new int[] {start, j - i});
                i = j;
            }
        }
        return source.read(ranges).thenAcceptAsync(buffers -> {
            RecordDecoder decoder = new RecordDecoder();
            for (int r = 0; r < runs.size(); r++) {
                int first = runs.get(r)[0];
                int length = runs.get(r)[1];
                ByteBuffer buffer = buffers.get(r);
                decoder.checkLength(buffer, first, length);
                int position = buffer.position();
                for (int i = 0; i < length; i++, position += recordBytes) {
                    sink.accept(first + i, decoder.decode(buffer, position, first + i), decoder);
                }
            }
        }, compute);
    }

    /** Scored codes kept for the final candidate selection, in growing parallel arrays. */
    private static final class Candidates {
        float[] estimate;
        float[] lower;
        int[] ordinal;
        int size;

        Candidates(int capacity) {
            estimate = new float[capacity];
            lower = new float[capacity];
            ordinal = new int[capacity];
        }

        void add(float estimate, float bound, int ordinal) {
            if (size == this.estimate.length) {
                int capacity = Math.max(16, size * 2);
                this.estimate = Arrays.copyOf(this.estimate, capacity);
                lower = Arrays.copyOf(lower, capacity);
                this.ordinal = Arrays.copyOf(this.ordinal, capacity);
            }
            this.estimate[size] = estimate;
            lower[size] = estimate - bound;
            this.ordinal[size] = ordinal;
            size++;
        }
    }

    /** Verifies and decodes vector records with per-call scratch space (not thread-safe). */
    private final class RecordDecoder {
        private final byte[] record = new byte[recordBytes];
        private final ByteBuffer view = ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN);
        private final FloatBuffer floats = view.asFloatBuffer();
        private final ShortBuffer shorts = view.asShortBuffer();
        private final short[] halves = new short[dimension];
        private final float[] vector = new float[dimension];
        private final CRC32C crc = new CRC32C();
        private final int vectorBytes = dimension * header.encoding.bytesPerElement();

        void checkLength(ByteBuffer buffer, int firstOrdinal, int n) {
            long expected = (long) n * recordBytes;
            if (buffer.remaining() != expected) {
                throw corrupt("read of " + n + " vector records from ordinal " + firstOrdinal
                        + " returned " + buffer.remaining() + " of " + expected + " bytes");
            }
        }

        /** The vector of the record at {@code position}; the returned array is reused. */
        float[] decode(ByteBuffer buffer, int position, int ordinal) {
            buffer.get(position, record, 0, recordBytes);
            crc.reset();
            crc.update(record, 0, recordBytes - Integer.BYTES); // the vector and the payload slot
            if ((int) crc.getValue() != view.getInt(recordBytes - Integer.BYTES)) {
                long start = header.vectorsOffset + (long) ordinal * recordBytes;
                throw corrupt("vector record of ordinal " + ordinal + " "
                        + absolute(start, start + recordBytes) + " fails its checksum");
            }
            if (header.encoding == VectorEncoding.F16) {
                shorts.get(0, halves, 0, dimension);
                for (int d = 0; d < dimension; d++) {
                    vector[d] = VectorUtil.halfToFloat(halves[d]);
                }
            } else {
                floats.get(0, vector, 0, dimension);
            }
            return vector;
        }

        /** A copy of the payload of the record last decoded, that of {@code ordinal}. */
        byte[] payload(int ordinal) {
            int slot = vectorBytes;
            int length = Byte.toUnsignedInt(record[slot]);
            if (length >= header.payloadSlot) {
                throw corrupt("vector record of ordinal " + ordinal + " has a payload of " + length
                        + " bytes in a slot of " + header.payloadSlot);
            }
            return Arrays.copyOfRange(record, slot + 1, slot + 1 + length);
        }
    }

    private ByteRange recordRange(int firstOrdinal, int n) {
        return ByteRange.ofLength(base + header.vectorsOffset + (long) firstOrdinal * recordBytes,
                (long) n * recordBytes);
    }

    /** Allowed ordinals below {@link #size()}, ascending. */
    private int[] allowedOrdinals(RoaringBitmap allowed) {
        int[] out = new int[(int) allowed.rangeCardinality(0, count)];
        PeekableIntIterator it = allowed.getIntIterator();
        for (int i = 0; i < out.length; i++) {
            out[i] = it.next();
        }
        return out;
    }

    private float[] checkQuery(float[] query, int k) {
        Objects.requireNonNull(query, "query");
        if (query.length != dimension) {
            throw new IllegalArgumentException("query has " + query.length
                    + " dimensions; " + resource + " has " + dimension);
        }
        if (k < 1) {
            throw new IllegalArgumentException("k must be positive: " + k);
        }
        for (float v : query) {
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException("query has a non-finite value");
            }
        }
        return query.clone();
    }

    private String absolute(long start, long end) {
        return new ByteRange(base + start, base + end).toString();
    }

    private CorruptIndexException corrupt(String detail) {
        return new CorruptIndexException(resource, detail);
    }

    private static int crc(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }

    /** The validated fixed-size header. */
    private record Header(Metric metric, VectorEncoding encoding, int bits, int dimension,
                         int count, int partitions, long seed, long metaLength,
                         long vectorsOffset, int payloadSlot) {

        /** Dimensions above this are rejected as corrupt rather than allocated. */
        private static final int MAX_DIMENSION = 1 << 16;

        static Header parse(String resource, ByteBuffer buffer, long sectionLength) {
            if (buffer.remaining() != IvfFormat.HEADER_BYTES) {
                throw new CorruptIndexException(resource, "header read returned "
                        + buffer.remaining() + " of " + IvfFormat.HEADER_BYTES + " bytes");
            }
            byte[] bytes = new byte[IvfFormat.HEADER_BYTES];
            buffer.get(buffer.position(), bytes, 0, bytes.length);
            ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            if (in.getInt(0) != IvfFormat.MAGIC) {
                throw new CorruptIndexException(resource, "bad magic 0x"
                        + Integer.toHexString(in.getInt(0)));
            }
            if (crc(bytes, 0, IvfFormat.HEADER_CHECKED_BYTES)
                    != in.getInt(IvfFormat.HEADER_CHECKED_BYTES)) {
                throw new CorruptIndexException(resource, "header fails its checksum");
            }
            int version = in.getInt(4);
            if (version < IvfFormat.OLDEST_VERSION || version > IvfFormat.VERSION) {
                throw new CorruptIndexException(resource, "unsupported format version "
                        + version + " (this reader knows " + IvfFormat.OLDEST_VERSION + " to "
                        + IvfFormat.VERSION + ")");
            }
            Metric metric = Metric.fromCode(in.get(8));
            VectorEncoding encoding = VectorEncoding.fromCode(in.get(9));
            int bits = in.get(10);
            int queryBits = in.get(11);
            int dimension = in.getInt(12);
            int count = in.getInt(16);
            int partitions = in.getInt(20);
            long seed = in.getLong(24);
            long metaLength = in.getLong(32);
            long vectorsOffset = in.getLong(40);
            long length = in.getLong(48);
            int payloadSlot = in.getInt(56); // reserved, 0, in version 2
            if (metric == null || encoding == null || bits < 1 || bits > RaBitQuantizer.MAX_BITS
                    || dimension < 1 || dimension > MAX_DIMENSION || count < 0
                    || partitions < 0 || partitions > count || (count > 0 && partitions == 0)
                    || payloadSlot < 0 || payloadSlot > IvfFormat.MAX_PAYLOAD_BYTES + 1
                    || (version < 3 && payloadSlot != 0)) {
                throw new CorruptIndexException(resource, "header fields out of range");
            }
            if (queryBits != new RaBitQuantizer(dimension, bits).queryBits()) {
                throw new CorruptIndexException(resource, "unexpected query bits " + queryBits);
            }
            long expectedMeta = IvfFormat.metaLength(dimension, partitions);
            long expectedVectors = expectedMeta
                    + (long) count * new RaBitQuantizer(dimension, bits).bytesPerVector();
            long expectedLength = expectedVectors
                    + (long) count * IvfFormat.vectorRecordBytes(dimension, encoding, payloadSlot);
            if (metaLength != expectedMeta || vectorsOffset != expectedVectors
                    || length != expectedLength) {
                throw new CorruptIndexException(resource, "header offsets disagree with its sizes");
            }
            if (length != sectionLength) {
                throw new CorruptIndexException(resource, "truncated or overlong: header says "
                        + length + " bytes, section has " + sectionLength);
            }
            return new Header(metric, encoding, bits, dimension, count, partitions, seed,
                    metaLength, vectorsOffset, payloadSlot);
        }
    }
}
