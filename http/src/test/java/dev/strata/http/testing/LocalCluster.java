package dev.strata.http.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.tiering.testing.S3ProxyServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Several Strata servers, each in its own JVM on loopback, started from the test class path and
 * sharing one object store: a local directory, or a bucket of an S3-protocol server (see
 * {@link S3ProxyServer#nodeSettings}). They form one cluster through Pekko Management Cluster Bootstrap with
 * {@code config} discovery, exactly as a deployment without Kubernetes would. Meant for tests
 * that stop nodes: {@link #kill} is a real SIGKILL, {@link #terminate} a real SIGTERM.
 *
 * <p>Each node gets its own HTTP, remoting and management port, its own SSD cache directory and
 * a log file under the working directory. {@link #close()} stops every node still running.
 */
public final class LocalCluster implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path workDir;
    private final String contactPoints;
    private final int initialCount;
    private final List<NodeProcess> nodes = new CopyOnWriteArrayList<>();
    private final Set<NodeProcess> killed = ConcurrentHashMap.newKeySet();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private LocalCluster(Path workDir, String contactPoints, int initialCount) {
        this.workDir = workDir;
        this.contactPoints = contactPoints;
        this.initialCount = initialCount;
    }

    /**
     * Starts {@code count} nodes under {@code workDir}; {@code overrides} are extra settings
     * (system properties) given to every node, after the defaults so they win. Returns as soon
     * as the processes are launched: see {@link #awaitMembersUp}.
     */
    public static LocalCluster start(Path workDir, int count, Map<String, String> overrides) throws IOException {
        int[][] ports = new int[count][];
        for (int i = 0; i < count; i++) {
            ports[i] = freePorts(3);
        }
        String contactPoints = Arrays.stream(ports)
                .map(p -> "127.0.0.1:" + p[2])
                .collect(Collectors.joining(","));
        LocalCluster cluster = new LocalCluster(workDir, contactPoints, count);
        try {
            for (int i = 0; i < count; i++) {
                cluster.launch(ports[i], overrides);
            }
        } catch (IOException | RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /**
     * Starts one more node, which joins the running cluster through the same contact points
     * (those of the initial nodes: any living one answers with the cluster's seed nodes).
     */
    public NodeProcess addNode(Map<String, String> overrides) throws IOException {
        return launch(freePorts(3), overrides);
    }

    private NodeProcess launch(int[] ports, Map<String, String> overrides) throws IOException {
        int i = nodes.size();
        Map<String, String> props = new LinkedHashMap<>();
        props.put("strata.http.host", "127.0.0.1");
        props.put("strata.http.port", String.valueOf(ports[0]));
        props.put("pekko.remote.artery.canonical.port", String.valueOf(ports[1]));
        props.put("pekko.management.http.port", String.valueOf(ports[2]));
        props.put("strata.cluster.formation", "bootstrap");
        props.put("strata.cluster.contact-points", contactPoints);
        props.put("pekko.management.cluster.bootstrap.contact-point-discovery.discovery-method", "config");
        props.put("pekko.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr",
                String.valueOf(initialCount));
        // Form quickly: probe every half second and trust a stable set after one second.
        props.put("pekko.management.cluster.bootstrap.contact-point-discovery.interval", "500ms");
        props.put("pekko.management.cluster.bootstrap.contact-point-discovery.stable-margin", "1s");
        props.put("pekko.management.cluster.bootstrap.contact-point.probe-interval", "500ms");
        // Down a killed node within seconds rather than the production 20 s.
        props.put("pekko.cluster.split-brain-resolver.stable-after", "3s");
        props.put("strata.storage.local.directory", Files.createDirectories(workDir.resolve("bucket")).toString());
        props.put("strata.cache.ssd.directory", workDir.resolve("ssd-" + i).toString());
        props.put("strata.cache.ssd.size", "16MiB");
        props.put("strata.cache.memory.size", "32MiB");
        props.put("strata.threads.io", "4");
        props.put("strata.threads.compute", "2");
        props.putAll(overrides);
        NodeProcess node = launch(i, ports, props, workDir.resolve("node-" + i + ".log"));
        nodes.add(node);
        return node;
    }

    private static NodeProcess launch(int index, int[] ports, Map<String, String> props, Path log) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--add-modules=jdk.incubator.vector");
        // Small, quick-starting JVMs: several share a test machine.
        command.add("-Xmx256m");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-Xshare:auto");
        props.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-cp");
        command.add(testClassPath());
        command.add("dev.strata.http.StrataServer");
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        return new NodeProcess(index, ports[0], ports[1], ports[2], process, log);
    }

    /** Surefire runs tests from a manifest-only jar; it names the real class path in this property. */
    private static String testClassPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }

    private static int[] freePorts(int n) throws IOException {
        // Held open together so the n ports differ; another process may still take one before
        // the node binds it, which fails the start loudly rather than silently.
        ServerSocket[] sockets = new ServerSocket[n];
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                sockets[i] = new ServerSocket(0);
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : sockets) {
                if (s != null) {
                    s.close();
                }
            }
        }
    }

    /** Every node started, living or not, in start order. */
    public List<NodeProcess> nodes() {
        return List.copyOf(nodes);
    }

    public NodeProcess node(int index) {
        return nodes.get(index);
    }

    /**
     * The members as {@code viewer} sees them (management {@code GET /cluster/members}):
     * address → status, with {@code "Unreachable"} appended to the status of members in the
     * unreachable set. Empty when the node does not answer.
     */
    public Map<String, String> members(NodeProcess viewer) {
        try {
            HttpResponse<String> response = client.send(
                    HttpRequest.newBuilder(viewer.management().resolve("/cluster/members"))
                            .timeout(Duration.ofSeconds(3)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return Map.of();
            }
            JsonNode body = JSON.readTree(response.body());
            Map<String, String> members = new TreeMap<>();
            for (JsonNode m : body.path("members")) {
                members.put(m.path("node").asText(), m.path("status").asText());
            }
            for (JsonNode u : body.path("unreachable")) {
                members.computeIfPresent(u.path("node").asText(), (k, status) -> status + " Unreachable");
            }
            return members;
        } catch (IOException e) {
            return Map.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        }
    }

    /**
     * Waits until every living node sees exactly the living nodes as members, all Up and
     * reachable; fails with every node's view (and the tail of its log) otherwise.
     */
    public void awaitMembersUp(Duration timeout) throws InterruptedException {
        List<NodeProcess> alive = nodes.stream().filter(NodeProcess::isAlive).toList();
        Map<String, String> expected = new TreeMap<>();
        alive.forEach(n -> expected.put(n.memberAddress(), "Up"));
        await(timeout, () -> alive.stream().allMatch(n -> expected.equals(members(n))),
                () -> "expected every living node to see " + expected);
    }

    /** Polls {@code condition} until it holds or {@code timeout} passes. */
    public void await(Duration timeout, BooleanSupplier condition, Supplier<String> what)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what.get() + " within " + timeout + "; " + describe());
            }
            for (NodeProcess n : nodes) {
                if (!n.isAlive() && !killedOnPurpose(n)) {
                    throw new AssertionError(n + " exited unexpectedly; " + describe());
                }
            }
            Thread.sleep(250);
        }
    }

    /** SIGKILLs the node and remembers that its death is expected. */
    public void kill(NodeProcess node) throws InterruptedException {
        killed.add(node);
        node.kill();
    }

    /**
     * SIGTERMs the node (its coordinated shutdown hands its shards off and leaves the cluster)
     * and waits up to {@code timeout} for the JVM to exit by itself; returns its exit code.
     * Fails, after a SIGKILL, if it is still running then.
     */
    public int terminate(NodeProcess node, Duration timeout) throws InterruptedException {
        killed.add(node);
        OptionalInt exit = node.terminate(timeout);
        if (exit.isEmpty()) {
            node.kill();
            throw new AssertionError(node + " did not exit within " + timeout + " of SIGTERM; " + describe());
        }
        return exit.getAsInt();
    }

    private boolean killedOnPurpose(NodeProcess node) {
        return killed.contains(node);
    }

    /** Every node's view of the membership and the end of its log, for failure messages. */
    public String describe() {
        StringBuilder s = new StringBuilder();
        for (NodeProcess n : nodes) {
            s.append('\n').append(n).append(" sees ").append(n.isAlive() ? members(n) : "-").append('\n');
            try {
                List<String> lines = Files.readAllLines(n.log());
                lines.subList(Math.max(0, lines.size() - 15), lines.size()).forEach(l -> s.append("  | ").append(l).append('\n'));
            } catch (IOException e) {
                s.append("  (no log: ").append(e.getMessage()).append(")\n");
            }
        }
        return s.toString();
    }

    /** The body of a GET of {@code uri} if it answers 200, otherwise empty. */
    public Optional<String> getText(URI uri) {
        try {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? Optional.of(r.body()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** The status code of a GET of {@code uri}, or -1 when nothing answers. */
    public int status(URI uri) {
        try {
            return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(3)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Sends {@code body} as JSON and returns the response; for API calls in tests. */
    public HttpResponse<String> postJson(URI uri, String body) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(uri)
                        .timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        // SIGTERM to all first so they shut down in parallel, then wait for each.
        nodes.stream().filter(NodeProcess::isAlive).forEach(n -> n.process().destroy());
        for (NodeProcess n : nodes) {
            try {
                n.stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
