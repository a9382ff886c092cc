package dev.strata.bench.cluster;

import dev.strata.tiering.testing.S3ProxyServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Starts Strata servers ({@code dev.strata.http.StrataServer}) as child JVMs on loopback with
 * this JVM's class path, all keeping their state in one S3-protocol server's bucket and forming
 * one cluster through Cluster Bootstrap with {@code config} discovery (one node joins itself).
 */
final class NodeLauncher implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** One child JVM: its API, management endpoint, member address and process. */
    record Node(URI http, URI management, String member, Process process) {}

    private final List<Node> nodes = new ArrayList<>();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /**
     * Launches {@code count} nodes; {@code extra} are settings (system properties) for all of
     * them; each node's output goes to {@code logs/node-i.log}.
     */
    NodeLauncher(int count, S3ProxyServer s3, String prefix, Map<String, String> extra, Path logs) throws IOException {
        int[][] ports = new int[count][];
        for (int i = 0; i < count; i++) {
            ports[i] = freePorts(3);
        }
        String contactPoints = java.util.Arrays.stream(ports).map(p -> "127.0.0.1:" + p[2])
                .collect(Collectors.joining(","));
        for (int i = 0; i < count; i++) {
            Map<String, String> props = new LinkedHashMap<>();
            props.put("strata.http.host", "127.0.0.1");
            props.put("strata.http.port", String.valueOf(ports[i][0]));
            props.put("pekko.remote.artery.canonical.port", String.valueOf(ports[i][1]));
            props.put("pekko.management.http.port", String.valueOf(ports[i][2]));
            props.put("strata.cluster.formation", "bootstrap");
            props.put("strata.cluster.contact-points", contactPoints);
            props.put("pekko.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr",
                    String.valueOf(count));
            props.put("pekko.management.cluster.bootstrap.contact-point-discovery.interval", "500ms");
            props.put("pekko.management.cluster.bootstrap.contact-point-discovery.stable-margin", "1s");
            props.put("pekko.management.cluster.bootstrap.contact-point.probe-interval", "500ms");
            props.put("strata.storage.kind", "s3");
            props.put("strata.storage.s3.bucket", s3.bucket());
            props.put("strata.storage.s3.prefix", prefix);
            props.put("strata.storage.s3.endpoint", s3.endpoint().toString());
            props.put("strata.storage.s3.region", S3ProxyServer.REGION);
            props.put("strata.storage.s3.access-key-id", S3ProxyServer.ACCESS_KEY_ID);
            props.put("strata.storage.s3.secret-access-key", S3ProxyServer.SECRET_ACCESS_KEY);
            props.put("strata.storage.s3.path-style", "true");
            props.put("strata.cache.ssd.directory", logs.resolve("ssd-" + prefix + "-" + i).toString());
            props.put("strata.cache.ssd.size", "64MiB");
            props.put("strata.cache.memory.size", "128MiB");
            props.putAll(extra);
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.add("--add-modules=jdk.incubator.vector");
            command.add("-Xmx512m");
            command.add("-XX:+UseSerialGC");
            props.forEach((k, v) -> command.add("-D" + k + "=" + v));
            command.add("-cp");
            command.add(serverFirstClassPath());
            command.add("dev.strata.http.StrataServer");
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(logs.resolve("node-" + prefix + "-" + i + ".log").toFile()).start();
            nodes.add(new Node(URI.create("http://127.0.0.1:" + ports[i][0]),
                    URI.create("http://127.0.0.1:" + ports[i][2]), "pekko://strata@127.0.0.1:" + ports[i][1], process));
        }
    }

    /**
     * This JVM's class path with the server's jar first: its reference.conf overrides Pekko's
     * own defaults (cluster provider, split brain resolver), and of several reference.conf files
     * the one earliest on the class path wins.
     */
    private static String serverFirstClassPath() {
        String server;
        try {
            server = Path.of(Class.forName("dev.strata.http.StrataServer").getProtectionDomain().getCodeSource()
                    .getLocation().toURI()).toString();
        } catch (ReflectiveOperationException | java.net.URISyntaxException e) {
            throw new IllegalStateException("the Strata server is not on the class path", e);
        }
        List<String> entries = new ArrayList<>(List.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator)));
        entries.remove(server);
        entries.add(0, server);
        return String.join(java.io.File.pathSeparator, entries);
    }

    List<Node> nodes() {
        return nodes;
    }

    /**
     * Waits until {@code viewer}'s membership is exactly {@code expected}, all Up and reachable
     * (a killed node counts until it is removed, not merely unreachable).
     */
    void awaitMembers(Node viewer, List<Node> expected, Duration timeout) throws InterruptedException {
        List<String> want = expected.stream().map(Node::member).sorted().toList();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!want.equals(upMembers(viewer))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(viewer.member() + " sees " + upMembers(viewer) + ", not " + want);
            }
            for (Node n : nodes) {
                if (expected.contains(n) && !n.process().isAlive()) {
                    throw new IllegalStateException(n.member() + " exited; see its log");
                }
            }
            Thread.sleep(100);
        }
    }

    /**
     * The members {@code viewer} sees, sorted, each as its address, with " (not up)" appended
     * when it is not Up or is unreachable; empty when it does not answer.
     */
    List<String> upMembers(Node viewer) {
        JsonNode body = get(viewer.management().resolve("/cluster/members"));
        if (body == null) {
            return List.of();
        }
        List<String> unreachable = new ArrayList<>();
        body.path("unreachable").forEach(u -> unreachable.add(u.path("node").asString()));
        List<String> up = new ArrayList<>();
        body.path("members").forEach(m -> {
            String node = m.path("node").asString();
            up.add(m.path("status").asString().equals("Up") && !unreachable.contains(node) ? node : node + " (not up)");
        });
        return up.stream().sorted().toList();
    }

    /** The shard ids of the namespace entity type that {@code node} hosts. */
    List<String> shards(Node node) {
        JsonNode body = get(node.management().resolve("/cluster/shards/Namespace"));
        List<String> ids = new ArrayList<>();
        if (body != null) {
            body.path("regions").forEach(r -> ids.add(r.path("shardId").asString()));
        }
        return ids;
    }

    private JsonNode get(URI uri) {
        try {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(3)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static int[] freePorts(int n) throws IOException {
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

    /** SIGTERMs every node still running, then SIGKILLs what lingers. */
    @Override
    public void close() throws InterruptedException {
        nodes.forEach(n -> n.process().destroy());
        for (Node n : nodes) {
            if (!n.process().waitFor(20, TimeUnit.SECONDS)) {
                n.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
