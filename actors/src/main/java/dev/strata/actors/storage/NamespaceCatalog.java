package dev.strata.actors.storage;

import dev.strata.tiering.store.ListPage;
import dev.strata.tiering.store.ObjectStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Lists the namespaces in a bucket, for {@code GET /v1/namespaces?prefix=&page_size=&cursor=}.
 *
 * <p>There is no index of namespaces: a namespace exists while it has objects under
 * {@code namespaces/{ns}/}. The listing skips from namespace to namespace with delimiter-free,
 * one-key listings: it asks for the first key after the previous namespace's keys, reads the
 * namespace name from it, and continues after {@code namespaces/{ns}0} ({@code '0'} is the
 * character after {@code '/'}, and no name contains {@code '/'}, so every key of {@code ns} sorts
 * before it and every key of a later namespace after it). Cost: one LIST request per namespace
 * returned, plus one per deleted namespace skipped and one to learn whether another page
 * follows, independent of how many objects each namespace holds. A namespace whose first key is
 * its deletion tombstone (see {@link NamespaceDeletion}) is being deleted and is not listed.
 *
 * <p>Order is the bucket's key order of {@code namespaces/{ns}/}, which differs from plain name
 * order only for names that continue with {@code '-'} or {@code '.'} where another name ends
 * ("a-b" lists before "a"); the cursor is the last name returned.
 */
public final class NamespaceCatalog {

    /** One page of namespace names; {@code nextCursorOrNull} is null on the last page. */
    public record Page(List<String> names, String nextCursorOrNull) {
        public Page {
            names = List.copyOf(names);
        }
    }

    public static final int MAX_PAGE_SIZE = 1000;

    private NamespaceCatalog() {}

    /**
     * Up to {@code pageSize} namespaces whose names start with {@code prefix} (null or empty: all),
     * after the namespace {@code cursorOrNull}.
     */
    public static CompletableFuture<Page> list(ObjectStore store, String prefix, String cursorOrNull, int pageSize) {
        if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
            throw new IllegalArgumentException("page_size must be between 1 and " + MAX_PAGE_SIZE + ", got " + pageSize);
        }
        String listPrefix = NamespaceLayout.ROOT + (prefix == null ? "" : prefix);
        String after = cursorOrNull == null || cursorOrNull.isEmpty() ? null : afterNamespace(cursorOrNull);
        return next(store, listPrefix, after, pageSize, new ArrayList<>());
    }

    private static CompletableFuture<Page> next(ObjectStore store, String listPrefix, String after, int pageSize,
                                                List<String> names) {
        return store.list(listPrefix, after, 1).thenCompose((ListPage page) -> {
            if (page.objects().isEmpty()) {
                return CompletableFuture.completedFuture(new Page(names, null));
            }
            String key = page.objects().get(0).key();
            int slash = key.indexOf('/', NamespaceLayout.ROOT.length());
            if (slash < 0) {
                // A stray object directly under namespaces/: step over it.
                return next(store, listPrefix, key, pageSize, names);
            }
            String name = key.substring(NamespaceLayout.ROOT.length(), slash);
            boolean deleted = key.equals(key.substring(0, slash + 1) + NamespaceDeletion.TOMBSTONE);
            if (!deleted) {
                if (names.size() == pageSize) {
                    // One more exists: this page is full and another follows.
                    return CompletableFuture.completedFuture(new Page(names, names.get(names.size() - 1)));
                }
                names.add(name);
            }
            return next(store, listPrefix, afterNamespace(name), pageSize, names);
        });
    }

    /** A key after every key of the namespace and before every key of the namespaces after it. */
    private static String afterNamespace(String name) {
        return NamespaceLayout.ROOT + name + "0";
    }
}
