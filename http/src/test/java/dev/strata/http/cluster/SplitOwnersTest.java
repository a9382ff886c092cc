package dev.strata.http.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.strata.actors.storage.NamespaceLayout;
import dev.strata.actors.storage.NamespaceName;
import dev.strata.actors.storage.SequencedLog;
import dev.strata.config.StrataThreads;
import dev.strata.http.StrataServer;
import dev.strata.index.doc.DocId;
import dev.strata.index.wal.WalOp;
import dev.strata.index.wal.WalReader;
import dev.strata.tiering.store.ObjectStore;
import dev.strata.tiering.store.S3ObjectStore;
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
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two owners of one namespace, as a network partition makes them: two Strata nodes that cannot
 * see each other (each a one-node Pekko cluster of its own, with its own cluster sharding) but
 * share the bucket (one S3-protocol server). Clients write to the namespace through both, over
 * HTTP, at the same time. The bucket's create-if-absent is the only thing between them: exactly
 * one owner commits each WAL sequence number, the other's clients get a retryable 503 (the owner
 * fences and reloads), no acknowledged write is lost and no refused write is applied.
 *
 * <p>{@code RacingOwnersTest} (actors) races two bare entities on a local directory; this test
 * goes through what a deployment runs: the HTTP API, cluster sharding and S3.
 */
class SplitOwnersTest {

    private static final String NS = "split-brain";
    private static final int WRITERS = 4;
    private static final int WRITES_PER_WRITER = 25;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** What a client was told about one write: through which owner, its ids, the status. */
    private record Outcome(String owner, List<Long> ids, int status, String body) {}

    @Test
    void partitionedOwnersCommitEachWalEntryOnceAndTheLosersClientsGetRetryableErrors() throws Exception {
        ExecutorService io = StrataThreads.newPool(StrataThreads.IO, 4);
        try (S3ProxyServer s3 = S3ProxyServer.start("strata-split");
             StrataServer a = node(s3, "a");
             StrataServer b = node(s3, "b")) {
            Map<String, URI> owners = Map.of("a", uri(a), "b", uri(b));
            // The namespace exists and both owners have loaded it before the race, so both aim
            // their first commits at the same next WAL entry.
            assertEquals(200, write(owners.get("a"), List.of(0L), "a").statusCode());
            for (URI owner : owners.values()) {
                assertEquals(Set.of(0L), allIds(owner));
            }

            List<Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> writers = new ArrayList<>();
            for (int t = 0; t < WRITERS; t++) {
                int writer = t;
                writers.add(new Thread(() -> {
                    try {
                        go.await();
                        for (int i = 0; i < WRITES_PER_WRITER; i++) {
                            // Alternate owners, each writer starting with a different one.
                            String owner = (i + writer) % 2 == 0 ? "a" : "b";
                            long first = 1 + (writer * WRITES_PER_WRITER + i) * 2L;
                            List<Long> ids = List.of(first, first + 1);
                            HttpResponse<String> r = write(owners.get(owner), ids, owner);
                            outcomes.add(new Outcome(owner, ids, r.statusCode(), r.body()));
                        }
                    } catch (IOException | InterruptedException e) {
                        outcomes.add(new Outcome("?", List.of(), -1, e.toString()));
                    }
                }, "split-writer-" + t));
            }
            writers.forEach(Thread::start);
            go.countDown();
            for (Thread w : writers) {
                w.join(TimeUnit.SECONDS.toMillis(120));
                assertFalse(w.isAlive(), "writer finished");
            }

            // The race was real, and every refusal is retryable.
            assertEquals(WRITERS * WRITES_PER_WRITER, outcomes.size());
            List<Outcome> refused = outcomes.stream().filter(o -> o.status() != 200).toList();
            assertFalse(refused.isEmpty(), "the two owners never collided");
            for (Outcome o : refused) {
                assertEquals(503, o.status(), o::toString);
                assertTrue(o.body().contains("another owner"), o::toString);
            }
            System.out.printf("split owners: %d writes acknowledged (%d through a), %d refused with 503%n",
                    outcomes.size() - refused.size(),
                    outcomes.stream().filter(o -> o.status() == 200 && o.owner().equals("a")).count(), refused.size());

            // Whichever owner lost the race (on a busy machine one can lose every collision), both
            // recover: a fenced owner reloads, and a client retrying its 503 is acknowledged.
            long nextId = 1 + WRITERS * WRITES_PER_WRITER * 2L;
            for (String owner : List.of("a", "b")) {
                List<Long> ids = List.of(nextId, nextId + 1);
                nextId += 2;
                HttpResponse<String> r = write(owners.get(owner), ids, owner);
                for (int attempt = 0; r.statusCode() == 503 && attempt < 100; attempt++) {
                    Thread.sleep(100);
                    r = write(owners.get(owner), ids, owner);
                }
                HttpResponse<String> last = r;
                assertEquals(200, last.statusCode(), () -> owner + " never recovered: " + last.body());
                outcomes.add(new Outcome(owner, ids, 200, ""));
            }
            List<Outcome> acked = outcomes.stream().filter(o -> o.status() == 200).toList();

            // The bucket: WAL entries 1..n, each holding whole acknowledged writes of one owner
            // only, every acknowledged write in exactly one entry, no refused write anywhere.
            Map<Long, Outcome> byId = new HashMap<>();
            outcomes.forEach(o -> o.ids().forEach(id -> byId.put(id, o)));
            ObjectStore store = new S3ObjectStore(s3.settings("split"), io);
            try {
                SequencedLog wal = new SequencedLog(store, new NamespaceLayout(new NamespaceName(NS)).walPrefix());
                List<Long> sequences = wal.sequences().join();
                List<Long> contiguous = new ArrayList<>();
                for (long s = 1; s <= sequences.size(); s++) {
                    contiguous.add(s);
                }
                assertEquals(contiguous, sequences, "WAL entries are 1..n without gaps");
                Map<Long, Long> entryOf = new TreeMap<>();
                for (long s : sequences) {
                    Set<String> committers = new TreeSet<>();
                    for (WalOp op : WalReader.read(wal.read(s).join(), wal.key(s))) {
                        long id = ((DocId.U64) op.id()).value();
                        Long before = entryOf.put(id, s);
                        assertEquals(null, before, "id " + id + " in WAL entries " + before + " and " + s);
                        if (id == 0) {
                            continue;
                        }
                        Outcome o = byId.get(id);
                        assertEquals(200, o.status(), () -> "refused write " + o + " is in WAL entry " + s);
                        committers.add(o.owner());
                    }
                    assertTrue(committers.size() <= 1, "WAL entry " + s + " committed by " + committers);
                }
                for (Outcome o : acked) {
                    assertEquals(entryOf.get(o.ids().get(0)), entryOf.get(o.ids().get(1)), o + " split across entries");
                    assertTrue(entryOf.containsKey(o.ids().get(0)), o + " acknowledged but not in the WAL");
                }
            } finally {
                store.close();
            }

            // Reads: a fresh owner (a third isolated node) and both racing owners (a strong query
            // checks the next WAL key and reloads) see exactly the acknowledged writes.
            Set<Long> expected = new TreeSet<>(Set.of(0L));
            acked.forEach(o -> expected.addAll(o.ids()));
            try (StrataServer fresh = node(s3, "c")) {
                assertEquals(expected, allIds(uri(fresh)), "a fresh owner");
            }
            for (Map.Entry<String, URI> owner : owners.entrySet()) {
                assertEquals(expected, allIds(owner.getValue()), "owner " + owner.getKey());
            }
        } finally {
            io.shutdownNow();
        }
    }

    /** A one-node cluster of its own (it joins itself), on the shared bucket, HTTP on a free port. */
    private StrataServer node(S3ProxyServer s3, String name) throws Exception {
        Map<String, String> settings = new TreeMap<>(s3.nodeSettings("split"));
        StringBuilder hocon = new StringBuilder();
        settings.forEach((k, v) -> hocon.append(k).append(" = \"").append(v).append("\"\n"));
        hocon.append("""
                strata.http.host = "127.0.0.1"
                strata.http.port = 0
                pekko.remote.artery.canonical.port = 0
                pekko.management.http.port = %d
                pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                strata.cache.ssd.directory = "%s"
                strata.cache.ssd.size = 16MiB
                strata.cache.memory.size = 32MiB
                # Indexing every 20 operations: the owners also race for manifest versions.
                strata.namespace.indexing.after-ops = 20
                strata.namespace.indexing.after-quiet = 1h
                """.formatted(freePort(), tmp.resolve("ssd-" + name)));
        Config config = ConfigFactory.parseString(hocon.toString()).withFallback(ConfigFactory.load()).resolve();
        StrataServer server = StrataServer.start(config).toCompletableFuture().get(60, TimeUnit.SECONDS);
        try {
            server.memberUp().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            server.close();
            throw e;
        }
        return server;
    }

    private static URI uri(StrataServer server) {
        return URI.create("http://127.0.0.1:" + server.port());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private HttpResponse<String> write(URI owner, List<Long> ids, String ownerName) throws IOException, InterruptedException {
        StringBuilder rows = new StringBuilder();
        for (long id : ids) {
            rows.append(rows.isEmpty() ? "" : ",").append("{\"id\":").append(id).append(",\"vector\":[")
                    .append(id).append(",1],\"owner\":\"").append(ownerName).append("\",\"n\":").append(id).append('}');
        }
        return post(owner, "/v2/namespaces/" + NS, "{\"upsert_rows\":[" + rows + "],\"distance_metric\":\"euclidean_squared\"}");
    }

    /** Every id in the namespace, by a strong query through {@code owner} (retried while it reloads). */
    private Set<Long> allIds(URI owner) throws Exception {
        for (int attempt = 0; attempt < 20; attempt++) {
            HttpResponse<String> r = post(owner, "/v2/namespaces/" + NS + "/query",
                    "{\"rank_by\":[\"n\",\"asc\"],\"top_k\":10000}");
            if (r.statusCode() == 200) {
                Set<Long> ids = new TreeSet<>();
                for (JsonNode row : JSON.readTree(r.body()).path("rows")) {
                    ids.add(row.path("id").asLong());
                }
                return ids;
            }
            assertEquals(503, r.statusCode(), r.body());
            Thread.sleep(200);
        }
        throw new AssertionError(owner + " kept answering 503");
    }

    private HttpResponse<String> post(URI node, String path, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(node.resolve(path))
                        .timeout(Duration.ofSeconds(60))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
