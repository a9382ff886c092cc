package dev.strata.http.metrics;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ClassLoadingMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryUsage;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.RuntimeMXBean;
import java.lang.management.ThreadMXBean;
import java.util.List;

/**
 * The JVM's own metrics, read from the platform MXBeans at scrape time, under the names the
 * Prometheus Java client's JVM instrumentation uses ({@code jvm_memory_used_bytes},
 * {@code jvm_gc_collection_seconds}, {@code process_cpu_seconds_total}, …) so standard JVM
 * dashboards work. (That instrumentation artifact is not used because it does not resolve in
 * every Maven mirror this project builds from.)
 */
final class JvmMetrics {

    private JvmMetrics() {}

    static void register(PrometheusRegistry registry) {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        List<MemoryPoolMXBean> memoryPools = ManagementFactory.getMemoryPoolMXBeans();
        List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans();
        List<BufferPoolMXBean> bufferPools = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        ClassLoadingMXBean classes = ManagementFactory.getClassLoadingMXBean();
        RuntimeMXBean runtime = ManagementFactory.getRuntimeMXBean();
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();

        GaugeWithCallback.builder().name("jvm_memory_used_bytes").help("Used bytes of a JVM memory area")
                .labelNames("area").callback(cb -> {
                    cb.call(memory.getHeapMemoryUsage().getUsed(), "heap");
                    cb.call(memory.getNonHeapMemoryUsage().getUsed(), "nonheap");
                }).register(registry);
        GaugeWithCallback.builder().name("jvm_memory_committed_bytes").help("Committed bytes of a JVM memory area")
                .labelNames("area").callback(cb -> {
                    cb.call(memory.getHeapMemoryUsage().getCommitted(), "heap");
                    cb.call(memory.getNonHeapMemoryUsage().getCommitted(), "nonheap");
                }).register(registry);
        GaugeWithCallback.builder().name("jvm_memory_max_bytes").help("Max bytes of a JVM memory area (-1: no limit)")
                .labelNames("area").callback(cb -> {
                    cb.call(memory.getHeapMemoryUsage().getMax(), "heap");
                    cb.call(memory.getNonHeapMemoryUsage().getMax(), "nonheap");
                }).register(registry);
        GaugeWithCallback.builder().name("jvm_memory_pool_used_bytes").help("Used bytes of a JVM memory pool")
                .labelNames("pool").callback(cb -> {
                    for (MemoryPoolMXBean pool : memoryPools) {
                        MemoryUsage usage = pool.getUsage();
                        if (usage != null) {
                            cb.call(usage.getUsed(), pool.getName());
                        }
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("jvm_buffer_pool_used_bytes")
                .help("Bytes used by a JVM buffer pool (direct, mapped)").labelNames("pool")
                .callback(cb -> bufferPools.forEach(p -> cb.call(p.getMemoryUsed(), p.getName()))).register(registry);
        CounterWithCallback.builder().name("jvm_gc_collection_seconds")
                .help("Time spent in a garbage collector's collections, in seconds").labelNames("gc")
                .callback(cb -> collectors.forEach(gc -> cb.call(Math.max(0, gc.getCollectionTime()) / 1000.0,
                        gc.getName()))).register(registry);
        CounterWithCallback.builder().name("jvm_gc_collections")
                .help("Collections a garbage collector has run").labelNames("gc")
                .callback(cb -> collectors.forEach(gc -> cb.call(Math.max(0, gc.getCollectionCount()), gc.getName())))
                .register(registry);
        GaugeWithCallback.builder().name("jvm_threads_current").help("Live JVM threads")
                .callback(cb -> cb.call(threads.getThreadCount())).register(registry);
        GaugeWithCallback.builder().name("jvm_threads_daemon").help("Live daemon JVM threads")
                .callback(cb -> cb.call(threads.getDaemonThreadCount())).register(registry);
        GaugeWithCallback.builder().name("jvm_threads_peak").help("Peak live JVM threads")
                .callback(cb -> cb.call(threads.getPeakThreadCount())).register(registry);
        GaugeWithCallback.builder().name("jvm_classes_currently_loaded").help("Classes currently loaded")
                .callback(cb -> cb.call(classes.getLoadedClassCount())).register(registry);
        GaugeWithCallback.builder().name("process_start_time_seconds")
                .help("Start time of the process since the Unix epoch, in seconds")
                .callback(cb -> cb.call(runtime.getStartTime() / 1000.0)).register(registry);
        GaugeWithCallback.builder().name("jvm_available_processors").help("Processors the JVM may use")
                .callback(cb -> cb.call(os.getAvailableProcessors())).register(registry);
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            CounterWithCallback.builder().name("process_cpu_seconds").help("CPU time the process has used")
                    .unit(Unit.SECONDS).callback(cb -> cb.call(Math.max(0, sun.getProcessCpuTime()) / 1e9))
                    .register(registry);
        }
        Info info = Info.builder().name("jvm_runtime").help("The JVM's version and vendor")
                .labelNames("version", "vendor", "runtime").register(registry);
        info.setLabelValues(System.getProperty("java.runtime.version", "unknown"),
                System.getProperty("java.vm.vendor", "unknown"), System.getProperty("java.runtime.name", "unknown"));
    }
}
