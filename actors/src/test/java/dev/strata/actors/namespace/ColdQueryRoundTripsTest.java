package dev.strata.actors.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.actors.namespace.NamespaceProtocol.QueryRequest;
import dev.strata.actors.namespace.NamespaceProtocol.QueryResult;
import dev.strata.actors.namespace.NamespaceProtocol.Row;
import dev.strata.actors.namespace.NamespaceProtocol.UpsertRow;
import dev.strata.actors.namespace.NamespaceProtocol.WriteRequest;
import dev.strata.actors.storage.NamespaceLayout;
import dev.strata.actors.storage.NamespaceName;
import dev.strata.actors.storage.SequencedLog;
import dev.strata.actors.testing.IoPool;
import dev.strata.cache.PageGeometry;
import dev.strata.index.doc.CorruptDataException;
import dev.strata.index.ivf.CorruptIndexException;
import dev.strata.index.search.SegmentLayout;
import dev.strata.index.segment.SectionInfo;
import dev.strata.index.segment.SegmentDirectory;
import dev.strata.index.segment.SegmentFormat;
import dev.strata.tiering.read.ObjectStorePageSource;
import dev.strata.tiering.read.RangeCoalescer;
import dev.strata.tiering.read.ReadStats;
import dev.strata.tiering.read.TieredReader;
import dev.strata.tiering.store.CountingObjectStore;
import dev.strata.tiering.store.FaultInjectingObjectStore;
import dev.strata.tiering.store.FaultInjectingObjectStore.Faults;
import dev.strata.tiering.store.ObjectStore;
import dev.strata.tiering.store.S3ObjectStore;
import dev.strata.tiering.testing.S3ProxyServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.UnaryOperator;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A cold query's sequential object-store round trips on S3 (S3Proxy) behind per-request
 * latency: the newest manifest's copy, which carries the bytes its segment's open reads, is read
 * beside the listings of the versions and of the WAL, and two more follow for strong and
 * eventual queries alike (codes with the strong check; rerank vectors): three in all. A copy
 * without those bytes (as written before copies carried them) costs one round trip more; one
 * that is not the newest version, or not readable, two, once: that load writes the copy again.
 * A manifest without layouts still answers the same, later; one whose layout does not match the
 * segment fails the load with a typed error.
 */
class ColdQueryRoundTripsTest {

    private static final String NS = "cold";
    private static final NamespaceLayout LAYOUT = new NamespaceLayout(new NamespaceName(NS));
    private static final int DOCS = 3000;
    private static final int DIMS = 32;

    @RegisterExtension
    final IoPool io = new IoPool(8);

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private S3ProxyServer server;
    private ObjectStore s3;
    private float[] query;

    @BeforeEach
    void loadNamespace() throws Exception {
        server = S3ProxyServer.start("cold");
        s3 = new S3ObjectStore(server.settings(""), io.executor());
        Random random = new Random(3);
        List<UpsertRow> rows = new ArrayList<>();
        for (long id = 0; id < DOCS; id++) {
            float[] v = new float[DIMS];
            for (int d = 0; d < DIMS; d++) {
                v[d] = (float) random.nextGaussian();
            }
            rows.add(NamespaceEntityTest.row(id, v, "n", id));
        }
        query = rows.get(17).vectorOrNull();
        try (TestNode node = new TestNode(s3, "strata.namespace.indexing.after-quiet = 200ms\n")) {
            node.writeOk(NS, WriteRequest.of(rows, null, null, "cosine_distance", false));
            node.kit.createTestProbe().awaitAssert(TestNode.TIMEOUT, () -> {
                assertEquals(1, latest().segments().size());
                return null;
            });
        }
    }

    @AfterEach
    void stop() {
        server.close();
        timer.shutdownNow();
    }

    private Manifest latest() {
        SequencedLog manifests = new SequencedLog(s3, LAYOUT.manifestPrefix());
        long version = manifests.latest().join();
        return ManifestCodec.decode(manifests.read(version).join(), "manifest " + version);
    }

    /** Publishes the newest manifest again as the next version, with its one segment entry changed. */
    private void republish(UnaryOperator<Manifest.SegmentEntry> change) {
        Manifest m = latest();
        Manifest.SegmentEntry e = m.segments().get(0);
        Manifest next = new Manifest(m.formatVersion(), m.namespace(), m.version() + 1, m.schema(), m.metricOrNull(),
                List.of(change.apply(e)), m.indexedThrough(), m.createdAtOrNull());
        assertTrue(new SequencedLog(s3, LAYOUT.manifestPrefix()).create(next.version(), ManifestCodec.encode(next))
                .join());
    }

    /** A cold node's first query: its answer, its round trips, and those after the manifest's GET. */
    private record Cold(List<Object> ids, int rounds, int roundsAfterManifest) {}

    private Cold coldQuery(boolean eventual) {
        CountingObjectStore counting = new CountingObjectStore(new FaultInjectingObjectStore(s3,
                Faults.none(11).withLatency(Duration.ofMillis(40), Duration.ofMillis(45)), timer, io.executor()), io.executor());
        try (TestNode node = new TestNode(counting)) {
            QueryRequest request = QueryRequest.nearest(query, 10);
            QueryResult result = node.queryOk(NS, eventual ? request.eventually() : request);
            List<CountingObjectStore.Timed> timed = counting.timed();
            int[] depth = CountingObjectStore.rounds(timed);
            int deepest = CountingObjectStore.deepestRound(timed, depth, r -> true);
            // The manifest GET: of a version, or of the newest one's copy.
            int manifest = CountingObjectStore.deepestRound(timed, depth,
                    r -> r.operation() == CountingObjectStore.Operation.GET && r.key().contains("/manifest"));
            return new Cold(result.rows().stream().map(Row::id).toList(), deepest, deepest - manifest);
        }
    }

    @Test
    void aColdQueryTakesTwoRoundTripsAfterTheManifestAndMoreWithoutTheCopyOrALayout() throws Exception {
        assertNotNull(latest().segments().get(0).layoutOrNull(), "the indexer records the layout");
        Cold strong = coldQuery(false);
        Cold eventual = coldQuery(true);
        assertEquals(17L, strong.ids().get(0));
        assertEquals(strong.ids(), eventual.ids());
        assertEquals(2, strong.roundsAfterManifest(), "strong");
        assertEquals(2, eventual.roundsAfterManifest(), "eventual");
        assertEquals(3, strong.rounds(), "the manifest's copy is read beside the listing");

        // A copy of the version's bytes alone, as written before copies carried segment bytes:
        // the segment's open reads after the manifest.
        Manifest m = latest();
        s3.put(LAYOUT.newestManifestCopyKey(), ManifestCodec.encode(m)).join();
        Cold plainCopy = coldQuery(false);
        assertEquals(strong.ids(), plainCopy.ids());
        assertEquals(3, plainCopy.roundsAfterManifest());
        // That load upgraded the copy (in the background).
        awaitCopyWithSegmentBytes();

        // An unreadable copy is ignored: the listed version is read after the listing.
        s3.put(LAYOUT.newestManifestCopyKey(), "{\"not\": \"a manifest\"".getBytes(StandardCharsets.UTF_8)).join();
        Cold unreadableCopy = coldQuery(false);
        assertEquals(strong.ids(), unreadableCopy.ids());
        assertEquals(5, unreadableCopy.rounds());
        // That load wrote the copy again (in the background), with the segment's bytes: the next
        // cold load reads it beside the listing and opens the segment from it.
        awaitCopyWithSegmentBytes();
        assertEquals(3, coldQuery(false).rounds());

        // As an older writer would have published it: the directory is read first, then the
        // IVF header, then its metadata (the test node has no memory tier to keep the header's
        // page from the first read, which a server's has).
        republish(e -> new Manifest.SegmentEntry(e.id(), e.key(), e.bytes(), e.documents(), e.walFirst(),
                e.walLast(), e.deletesKeyOrNull(), e.deletes()));
        Cold old = coldQuery(false);
        assertEquals(strong.ids(), old.ids());
        assertEquals(5, old.roundsAfterManifest());
    }

    private void awaitCopyWithSegmentBytes() throws InterruptedException {
        long deadline = System.nanoTime() + TestNode.TIMEOUT.toNanos();
        while (ManifestCopy.decode(s3.get(LAYOUT.newestManifestCopyKey()).join(), "copy").ranges().isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "the load never wrote the copy");
            Thread.sleep(50);
        }
    }

    private static Manifest.SegmentEntry withSections(Manifest.SegmentEntry e, int rows, long metaLength,
                                                      UnaryOperator<SectionInfo> change) {
        SegmentDirectory d = e.layoutOrNull().directory();
        List<SectionInfo> sections = d.sections().stream().map(change).toList();
        return new Manifest.SegmentEntry(e.id(), e.key(), e.bytes(), rows, e.walFirst(), e.walLast(),
                e.deletesKeyOrNull(), e.deletes(), new SegmentLayout(new SegmentDirectory(rows, sections), metaLength));
    }

    private Throwable loadError() {
        PageGeometry geometry = new PageGeometry(4096);
        TieredReader reader = new TieredReader(new ObjectStorePageSource(s3, geometry, new RangeCoalescer(64 * 1024)),
                geometry);
        CompletionException e = assertThrows(CompletionException.class, () -> Hydration.load(
                new ManifestLog(new NamespaceName(NS), s3), s3, reader, io.executor(), new ReadStats()).join());
        return e.getCause();
    }

    @Test
    void aLayoutThatDoesNotMatchTheSegmentFailsTheLoadWithATypedError() {
        Manifest.SegmentEntry good = latest().segments().get(0);
        long meta = good.layoutOrNull().vectorsMetaLength();
        // The ids section moved by 8 bytes (and 8 bytes shorter, so it still fits).
        republish(e -> withSections(good, DOCS, meta, s -> s.name().equals(SegmentFormat.IDS)
                ? new SectionInfo(s.name(), s.offset() + 8, s.length() - 8, s.checksum()) : s));
        Throwable moved = loadError();
        assertInstanceOf(CorruptDataException.class, moved, moved::toString);
        assertTrue(moved.getMessage().contains(good.key()), moved.getMessage());

        // A row count that agrees with the entry but not with the segment.
        republish(e -> withSections(good, DOCS + 1, meta, s -> s));
        assertInstanceOf(CorruptDataException.class, loadError());

        // The IVF metadata length off by one partition-table entry.
        republish(e -> withSections(good, DOCS, meta - 20, s -> s));
        Throwable ivf = loadError();
        assertInstanceOf(CorruptIndexException.class, ivf, ivf::toString);

        // Through the entity: the query fails instead of answering from bytes it cannot trust.
        try (TestNode node = new TestNode(s3)) {
            StatusReply<QueryResult> reply = node.query(NS, QueryRequest.nearest(query, 10));
            assertTrue(reply.isError(), reply::toString);
            assertInstanceOf(NamespaceException.Unavailable.class, reply.getError());
        }

        // The good entry again: the same segment serves.
        republish(e -> good);
        try (TestNode node = new TestNode(s3)) {
            assertEquals(17L, node.queryOk(NS, QueryRequest.nearest(query, 10)).rows().get(0).id());
        }
    }
}
