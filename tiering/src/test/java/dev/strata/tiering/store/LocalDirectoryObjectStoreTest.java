package dev.strata.tiering.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.tiering.testing.ObjectStoreContractTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Executor;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalDirectoryObjectStoreTest extends ObjectStoreContractTest {

    @TempDir
    static Path root;

    @Override
    protected ObjectStore createStore(Executor io) {
        return new LocalDirectoryObjectStore(root, io);
    }

    @Test
    void keysAreFilesUnderTheRootAndTemporaryFilesAreCleanedUp() throws IOException {
        join(store().put("layout/a/b", new byte[] {1, 2, 3}));
        assertTrue(join(store().createIfAbsent("layout/c", new byte[] {4})));
        assertFalse(join(store().createIfAbsent("layout/c", new byte[] {5})));
        assertEquals(3, Files.size(root.resolve("layout/a/b")));
        assertEquals(1, Files.size(root.resolve("layout/c")));
        try (Stream<Path> temp = Files.list(root.resolve(ObjectKeys.RESERVED_SEGMENT))) {
            assertEquals(List.of(), temp.toList(), "temporary files left behind");
        }
    }

    @Test
    void createIfAbsentHasOneWinnerAcrossProcesses() throws Exception {
        Path shared = root.resolve("cross-process");
        int processes = 3;
        int keys = 200;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Process> racers = new ArrayList<>();
        for (int p = 0; p < processes; p++) {
            racers.add(new ProcessBuilder(java, "-ea", "-cp", System.getProperty("java.class.path"),
                    LocalCreateRace.class.getName(), shared.toString(), "racer-" + p, Integer.toString(keys))
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start());
        }
        Map<Integer, String> winners = new HashMap<>();
        for (int p = 0; p < processes; p++) {
            Process racer = racers.get(p);
            String output = new String(racer.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(racer.waitFor(60, TimeUnit.SECONDS), "racer " + p + " did not finish");
            assertEquals(0, racer.exitValue(), "racer " + p);
            for (String line : output.lines().toList()) {
                String previous = winners.put(Integer.parseInt(line), "racer-" + p);
                assertNull(previous, "key " + line + " won by " + previous + " and racer-" + p);
            }
        }
        assertEquals(keys, winners.size(), "every key has a winner");
        for (Map.Entry<Integer, String> winner : winners.entrySet()) {
            assertEquals(winner.getValue(), Files.readString(shared.resolve("race/" + winner.getKey())));
        }
    }

    @Test
    void aFileAndADirectoryCannotShareAName() {
        join(store().put("clash/a", new byte[] {1}));
        ObjectStoreException e = failure(ObjectStoreException.class, () -> store().put("clash/a/b", new byte[] {2}));
        assertEquals("clash/a/b", e.key());
        join(store().put("clash2/a/b", new byte[] {1}));
        failure(ObjectNotFoundException.class, () -> store().get("clash2/a"));
        assertEquals(java.util.Optional.empty(), join(store().head("clash2/a")));
    }
}
