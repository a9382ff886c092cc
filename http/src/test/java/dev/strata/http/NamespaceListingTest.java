package dev.strata.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.strata.config.StrataThreads;
import dev.strata.tiering.store.LocalDirectoryObjectStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Paging through namespaces listed from a real (local directory) object store. */
class NamespaceListingTest {

    @TempDir
    Path dir;

    ExecutorService io;
    LocalDirectoryObjectStore store;

    @BeforeEach
    void open() {
        io = StrataThreads.newPool(StrataThreads.IO, 2);
        store = new LocalDirectoryObjectStore(dir, io);
    }

    @AfterEach
    void close() throws Exception {
        store.close();
        io.shutdownNow();
    }

    private void namespace(String name, int keys) {
        for (int i = 0; i < keys; i++) {
            store.put("namespaces/" + name + "/wal/" + String.format("%020d", i), new byte[] {1}).join();
        }
    }

    private List<String> all(String prefix, int pageSize) {
        List<String> out = new ArrayList<>();
        String cursor = null;
        do {
            NamespaceListing.Page page = NamespaceListing.list(store, prefix, cursor, pageSize, n -> true).join();
            out.addAll(page.names());
            cursor = page.nextCursorOrNull();
        } while (cursor != null);
        return out;
    }

    @Test
    void pagesVisitEveryNamespaceOnceEvenWhenNamesArePrefixesOfOthers() {
        // "a" is a prefix of "a-b" and "a.c": their keys interleave differently from their names.
        List<String> names = List.of("a", "a-b", "a.c", "ab", "b", "b-1", "c");
        for (String n : names) {
            namespace(n, 3);
        }
        List<String> expected = new ArrayList<>(names);
        expected.sort(NamespaceListing.KEY_ORDER);
        for (int pageSize = 1; pageSize <= 8; pageSize++) {
            assertEquals(expected, all("", pageSize), "page size " + pageSize);
        }
        assertEquals(List.of("a-b", "a.c", "a", "ab"), all("a", 2));
        assertEquals(List.of("b-1", "b"), all("b", 1));
    }

    @Test
    void lastPageHasNoCursorAndFilterApplies() {
        namespace("x-1", 2);
        namespace("y-1", 2);
        NamespaceListing.Page page = NamespaceListing.list(store, "", null, 10, n -> n.startsWith("y-")).join();
        assertEquals(List.of("y-1"), page.names());
        assertNull(page.nextCursorOrNull());
        assertEquals(List.of(), NamespaceListing.list(store, "z", null, 10, n -> true).join().names());
    }
}
