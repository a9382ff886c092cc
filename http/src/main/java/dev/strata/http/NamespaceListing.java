package dev.strata.http;

import dev.strata.actors.storage.NamespaceLayout;
import dev.strata.tiering.store.ListPage;
import dev.strata.tiering.store.ObjectInfo;
import dev.strata.tiering.store.ObjectStore;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * Lists namespaces by listing the bucket's {@code namespaces/} keys and taking the distinct
 * names, in key order (the order of {@code name + "/"}: a namespace's keys are contiguous in
 * that order, so "a-b" comes before "a"). The cursor is the last name of the previous page. Pages of keys are
 * read until {@code pageSize} names after the cursor are found (plus one, to know whether
 * there are more), so a page costs listing every key up to its last namespace.
 */
final class NamespaceListing {

    /** One page of names and the cursor of the next page (null on the last). */
    record Page(List<String> names, String nextCursorOrNull) {}

    private static final int KEYS_PER_REQUEST = 1_000;

    /** Names ordered as their keys are listed. */
    static final java.util.Comparator<String> KEY_ORDER = java.util.Comparator.comparing(n -> n + "/");

    private NamespaceListing() {}

    static CompletableFuture<Page> list(ObjectStore store, String prefix, String cursorOrNull, int pageSize,
                                        Predicate<String> visible) {
        TreeSet<String> found = new TreeSet<>(KEY_ORDER);
        return next(store, NamespaceLayout.ROOT + prefix, null, cursorOrNull, pageSize, visible, found)
                .thenApply(ignored -> {
                    List<String> names = new ArrayList<>(found);
                    if (names.size() > pageSize) {
                        List<String> page = names.subList(0, pageSize);
                        return new Page(List.copyOf(page), page.get(page.size() - 1));
                    }
                    return new Page(names, null);
                });
    }

    private static CompletableFuture<Void> next(ObjectStore store, String keyPrefix, String token, String cursor,
                                                int pageSize, Predicate<String> visible, TreeSet<String> found) {
        return store.list(keyPrefix, token, KEYS_PER_REQUEST).thenCompose((ListPage page) -> {
            for (ObjectInfo o : page.objects()) {
                String rest = o.key().substring(NamespaceLayout.ROOT.length());
                int slash = rest.indexOf('/');
                if (slash <= 0) {
                    continue;
                }
                String name = rest.substring(0, slash);
                if ((cursor == null || KEY_ORDER.compare(name, cursor) > 0) && visible.test(name)) {
                    found.add(name);
                }
            }
            // Keys come in order, so once pageSize + 1 names are known no later key can precede them.
            if (found.size() > pageSize || !page.hasMore()) {
                return CompletableFuture.completedFuture(null);
            }
            return next(store, keyPrefix, page.nextToken(), cursor, pageSize, visible, found);
        });
    }
}
