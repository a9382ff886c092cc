package dev.strata.config;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The kinds of threads Strata runs work on, told apart by name: I/O threads ({@value #IO}) may
 * block on object storage and the SSD; compute threads ({@value #COMPUTE}) score vectors and
 * never block; indexer threads ({@value #INDEXER}) build segments. In the server these are the
 * Pekko dispatchers {@value #IO_DISPATCHER}, {@value #COMPUTE_DISPATCHER} and
 * {@value #INDEXER_DISPATCHER} (configured in the actors module's {@code reference.conf}), whose
 * threads Pekko names {@code <system>-<dispatcher id>-<n>}; tests and benchmarks may create plain
 * pools named {@code <kind>-<n>} with {@link #newPool}. {@link #onPool} recognises both.
 */
public final class StrataThreads {

    public static final String IO = "strata-io";
    public static final String COMPUTE = "strata-compute";
    /** Threads that build and merge segments, apart from the query path's compute threads. */
    public static final String INDEXER = "strata-indexer";

    /** The Pekko dispatcher ids of the three kinds. */
    public static final String IO_DISPATCHER = "strata.io";
    public static final String COMPUTE_DISPATCHER = "strata.compute";
    public static final String INDEXER_DISPATCHER = "strata.indexer";

    private StrataThreads() {}

    /** A fixed pool of daemon threads named {@code <kind>-<n>}. */
    public static ExecutorService newPool(String kind, int threads) {
        AtomicInteger n = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, kind + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        return Executors.newFixedThreadPool(threads, factory);
    }

    /** True when the current thread belongs to the given kind of pool, plain or Pekko dispatcher. */
    public static boolean onPool(String kind) {
        String name = Thread.currentThread().getName();
        // A dispatcher thread is "<system>-strata.io-<n>": the kind with its dash as a dot.
        return name.contains(kind) || name.contains(kind.replace('-', '.') + "-");
    }

    /**
     * Guards a blocking call site: blocking is allowed only on I/O threads. Used as
     * {@code assert StrataThreads.assertIo("ssd read")}, so it costs nothing without {@code -ea}.
     */
    public static boolean assertIo(String what) {
        if (!onPool(IO)) {
            throw new AssertionError(what + " blocks and must run on a " + IO
                    + " thread, not on " + Thread.currentThread().getName());
        }
        return true;
    }
}
