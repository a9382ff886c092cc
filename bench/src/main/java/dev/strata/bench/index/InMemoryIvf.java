package dev.strata.bench.index;

import dev.strata.index.io.RangeSource;
import dev.strata.index.ivf.Hit;
import dev.strata.index.ivf.IvfBuildParams;
import dev.strata.index.ivf.IvfReader;
import dev.strata.index.ivf.IvfWriter;
import dev.strata.index.ivf.SearchParams;
import java.util.Arrays;
import java.util.List;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntPredicate;
import org.roaringbitmap.RoaringBitmap;

/**
 * One IVF + RaBitQ section built in memory over the rows of a vector matrix and searched on the
 * calling thread: the Strata side of the in-memory benchmarks ({@link IndexBench} and the
 * side-by-side comparison with other systems).
 */
public final class InMemoryIvf {

    /**
     * The answers and single-query times of one pass over a query set: {@code rows} holds
     * {@code k} document rows per query, nearest first, -1 where fewer were found, and
     * {@code distances} their distances (NaN where the row is -1); {@code nanos} and
     * {@code cpuNanos} each query's wall-clock and on-thread CPU time; {@code allocatedBytes}
     * what the searches allocated on this thread, all queries together.
     */
    public record Pass(int k, int[] rows, float[] distances, long[] nanos, long[] cpuNanos, long allocatedBytes) {

        public long allocatedBytesPerQuery() {
            return allocatedBytes / nanos.length;
        }
    }

    private final int dims;
    private final int partitions;
    private final long sectionBytes;
    private final double buildSeconds;
    private final IvfReader reader;
    private final int[] ordinalToRow;
    private final int[] rowToOrdinal;

    private InMemoryIvf(int dims, IvfWriter writer, byte[] section, double buildSeconds) {
        this.dims = dims;
        this.partitions = writer.partitions();
        this.sectionBytes = section.length;
        this.buildSeconds = buildSeconds;
        // Searches run on the calling thread: the reader's continuations need no pool.
        this.reader = IvfReader.open("bench", RangeSource.of(section), 0, section.length, Runnable::run).join();
        this.ordinalToRow = writer.ordinalToRow();
        this.rowToOrdinal = new int[ordinalToRow.length];
        for (int o = 0; o < ordinalToRow.length; o++) {
            rowToOrdinal[ordinalToRow[o]] = o;
        }
    }

    /**
     * Builds the section over {@code docs} (rows of {@code dims} floats) on {@code threads}
     * threads. The build time covers building and serializing the section, as a segment write
     * would.
     */
    public static InMemoryIvf build(float[] docs, int dims, IvfBuildParams params, int threads) {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long t0 = System.nanoTime();
            IvfWriter writer = IvfWriter.build(docs, dims, params, pool);
            byte[] section = writer.toByteArray();
            double seconds = (System.nanoTime() - t0) / 1e9;
            return new InMemoryIvf(dims, writer, section, seconds);
        } finally {
            pool.shutdown();
        }
    }

    public int partitions() {
        return partitions;
    }

    public long sectionBytes() {
        return sectionBytes;
    }

    public double buildSeconds() {
        return buildSeconds;
    }

    /** The default nprobe of this section's partition count. */
    public int defaultNprobe() {
        return SearchParams.DEFAULT.nprobeFor(partitions);
    }

    /** The section's ordinals of the document rows {@code allowed} accepts: a search filter. */
    public RoaringBitmap ordinalsOf(IntPredicate allowed) {
        RoaringBitmap out = new RoaringBitmap();
        for (int row = 0; row < rowToOrdinal.length; row++) {
            if (allowed.test(row)) {
                out.add(rowToOrdinal[row]);
            }
        }
        return out;
    }

    /**
     * Searches the first {@code q} rows of {@code queries} one at a time on this thread, timing
     * each search call alone; {@code allowed} (ordinals, or null) filters.
     */
    public Pass run(float[] queries, int q, int k, SearchParams params, RoaringBitmap allowed) {
        int[] rows = new int[q * k];
        Arrays.fill(rows, -1);
        float[] distances = new float[q * k];
        Arrays.fill(distances, Float.NaN);
        long[] nanos = new long[q];
        long[] cpuNanos = new long[q];
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        com.sun.management.ThreadMXBean allocation = (com.sun.management.ThreadMXBean) threads;
        long allocatedBefore = allocation.getCurrentThreadAllocatedBytes();
        float[] query = new float[dims];
        for (int i = 0; i < q; i++) {
            System.arraycopy(queries, i * dims, query, 0, dims);
            long cpu = threads.getCurrentThreadCpuTime();
            long s = System.nanoTime();
            List<Hit> hits = reader.search(query, k, params, allowed).join();
            nanos[i] = System.nanoTime() - s;
            cpuNanos[i] = threads.getCurrentThreadCpuTime() - cpu;
            for (int j = 0; j < Math.min(k, hits.size()); j++) {
                rows[i * k + j] = ordinalToRow[hits.get(j).ordinal()];
                distances[i * k + j] = hits.get(j).distance();
            }
        }
        long allocated = allocation.getCurrentThreadAllocatedBytes() - allocatedBefore;
        return new Pass(k, rows, distances, nanos, cpuNanos, allocated);
    }
}
