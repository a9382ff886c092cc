package dev.strata.tiering.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.tiering.testing.ObjectStoreContractTest;
import dev.strata.tiering.testing.S3ProxyServer;
import dev.strata.config.StrataThreads;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The contract against a real S3-protocol server (S3Proxy), with keys under a prefix. */
class S3ObjectStoreTest extends ObjectStoreContractTest {

    private static final String PREFIX = "strata/test";

    private S3ProxyServer server;

    @Override
    protected ObjectStore createStore(Executor io) throws Exception {
        server = S3ProxyServer.start("strata-contract");
        return ObjectStores.open(server.storageSettings(PREFIX), io);
    }

    @AfterAll
    void stopServer() {
        server.close();
    }

    /**
     * S3 lists in UTF-8 byte order, but S3Proxy's in-memory store sorts keys as Java strings
     * (UTF-16 order), so supplementary characters come before U+E000..U+FFFF there. This store
     * passes the server's order through, so against S3Proxy the listing shows S3Proxy's order.
     * If S3Proxy is fixed, this fails: then delete this override and let the contract test run.
     */
    @Test
    @Override
    protected void listingOrdersSupplementaryCharactersByUtf8Bytes() {
        List<String> keys = List.of(base + "\uE000", base + "\uFFFD", base + "😀", base + "𝄞");
        for (String key : keys) {
            join(store().put(key, new byte[1]));
        }
        List<String> utf16Order = keys.stream().sorted().toList();
        assertEquals(utf16Order, keys(listAll(base, 2)));
    }

    /** A body is sent in slices: every size around a slice boundary arrives whole and in order. */
    @Test
    void bodiesOfSeveralSlicesArriveWhole() {
        int slice = S3ObjectStore.BODY_SLICE_BYTES;
        for (int size : new int[] {0, 1, slice - 1, slice, slice + 1, 2 * slice + 3}) {
            byte[] data = new byte[size];
            new SplittableRandom(size).nextBytes(data);
            join(store().put(base + "put-" + size, data));
            assertArrayEquals(data, join(store().get(base + "put-" + size)), "put of " + size + " bytes");
            assertTrue(join(store().createIfAbsent(base + "created-" + size, data)));
            assertArrayEquals(data, join(store().get(base + "created-" + size)), "creation of " + size + " bytes");
        }
    }

    @Test
    void keysLiveUnderThePrefixAndListingsStripIt() throws Exception {
        byte[] data = {7, 8, 9};
        join(store().put("prefixed/key", data));
        ExecutorService io = StrataThreads.newPool(StrataThreads.IO, 2);
        try (ObjectStore unprefixed = new S3ObjectStore(server.settings(""), io)) {
            assertArrayEquals(data, join(unprefixed.get(PREFIX + "/prefixed/key")));
            assertEquals(List.of(PREFIX + "/prefixed/key"), keys(join(unprefixed.list(PREFIX + "/prefixed/", null, 10)).objects()));
        } finally {
            io.shutdownNow();
        }
        assertEquals(List.of("prefixed/key"), keys(listAll("prefixed/", 10)));
        assertEquals("s3://strata-contract/" + PREFIX, store().describe());
    }
}
