package dev.strata.actors.testing;

import dev.strata.config.StrataThreads;
import dev.strata.tiering.store.LocalDirectoryObjectStore;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The I/O threads of a test: a fixed pool of {@link StrataThreads#IO} threads, created with the
 * test instance and shut down after each test, once the test's own {@code @AfterEach} methods
 * have run. Register it on an instance field:
 *
 * <pre>{@code
 * @RegisterExtension
 * final IoPool io = new IoPool();
 * }</pre>
 */
public final class IoPool implements AfterEachCallback {

    private final ExecutorService executor;

    /** A pool of four threads. */
    public IoPool() {
        this(4);
    }

    public IoPool(int threads) {
        executor = StrataThreads.newPool(StrataThreads.IO, threads);
    }

    public ExecutorService executor() {
        return executor;
    }

    /** A store whose bucket is {@code dir}, doing its blocking file I/O on this pool. */
    public LocalDirectoryObjectStore local(Path dir) {
        return new LocalDirectoryObjectStore(dir, executor);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        executor.shutdownNow();
    }
}
