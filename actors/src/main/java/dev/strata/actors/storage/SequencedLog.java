package dev.strata.actors.storage;

import dev.strata.tiering.store.ListPage;
import dev.strata.tiering.store.ObjectInfo;
import dev.strata.tiering.store.ObjectStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Objects named by sequence number under one prefix, each created at most once. Both a
 * namespace's write-ahead log and its manifest history are such logs: an owner writes entry
 * {@code n + 1} with create-if-absent, so when two processes believe they own a namespace
 * exactly one of them creates each entry, and the other learns it has been fenced off.
 */
public final class SequencedLog {

    private static final int PAGE = 1000;

    private final ObjectStore store;
    private final String prefix;

    public SequencedLog(ObjectStore store, String prefix) {
        this.store = store;
        this.prefix = prefix;
    }

    public String key(long sequence) {
        return prefix + NamespaceLayout.sequence(sequence);
    }

    /** Creates entry {@code sequence}; completes with false if it already exists. */
    public CompletableFuture<Boolean> create(long sequence, byte[] bytes) {
        return store.createIfAbsent(key(sequence), bytes);
    }

    public CompletableFuture<byte[]> read(long sequence) {
        return store.get(key(sequence));
    }

    /** The sequence numbers of all entries, ascending. */
    public CompletableFuture<List<Long>> sequences() {
        return collect(null, new ArrayList<>());
    }

    /** The newest entry's sequence number, or -1 when the log is empty. */
    public CompletableFuture<Long> latest() {
        return sequences().thenApply(all -> all.isEmpty() ? -1L : all.get(all.size() - 1));
    }

    public CompletableFuture<Void> delete(long sequence) {
        return store.delete(key(sequence));
    }

    private CompletableFuture<List<Long>> collect(String token, List<Long> into) {
        return store.list(prefix, token, PAGE).thenCompose((ListPage page) -> {
            for (ObjectInfo o : page.objects()) {
                long n = NamespaceLayout.parseSequence(prefix, o.key());
                if (n >= 0) {
                    into.add(n);
                }
            }
            return page.hasMore() ? collect(page.nextToken(), into) : CompletableFuture.completedFuture(into);
        });
    }
}
