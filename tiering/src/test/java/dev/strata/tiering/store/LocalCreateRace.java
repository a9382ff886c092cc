package dev.strata.tiering.store;

import dev.strata.config.StrataThreads;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;

/**
 * The body of one racing process in {@link LocalDirectoryObjectStoreTest}: creates keys
 * {@code race/0..n-1} in the given directory with its own name as content, and prints the
 * numbers of the keys it won, one per line.
 */
public final class LocalCreateRace {

    private LocalCreateRace() {}

    public static void main(String[] args) {
        Path root = Path.of(args[0]);
        String name = args[1];
        int keys = Integer.parseInt(args[2]);
        ExecutorService io = StrataThreads.newPool(StrataThreads.IO, 2);
        try (ObjectStore store = new LocalDirectoryObjectStore(root, io)) {
            for (int i = 0; i < keys; i++) {
                if (store.createIfAbsent("race/" + i, name.getBytes(StandardCharsets.UTF_8)).join()) {
                    System.out.println(i);
                }
            }
        } finally {
            io.shutdownNow();
        }
    }
}
