package dev.strata.actors.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.strata.actors.testing.IoPool;
import dev.strata.tiering.store.CountingObjectStore;
import dev.strata.tiering.store.ObjectStore;
import dev.strata.tiering.store.ObjectStores;
import dev.strata.tiering.testing.S3ProxyServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Listing namespaces from the bucket's keys: paging, prefixes, deleted namespaces, request counts. */
class NamespaceCatalogTest {

    @TempDir
    Path dir;

    @RegisterExtension
    final IoPool io = new IoPool(2);

    private static void namespace(ObjectStore store, String name, int walObjects) {
        NamespaceLayout layout = new NamespaceLayout(new NamespaceName(name));
        for (int i = 1; i <= walObjects; i++) {
            store.put(layout.walPrefix() + NamespaceLayout.sequence(i), new byte[] {1}).join();
        }
        store.put(layout.manifestPrefix() + NamespaceLayout.sequence(1), new byte[] {1}).join();
        store.put(layout.segmentKey("s1"), new byte[] {1}).join();
    }

    private static List<String> all(ObjectStore store, String prefix, int pageSize) {
        List<String> out = new ArrayList<>();
        String cursor = null;
        do {
            NamespaceCatalog.Page page = NamespaceCatalog.list(store, prefix, cursor, pageSize).join();
            out.addAll(page.names());
            cursor = page.nextCursorOrNull();
        } while (cursor != null);
        return out;
    }

    @Test
    void listsEveryLiveNamespaceOnceAcrossPagesAndPrefixes() {
        listsEveryLiveNamespaceOnce(io.local(dir));
    }

    /** On S3 the continuation is S3's start-after, given a key that exists in no namespace. */
    @Test
    void listsEveryLiveNamespaceOnceOnS3() throws Exception {
        try (S3ProxyServer server = S3ProxyServer.start("strata-catalog");
             ObjectStore store = ObjectStores.open(server.storageSettings("cluster-1"), io.executor())) {
            listsEveryLiveNamespaceOnce(store);
            // Deleting through the tombstone leaves nothing, and the catalog forgets the namespace.
            NamespaceDeletion.delete(store, new NamespaceLayout(new NamespaceName("bb"))).join();
            assertEquals(List.of(), store.list(NamespaceLayout.ROOT + "bb/", null, 10).join().objects());
            assertEquals(List.of("a-b", "a.c", "a", "b", "x_y"), all(store, "", 2));
        }
    }

    private void listsEveryLiveNamespaceOnce(ObjectStore store) {
        assertEquals(new NamespaceCatalog.Page(List.of(), null), NamespaceCatalog.list(store, "", null, 10).join());
        for (String name : List.of("b", "a", "a-b", "a.c", "bb", "c", "x_y")) {
            namespace(store, name, 3);
        }
        // "c" is being deleted: its tombstone is its first key.
        store.put(NamespaceDeletion.tombstoneKey(new NamespaceLayout(new NamespaceName("c"))), new byte[0]).join();
        List<String> expected = List.of("a-b", "a.c", "a", "b", "bb", "x_y"); // the keys' order
        for (int pageSize : new int[] {1, 2, 3, 6, 1000}) {
            assertEquals(expected, all(store, null, pageSize), "page size " + pageSize);
        }
        NamespaceCatalog.Page first = NamespaceCatalog.list(store, "", null, 2).join();
        assertEquals(List.of("a-b", "a.c"), first.names());
        assertEquals("a.c", first.nextCursorOrNull());
        NamespaceCatalog.Page last = NamespaceCatalog.list(store, "", "bb", 2).join();
        assertEquals(List.of("x_y"), last.names());
        assertNull(last.nextCursorOrNull());
        assertEquals(List.of("b", "bb"), all(store, "b", 1));
        assertEquals(List.of("a-b", "a.c", "a"), all(store, "a", 2));
        assertEquals(List.of(), all(store, "z", 2));
        assertThrows(IllegalArgumentException.class, () -> NamespaceCatalog.list(store, "", null, 0));
    }

    @Test
    void costsOneListingPerNamespaceWhateverItsSize() {
        CountingObjectStore store = new CountingObjectStore(io.local(dir), io.executor());
        namespace(store, "big", 50);
        namespace(store, "small", 1);
        store.reset();
        assertEquals(List.of("big", "small"), NamespaceCatalog.list(store, "", null, 10).join().names());
        // big, small, and the listing that finds nothing after them.
        assertEquals(3, store.count(CountingObjectStore.Operation.LIST));
        assertEquals(3, store.totalRequests());
    }
}
