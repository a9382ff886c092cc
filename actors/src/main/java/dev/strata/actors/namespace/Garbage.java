package dev.strata.actors.namespace;

import dev.strata.actors.storage.NamespaceLayout;
import dev.strata.tiering.store.ListPage;
import dev.strata.tiering.store.ObjectInfo;
import dev.strata.tiering.store.ObjectStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Deletes a namespace's objects that no retained manifest needs.
 *
 * <p>The newest {@code keep} manifest versions are retained; older versions are deleted. An
 * object is garbage when no retained manifest refers to it: WAL entries at or below every
 * retained manifest's {@code indexed_through}, and segment files (with deletes objects) that no
 * retained manifest lists, including those a crashed or fenced build wrote and never published.
 * Garbage is deleted only once the oldest retained manifest is at least {@code grace} old (so
 * whatever replaced it was published at least that long ago and queries still reading it have
 * finished) and, for segment files, once the file itself is that old (so a build of another
 * owner that has not yet published is left alone). The owning entity never runs a sweep while
 * one of its own builds is unpublished.
 *
 * <p>Deleting covered WAL objects frees their keys, and a WAL create-if-absent is what fences a
 * stale owner. A stale owner whose next sequence is at or below a published
 * {@code indexed_through} could therefore create a WAL object that no owner ever reads. The
 * grace period is what rules this out: it must exceed the time in which the cluster removes a
 * stale owner (split brain resolution), since the sweep deletes covered WAL only once the
 * manifest that covers it is at least that old.
 */
final class Garbage {

    private static final int PAGE = 1000;

    /**
     * What a sweep deleted; {@code deferred} when something not yet old enough will be garbage
     * later, so another sweep is due after the grace period.
     */
    record Result(int manifests, int walEntries, int segments, boolean deferred) {}

    private Garbage() {}

    static CompletableFuture<Result> sweep(NamespaceLayout layout, ObjectStore store, Executor executor,
                                           Duration grace, int keep, Instant now) {
        Instant oldEnough = now.minus(grace);
        return listAll(store, layout.manifestPrefix()).thenCompose(manifestObjects -> {
            List<ObjectInfo> manifests = manifestObjects.stream()
                    .filter(o -> NamespaceLayout.parseSequence(layout.manifestPrefix(), o.key()) >= 0)
                    .toList();
            if (manifests.isEmpty()) {
                return CompletableFuture.completedFuture(new Result(0, 0, 0, false));
            }
            int firstKept = Math.max(0, manifests.size() - keep);
            List<ObjectInfo> retained = manifests.subList(firstKept, manifests.size());
            List<CompletableFuture<Manifest>> decoded = new ArrayList<>();
            for (ObjectInfo o : retained) {
                decoded.add(store.get(o.key()).thenApplyAsync(bytes -> ManifestCodec.decode(bytes, o.key()), executor));
            }
            CompletableFuture<Integer> oldManifests = deleteAll(store,
                    manifests.subList(0, firstKept).stream().map(ObjectInfo::key).toList());
            boolean settled = !retained.get(0).lastModified().isAfter(oldEnough);
            return CompletableFuture.allOf(decoded.toArray(CompletableFuture[]::new))
                    .thenCompose(ignored -> {
                        Set<String> referenced = new HashSet<>();
                        long indexedThrough = Long.MAX_VALUE;
                        for (CompletableFuture<Manifest> f : decoded) {
                            Manifest m = f.join();
                            indexedThrough = Math.min(indexedThrough, m.indexedThrough());
                            for (Manifest.SegmentEntry e : m.segments()) {
                                referenced.add(e.key());
                                if (e.deletesKeyOrNull() != null) {
                                    referenced.add(e.deletesKeyOrNull());
                                }
                            }
                        }
                        long coveredThrough = indexedThrough;
                        return listAll(store, layout.walPrefix()).thenCombine(listAll(store, layout.segmentPrefix()),
                                (wal, segments) -> {
                                    List<String> walGarbage = new ArrayList<>();
                                    for (ObjectInfo o : wal) {
                                        long seq = NamespaceLayout.parseSequence(layout.walPrefix(), o.key());
                                        if (seq >= 0 && seq <= coveredThrough) {
                                            walGarbage.add(o.key());
                                        }
                                    }
                                    List<String> segmentGarbage = new ArrayList<>();
                                    boolean young = false;
                                    for (ObjectInfo o : segments) {
                                        if (referenced.contains(o.key())) {
                                            continue;
                                        }
                                        if (settled && !o.lastModified().isAfter(oldEnough)) {
                                            segmentGarbage.add(o.key());
                                        } else {
                                            young = true;
                                        }
                                    }
                                    boolean deferred = young || (!settled && !walGarbage.isEmpty());
                                    return new Object[] {settled ? walGarbage : List.<String>of(), segmentGarbage, deferred};
                                });
                    })
                    .thenCompose(parts -> {
                        @SuppressWarnings("unchecked")
                        List<String> wal = (List<String>) parts[0];
                        @SuppressWarnings("unchecked")
                        List<String> segments = (List<String>) parts[1];
                        boolean deferred = (Boolean) parts[2];
                        return deleteAll(store, wal).thenCombine(deleteAll(store, segments), (w, s) -> new int[] {w, s})
                                .thenCombine(oldManifests, (ws, m) -> new Result(m, ws[0], ws[1], deferred));
                    });
        });
    }

    private static CompletableFuture<Integer> deleteAll(ObjectStore store, List<String> keys) {
        CompletableFuture<?>[] deletes = keys.stream().map(store::delete).toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(deletes).thenApply(ignored -> keys.size());
    }

    private static CompletableFuture<List<ObjectInfo>> listAll(ObjectStore store, String prefix) {
        return collect(store, prefix, null, new ArrayList<>());
    }

    private static CompletableFuture<List<ObjectInfo>> collect(ObjectStore store, String prefix, String token,
                                                              List<ObjectInfo> into) {
        return store.list(prefix, token, PAGE).thenCompose((ListPage page) -> {
            into.addAll(page.objects());
            return page.hasMore() ? collect(store, prefix, page.nextToken(), into) : CompletableFuture.completedFuture(into);
        });
    }
}
