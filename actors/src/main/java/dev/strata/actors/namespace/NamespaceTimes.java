package dev.strata.actors.namespace;

import dev.strata.actors.storage.NamespaceLayout;
import dev.strata.tiering.store.ObjectInfo;
import dev.strata.tiering.store.ObjectStore;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * When a namespace was created and last written, as its metadata reports them. The creation
 * time is recorded in the manifest ({@link Manifest#createdAtOrNull()}) from the first commit
 * on; for a namespace whose manifests predate that, or that has only WAL objects, it is read from
 * object timestamps after a load: the first WAL object's when no manifest exists (it is never
 * swept before one does), else the current manifest's (an approximation: the namespace is at
 * least that old). The update time is the newest commit this entity made, else the newest of
 * the last unindexed WAL object's and the manifest's timestamps.
 */
final class NamespaceTimes {

    /** Both times; either may be null when nothing says. */
    record Times(Instant createdAtOrNull, Instant updatedAtOrNull) {}

    private NamespaceTimes() {}

    /** Reads the timestamps a load needs (at most three HEAD requests, concurrently). */
    static CompletableFuture<Times> load(ObjectStore store, NamespaceLayout layout, Manifest manifest,
                                         List<TailBatch> tail, long nextSequence) {
        CompletableFuture<Optional<ObjectInfo>> manifestInfo = manifest.version() > 0
                ? store.head(layout.manifestPrefix() + NamespaceLayout.sequence(manifest.version()))
                : CompletableFuture.completedFuture(Optional.empty());
        CompletableFuture<Optional<ObjectInfo>> newestWal = tail.isEmpty()
                ? CompletableFuture.completedFuture(Optional.empty())
                : store.head(layout.walPrefix() + NamespaceLayout.sequence(nextSequence - 1));
        CompletableFuture<Optional<ObjectInfo>> firstWal = manifest.createdAtOrNull() == null
                && manifest.version() == 0 && !tail.isEmpty()
                ? store.head(layout.walPrefix() + NamespaceLayout.sequence(tail.get(0).sequence()))
                : CompletableFuture.completedFuture(Optional.empty());
        return CompletableFuture.allOf(manifestInfo, newestWal, firstWal).thenApply(ignored -> {
            Instant manifestTime = manifestInfo.join().map(ObjectInfo::lastModified).orElse(null);
            Instant walTime = newestWal.join().map(ObjectInfo::lastModified).orElse(null);
            Instant created = manifest.createdAtOrNull() != null ? manifest.createdAtOrNull()
                    : firstWal.join().map(ObjectInfo::lastModified).orElse(manifestTime);
            Instant updated = walTime == null ? manifestTime
                    : manifestTime == null || walTime.isAfter(manifestTime) ? walTime : manifestTime;
            return new Times(created, updated);
        });
    }

    /** The times to report now, from what the entity knows; never null. */
    static Times current(Times loadedOrNull, Instant createdAtOrNull, Instant lastWriteAtOrNull) {
        Instant updated = lastWriteAtOrNull != null ? lastWriteAtOrNull
                : loadedOrNull != null ? loadedOrNull.updatedAtOrNull() : null;
        Instant created = createdAtOrNull != null ? createdAtOrNull
                : loadedOrNull != null ? loadedOrNull.createdAtOrNull() : null;
        if (created == null) {
            created = updated != null ? updated : Instant.now();
        }
        if (updated == null || updated.isBefore(created)) {
            updated = created;
        }
        return new Times(created, updated);
    }
}
