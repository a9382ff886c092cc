package dev.strata.http;

import dev.strata.actors.storage.NamespaceCatalog;
import dev.strata.config.ApiKey;
import dev.strata.tiering.store.ObjectStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /v1/namespaces} for one caller: the bucket's namespaces from
 * {@link NamespaceCatalog}, narrowed to those the caller's API key may access.
 *
 * <p>The catalog does the listing (order, cursor, deleted namespaces). This class only decides
 * what a key sees: a caller allowed every namespace the request's prefix can name gets the
 * catalog's page as is; a caller none of whose key prefixes can overlap the request's prefix gets
 * an empty page without a request to the bucket; otherwise catalog pages are read and filtered
 * until {@code pageSize} visible names are found plus one more (so the cursor is given only when
 * another visible name follows), or the catalog ends.
 */
final class NamespaceListing {

    private NamespaceListing() {}

    static CompletableFuture<NamespaceCatalog.Page> list(ObjectStore store, Auth.Caller caller, String prefix,
                                                         String cursorOrNull, int pageSize) {
        ApiKey key = caller.keyOrNull();
        if (key == null || key.namespacePrefixes().isEmpty()
                || key.namespacePrefixes().stream().anyMatch(prefix::startsWith)) {
            return NamespaceCatalog.list(store, prefix, cursorOrNull, pageSize);
        }
        if (key.namespacePrefixes().stream().noneMatch(p -> p.startsWith(prefix))) {
            return CompletableFuture.completedFuture(new NamespaceCatalog.Page(List.of(), null));
        }
        return filtered(store, key, prefix, cursorOrNull, pageSize, new ArrayList<>());
    }

    private static CompletableFuture<NamespaceCatalog.Page> filtered(ObjectStore store, ApiKey key, String prefix,
                                                                     String cursorOrNull, int pageSize,
                                                                     List<String> found) {
        return NamespaceCatalog.list(store, prefix, cursorOrNull, pageSize).thenCompose(page -> {
            for (String name : page.names()) {
                if (!key.allows(name)) {
                    continue;
                }
                if (found.size() == pageSize) {
                    return CompletableFuture.completedFuture(new NamespaceCatalog.Page(found, found.get(pageSize - 1)));
                }
                found.add(name);
            }
            if (page.nextCursorOrNull() == null) {
                return CompletableFuture.completedFuture(new NamespaceCatalog.Page(found, null));
            }
            return filtered(store, key, prefix, page.nextCursorOrNull(), pageSize, found);
        });
    }
}
