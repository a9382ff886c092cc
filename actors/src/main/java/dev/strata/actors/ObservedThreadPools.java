package dev.strata.actors;

import com.typesafe.config.Config;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import org.apache.pekko.dispatch.DispatcherPrerequisites;
import org.apache.pekko.dispatch.ExecutorServiceConfigurator;
import org.apache.pekko.dispatch.ExecutorServiceFactory;
import org.apache.pekko.dispatch.ThreadPoolExecutorConfigurator;

/**
 * The thread pools behind Strata's Pekko dispatchers, by dispatcher id, so their size, activity
 * and queue can be exported as metrics. A dispatcher opts in with
 * {@code executor = "dev.strata.actors.ObservedThreadPools$Configurator"}; its
 * {@code thread-pool-executor} section configures the pool as for Pekko's own thread-pool
 * executor. When several actor systems in one JVM (tests) create a dispatcher of one id, the
 * newest pool is the one observed.
 */
public final class ObservedThreadPools {

    private static final Map<String, ThreadPoolExecutor> POOLS = new ConcurrentHashMap<>();

    private ObservedThreadPools() {}

    /** The pool of dispatcher {@code id}, once a dispatcher of that id has started. */
    public static Optional<ThreadPoolExecutor> pool(String id) {
        return Optional.ofNullable(POOLS.get(id));
    }

    /** Pekko's thread-pool executor configurator, remembering each pool it creates. */
    public static final class Configurator extends ExecutorServiceConfigurator {

        private final ThreadPoolExecutorConfigurator delegate;

        public Configurator(Config config, DispatcherPrerequisites prerequisites) {
            super(config, prerequisites);
            this.delegate = new ThreadPoolExecutorConfigurator(config.getConfig("thread-pool-executor"), prerequisites);
        }

        @Override
        public ExecutorServiceFactory createExecutorServiceFactory(String id, ThreadFactory threadFactory) {
            ExecutorServiceFactory factory = delegate.createExecutorServiceFactory(id, threadFactory);
            return () -> {
                ExecutorService service = factory.createExecutorService();
                if (service instanceof ThreadPoolExecutor pool) {
                    POOLS.put(id, pool);
                }
                return service;
            };
        }
    }
}
