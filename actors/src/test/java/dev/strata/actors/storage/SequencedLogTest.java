package dev.strata.actors.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.actors.testing.IoPool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class SequencedLogTest {

    @TempDir
    Path dir;

    @RegisterExtension
    final IoPool io = new IoPool();

    @Test
    void entriesAreCreatedOnceAndListedInNumericOrder() {
        var store = io.local(dir);
        NamespaceLayout layout = new NamespaceLayout(new NamespaceName("tenant-1"));
        SequencedLog wal = new SequencedLog(store, layout.walPrefix());
        assertEquals(-1L, wal.latest().join());
        for (long n : new long[] {1, 2, 10, 9}) {
            assertTrue(wal.create(n, ("entry " + n).getBytes(StandardCharsets.UTF_8)).join());
        }
        assertFalse(wal.create(2, "again".getBytes(StandardCharsets.UTF_8)).join(), "an entry is created once");
        assertArrayEquals("entry 2".getBytes(StandardCharsets.UTF_8), wal.read(2).join());
        assertEquals(List.of(1L, 2L, 9L, 10L), wal.sequences().join());
        assertEquals(10L, wal.latest().join());
        // Keys that are not sequence numbers are not entries.
        store.put(layout.walPrefix() + "notes", new byte[1]).join();
        assertEquals(List.of(1L, 2L, 9L, 10L), wal.sequences().join());
    }

    @Test
    void concurrentWritersOfOneSequenceHaveExactlyOneWinner() {
        var store = io.local(dir);
        SequencedLog log = new SequencedLog(store, new NamespaceLayout(new NamespaceName("ns")).manifestPrefix());
        List<CompletableFuture<Boolean>> attempts = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            attempts.add(log.create(7, ("owner " + i).getBytes(StandardCharsets.UTF_8)));
        }
        assertEquals(1, attempts.stream().filter(CompletableFuture::join).count());
    }

    @Test
    void namesAndSequencesAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new NamespaceName("has/slash"));
        assertThrows(IllegalArgumentException.class, () -> new NamespaceName(""));
        assertThrows(IllegalArgumentException.class, () -> new NamespaceName("x".repeat(129)));
        assertEquals("x".repeat(128), new NamespaceName("x".repeat(128)).value());
        assertEquals("namespaces/a.b_c-1/wal/00000000000000000042",
                new SequencedLog(null, new NamespaceLayout(new NamespaceName("a.b_c-1")).walPrefix()).key(42));
        assertEquals(42, NamespaceLayout.parseSequence("p/", "p/00000000000000000042"));
        assertEquals("00000000000000000000", NamespaceLayout.sequence(0));
        assertEquals("09223372036854775807", NamespaceLayout.sequence(Long.MAX_VALUE));
        for (long n : new long[] {1, 9, 10, 12_345, 999_999_999_999L, 1L << 62}) {
            assertEquals(String.format("%020d", n), NamespaceLayout.sequence(n));
            assertEquals(n, NamespaceLayout.parseSequence("p/", "p/" + NamespaceLayout.sequence(n)));
        }
        assertEquals(-1, NamespaceLayout.parseSequence("p/", "p/0000000000000000004x"));
    }
}
