package dev.strata.actors.storage;

import dev.strata.tiering.store.ListPage;
import dev.strata.tiering.store.ObjectInfo;
import dev.strata.tiering.store.ObjectStore;
import java.util.concurrent.CompletableFuture;

/**
 * Deletes every object of a namespace so that a crash at any point leaves either the old
 * namespace, readable as it was, or a namespace that does not exist.
 *
 * <p>The commit point is a <em>tombstone</em>, the object {@code namespaces/{ns}/deleted}: it is
 * written first, before anything is removed; from then on the namespace counts as deleted. Then
 * every other key under the namespace's prefix is deleted, page by page, and the tombstone last.
 * A crash before the tombstone exists leaves the namespace untouched; a crash after it leaves a
 * tombstone that every load checks for ({@link #finishIfTombstoned}, one HEAD request) and
 * finishes the deletion before using anything the load read, and that {@link NamespaceCatalog}
 * never lists: its key sorts before the namespace's manifest, segment and WAL keys, so it is the
 * first key a listing of the namespace meets.
 *
 * <p>The namespace's owner runs a deletion only when no write of its own is pending and no
 * background job runs, so no object of its appears after the listing. A stale second owner (a
 * split brain) could still create a WAL object during the deletion; that is outside what
 * create-if-absent fencing can prevent once the log is gone, and is the one case that can leave
 * objects behind.
 */
public final class NamespaceDeletion {

    /** The tombstone's name below the namespace prefix; sorts before "manifest/", "segments/", "wal/". */
    static final String TOMBSTONE = "deleted";

    private static final int PAGE = 1000;

    private NamespaceDeletion() {}

    public static String tombstoneKey(NamespaceLayout layout) {
        return layout.prefix() + TOMBSTONE;
    }

    /** Deletes the namespace: tombstone, every other object, then the tombstone. */
    public static CompletableFuture<Void> delete(ObjectStore store, NamespaceLayout layout) {
        return store.put(tombstoneKey(layout), new byte[0]).thenCompose(ignored -> deleteRest(store, layout));
    }

    /** Finishes a deletion a crash interrupted, if the namespace has a tombstone; else does nothing. */
    public static CompletableFuture<Void> finishIfTombstoned(ObjectStore store, NamespaceLayout layout) {
        return store.head(tombstoneKey(layout)).thenCompose(found -> found.isPresent()
                ? deleteRest(store, layout) : CompletableFuture.completedFuture(null));
    }

    private static CompletableFuture<Void> deleteRest(ObjectStore store, NamespaceLayout layout) {
        String tombstone = tombstoneKey(layout);
        return deletePages(store, layout.prefix(), tombstone, null).thenCompose(ignored -> store.delete(tombstone));
    }

    /** Deletes each listed page's objects (the tombstone excepted) before listing the next. */
    private static CompletableFuture<Void> deletePages(ObjectStore store, String prefix, String keep, String token) {
        return store.list(prefix, token, PAGE).thenCompose((ListPage page) -> {
            CompletableFuture<?>[] deletes = page.objects().stream()
                    .map(ObjectInfo::key)
                    .filter(key -> !key.equals(keep))
                    .map(store::delete)
                    .toArray(CompletableFuture[]::new);
            // The continuation token is the page's last key, so deleting the page does not disturb it.
            return CompletableFuture.allOf(deletes).thenCompose(ignored -> page.hasMore()
                    ? deletePages(store, prefix, keep, page.nextToken())
                    : CompletableFuture.completedFuture(null));
        });
    }
}
