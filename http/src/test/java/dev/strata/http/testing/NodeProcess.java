package dev.strata.http.testing;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * One Strata server running in its own JVM, started by {@link LocalCluster}: its ports, its
 * process and the file its output goes to.
 */
public final class NodeProcess {

    private final int index;
    private final int httpPort;
    private final int remotingPort;
    private final int managementPort;
    private final Process process;
    private final Path log;

    NodeProcess(int index, int httpPort, int remotingPort, int managementPort, Process process, Path log) {
        this.index = index;
        this.httpPort = httpPort;
        this.remotingPort = remotingPort;
        this.managementPort = managementPort;
        this.process = process;
        this.log = log;
    }

    public int index() {
        return index;
    }

    /** The base URI of the node's API, e.g. {@code http://127.0.0.1:PORT}. */
    public URI http() {
        return URI.create("http://127.0.0.1:" + httpPort);
    }

    /** The base URI of the node's Pekko Management server. */
    public URI management() {
        return URI.create("http://127.0.0.1:" + managementPort);
    }

    /** The node's address as a cluster member, e.g. {@code pekko://strata@127.0.0.1:PORT}. */
    public String memberAddress() {
        return "pekko://strata@127.0.0.1:" + remotingPort;
    }

    public int managementPort() {
        return managementPort;
    }

    public Path log() {
        return log;
    }

    Process process() {
        return process;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Kills the JVM with SIGKILL: no shutdown hook, no coordinated shutdown, no leaving. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("node " + index + " did not die within 10 s of SIGKILL");
        }
    }

    /**
     * Sends SIGTERM (the JVM's shutdown hook runs coordinated shutdown) and waits up to
     * {@code timeout} for the process to exit; its exit code, or empty if it is still running.
     */
    OptionalInt terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)
                ? OptionalInt.of(process.exitValue()) : OptionalInt.empty();
    }

    /** Asks the JVM to stop (SIGTERM: coordinated shutdown), then kills it if it lingers. */
    void stop() throws InterruptedException {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public String toString() {
        return "node " + index + " (http " + httpPort + ", remoting " + remotingPort + ", management "
                + managementPort + (process.isAlive() ? "" : ", dead") + ")";
    }
}
