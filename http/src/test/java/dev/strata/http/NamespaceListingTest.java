package dev.strata.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Paging through {@code GET /v1/namespaces} over HTTP, as callers whose keys see every
 * namespace or only some prefixes. The listing itself (key order, cursors, tombstones) is
 * tested in actors' {@code NamespaceCatalogTest}; this tests what reaches a client.
 */
class NamespaceListingTest {

    @TempDir
    static Path dir;

    static TestServer server;

    /** Written in this order; "t1" is a prefix of "t1-a", whose keys sort before it. */
    static final List<String> NAMES = List.of("t1", "t1-a", "t1-b", "t2-a", "t3-a", "t3-b", "t3-c", "u-x");

    @BeforeAll
    static void start() {
        server = new TestServer(dir, """
                strata.http.api-keys = [
                  {key = "admin-key"},
                  {key = "team-key", namespace-prefixes = ["t1-", "t3-"]}
                ]
                """);
        server.apiKey = "admin-key";
        for (String ns : NAMES) {
            server.write(ns, "{\"upsert_rows\":[{\"id\":1}]}");
        }
        TestServer.Response deleted = server.delete("/v2/namespaces/t3-b");
        assertEquals(200, deleted.status(), deleted.body());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Every name the key lists under the prefix, page by page; checks each page's size. */
    private static List<String> all(String key, String prefix, int pageSize) {
        server.apiKey = key;
        try {
            List<String> names = new ArrayList<>();
            String cursor = null;
            int pages = 0;
            do {
                String query = "?prefix=" + prefix + "&page_size=" + pageSize + (cursor == null ? "" : "&cursor=" + cursor);
                TestServer.Response r = server.get("/v1/namespaces" + query);
                assertEquals(200, r.status(), r.body());
                JsonNode page = r.json();
                JsonNode list = page.get("namespaces");
                list.forEach(n -> names.add(n.get("id").asText()));
                cursor = page.hasNonNull("next_cursor") ? page.get("next_cursor").asText() : null;
                if (cursor != null) {
                    assertEquals(pageSize, list.size(), "a page before the last is full: " + page);
                } else {
                    assertFalse(list.isEmpty() && pages > 0, "a cursor was given for an empty last page");
                }
                pages++;
            } while (cursor != null);
            return names;
        } finally {
            server.apiKey = "admin-key";
        }
    }

    @Test
    void anUnrestrictedKeyPagesThroughEveryLiveNamespace() {
        List<String> expected = List.of("t1-a", "t1-b", "t1", "t2-a", "t3-a", "t3-c", "u-x");
        for (int pageSize = 1; pageSize <= 8; pageSize++) {
            assertEquals(expected, all("admin-key", "", pageSize), "page size " + pageSize);
        }
        assertEquals(List.of("t1-a", "t1-b", "t1"), all("admin-key", "t1", 2));
        assertEquals(List.of(), all("admin-key", "v", 2));
    }

    @Test
    void aKeyWithPrefixesSeesOnlyItsNamespacesOnFullPages() {
        List<String> mine = List.of("t1-a", "t1-b", "t3-a", "t3-c");
        for (int pageSize = 1; pageSize <= 5; pageSize++) {
            assertEquals(mine, all("team-key", "", pageSize), "page size " + pageSize);
            assertEquals(mine, all("team-key", "t", pageSize), "page size " + pageSize);
        }
        assertEquals(List.of("t3-a", "t3-c"), all("team-key", "t3", 1));
        assertEquals(List.of("t3-a", "t3-c"), all("team-key", "t3-", 1));
        assertEquals(List.of("t1-a"), all("team-key", "t1-a", 1));
        assertEquals(List.of(), all("team-key", "t2", 1));
        assertEquals(List.of(), all("team-key", "u", 1));
    }
}
