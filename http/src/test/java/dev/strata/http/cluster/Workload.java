package dev.strata.http.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A client that keeps writing to and querying a set of namespaces through every node of a
 * cluster, the way an application behind a load balancer would, and remembers exactly what it
 * was told: which writes were acknowledged, which failed (and how), and when each namespace last
 * answered.
 *
 * <p>Each namespace has its own client thread, so its operations are sequential. A write
 * upserts {@value #ROWS_PER_WRITE} new rows; an attempt that fails is not repeated with the same
 * ids: the next attempt writes new ones, so every attempt is either acknowledged (and must be in
 * the namespace) or not (and must be in it completely or not at all). After every write the
 * thread queries the namespace (strong consistency) for its newest write and checks that it sees
 * at least the last acknowledged one. Requests go round-robin over the nodes; a failure moves on
 * to the next node.
 *
 * <p>What counts as a retryable failure: HTTP 429 or 503, and a connection refused or reset by
 * a node in {@link #expectDown} (the one being stopped). Anything else is recorded in
 * {@link #errors()}.
 */
final class Workload implements AutoCloseable {

    static final int ROWS_PER_WRITE = 3;
    static final int DIMS = 8;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One write attempt: its rows' ids, and whether the cluster acknowledged it. */
    record Attempt(long k, List<Long> ids, boolean acked) {}

    /** What happened to one namespace. Written by its thread only; read after it stopped. */
    static final class Namespace {
        final String name;
        final List<Attempt> attempts = new CopyOnWriteArrayList<>();
        volatile long lastAckedK = -1;
        /** Start and end (nanoTime) of each successful request. */
        final List<long[]> successes = new CopyOnWriteArrayList<>();
        long nextK;

        Namespace(String name) {
            this.name = name;
        }
    }

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<URI> nodes = new CopyOnWriteArrayList<>();
    private final Set<URI> expectedDown = ConcurrentHashMap.newKeySet();
    private final Map<String, Namespace> namespaces = new TreeMap<>();
    private final List<String> errors = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong retryable = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong roundRobin = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    Workload(List<URI> nodes, List<String> names) {
        this.nodes.addAll(nodes);
        names.forEach(n -> namespaces.put(n, new Namespace(n)));
        // One thread per namespace: a namespace that does not answer holds up no other.
        namespaces.values().forEach(ns -> threads.add(new Thread(() -> loop(ns), "workload-" + ns.name)));
    }

    void start() {
        threads.forEach(Thread::start);
    }

    /** Adds a node to the round-robin (one that joined). */
    void addNode(URI node) {
        nodes.add(node);
    }

    /** From now on, connection failures to {@code node} are expected (it is being stopped). */
    void expectDown(URI node) {
        expectedDown.add(node);
    }

    /** Takes a stopped node out of the round-robin. */
    void removeNode(URI node) {
        nodes.remove(node);
    }

    Map<String, Namespace> namespaces() {
        return namespaces;
    }

    List<String> errors() {
        synchronized (errors) {
            return List.copyOf(errors);
        }
    }

    long retryableFailures() {
        return retryable.get();
    }

    long requests() {
        return requests.get();
    }

    /** Acknowledged writes so far, over all namespaces. */
    long ackedWrites() {
        return namespaces.values().stream().mapToLong(n -> n.attempts.stream().filter(Attempt::acked).count()).sum();
    }

    /**
     * Per namespace, how long after {@code sinceNanos} it first answered a request that was
     * sent after then (milliseconds), or null while it has not.
     */
    Map<String, Long> recoveredAfter(long sinceNanos) {
        Map<String, Long> out = new TreeMap<>();
        for (Namespace n : namespaces.values()) {
            Long first = null;
            for (long[] s : n.successes) {
                if (s[0] >= sinceNanos && (first == null || s[1] < first)) {
                    first = s[1];
                }
            }
            out.put(n.name, first == null ? null : (first - sinceNanos) / 1_000_000);
        }
        return out;
    }

    private void loop(Namespace ns) {
        while (running) {
            write(ns);
            query(ns);
            // A steady rather than a saturating load: the nodes share two cores.
            pause(20);
        }
    }

    private void write(Namespace ns) {
        long k = ns.nextK++;
        List<Long> ids = new ArrayList<>();
        StringBuilder rows = new StringBuilder();
        for (int j = 0; j < ROWS_PER_WRITE; j++) {
            long id = k * ROWS_PER_WRITE + j;
            ids.add(id);
            StringBuilder v = new StringBuilder().append(id).append(',').append(j);
            for (int d = 2; d < DIMS; d++) {
                v.append(",0.5");
            }
            rows.append(j == 0 ? "" : ",").append("{\"id\":").append(id).append(",\"vector\":[").append(v)
                    .append("],\"k\":").append(k).append(",\"n\":").append(id).append('}');
        }
        String body = "{\"upsert_rows\":[" + rows + "],\"distance_metric\":\"euclidean_squared\"}";
        boolean ok = send(ns, "/v2/namespaces/" + ns.name, body) != null;
        ns.attempts.add(new Attempt(k, ids, ok));
        if (ok) {
            ns.lastAckedK = k;
        }
    }

    private void query(Namespace ns) {
        long expected = ns.lastAckedK;
        if (expected < 0) {
            return;
        }
        JsonNode found = send(ns, "/v2/namespaces/" + ns.name + "/query",
                "{\"rank_by\":[\"k\",\"desc\"],\"top_k\":1,\"include_attributes\":[\"k\"]}");
        if (found == null) {
            return;
        }
        JsonNode rows = found.path("rows");
        long newest = rows.isEmpty() ? -1 : rows.get(0).path("k").asLong(-1);
        if (newest < expected) {
            errors.add(ns.name + ": a strong query saw newest write " + newest + " after write " + expected
                    + " was acknowledged: " + found);
        }
    }

    /** Sends one request, trying node after node while the failure is retryable; the JSON answer or null. */
    private JsonNode send(Namespace ns, String path, String body) {
        for (int attempt = 0; running || attempt == 0; attempt++) {
            List<URI> targets = List.copyOf(nodes);
            URI node = targets.get((int) (roundRobin.getAndIncrement() % targets.size()));
            long start = System.nanoTime();
            requests.incrementAndGet();
            try {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(node.resolve(path))
                                .timeout(Duration.ofSeconds(30))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    ns.successes.add(new long[] {start, System.nanoTime()});
                    return JSON.readTree(r.body());
                }
                if (r.statusCode() != 429 && r.statusCode() != 503) {
                    errors.add(ns.name + ": " + node + path + " answered " + r.statusCode() + ": " + r.body());
                    return null;
                }
                retryable.incrementAndGet();
            } catch (HttpTimeoutException e) {
                // The server's own request timeout is far shorter: a request that gets no answer
                // at all hangs somewhere.
                errors.add(ns.name + ": " + node + path + " did not answer: " + e);
                return null;
            } catch (IOException e) {
                if (!expectedDown.contains(node)) {
                    errors.add(ns.name + ": " + node + path + " failed: " + e);
                    return null;
                }
                retryable.incrementAndGet();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
            pause(50);
            // A write's next attempt carries new ids (see the class comment): give up this one.
            if (path.endsWith(ns.name)) {
                return null;
            }
        }
        return null;
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the threads after their current request. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread t : threads) {
            t.join(60_000);
            if (t.isAlive()) {
                errors.add(t.getName() + " did not finish its request within 60 s");
            }
        }
    }
}
