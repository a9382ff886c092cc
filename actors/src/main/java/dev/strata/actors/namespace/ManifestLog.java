package dev.strata.actors.namespace;

import dev.strata.actors.storage.NamespaceLayout;
import dev.strata.actors.storage.NamespaceName;
import dev.strata.actors.storage.SequencedLog;
import dev.strata.index.doc.CorruptDataException;
import dev.strata.tiering.store.ObjectStore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A namespace's manifests: one object per version, created with create-if-absent (the fencing
 * primitive of publication), and after each, a copy of the newest under a fixed key. A load reads
 * the copy beside its listing of the versions, which saves the round trip that would read the
 * newest version after the listing. The listing stays the truth: a copy whose version is not the
 * newest listed (its write failed, was overtaken, or is not there yet) is ignored, and the newest
 * version is read as before; that load then writes the copy, so that a namespace published
 * before copies existed, or whose copy write failed, has one from its next load on.
 */
final class ManifestLog {

    private static final Logger LOG = LoggerFactory.getLogger(ManifestLog.class);

    private final NamespaceName namespace;
    private final ObjectStore store;
    private final SequencedLog versions;
    private final String copyKey;
    /** Completes once every copy started so far is written or has failed. */
    private final AtomicReference<CompletableFuture<Void>> copies =
            new AtomicReference<>(CompletableFuture.completedFuture(null));

    ManifestLog(NamespaceName namespace, ObjectStore store) {
        NamespaceLayout layout = new NamespaceLayout(namespace);
        this.namespace = namespace;
        this.store = store;
        this.versions = new SequencedLog(store, layout.manifestPrefix());
        this.copyKey = layout.newestManifestCopyKey();
    }

    /**
     * Creates {@code manifest}'s version; completes with false if that version exists (another
     * owner published it). Once created, the copy is replaced; the result does not wait for that.
     */
    CompletableFuture<Boolean> create(Manifest manifest) {
        byte[] bytes = ManifestCodec.encode(manifest);
        return versions.create(manifest.version(), bytes).thenApply(created -> {
            if (created) {
                copy(manifest.version(), bytes);
            }
            return created;
        });
    }

    /** Overwrites the copy with {@code version}'s bytes; nothing waits for it but a deletion. */
    private void copy(long version, byte[] bytes) {
        CompletableFuture<Void> copy = store.put(copyKey, bytes).handle((ignored, error) -> {
            if (error != null) {
                LOG.warn("namespace {}: could not copy manifest {} to {} (loads read the version instead)",
                        namespace, version, copyKey, error);
            }
            return null;
        });
        copies.updateAndGet(before -> before.isDone() ? copy : CompletableFuture.allOf(before, copy));
    }

    NamespaceName namespace() {
        return namespace;
    }

    /**
     * Completes once every copy started so far (by a create or a load) is written or has failed:
     * deleting the namespace's objects waits for it, so that no copy lands after.
     */
    CompletableFuture<Void> copiesWritten() {
        return copies.get();
    }

    /** The newest manifest, or an empty one when the namespace has none; decoded on {@code compute}. */
    CompletableFuture<Manifest> newest(Executor compute) {
        // A missing or unreadable copy is no error: the listed version is read instead.
        CompletableFuture<byte[]> copy = store.get(copyKey).exceptionally(error -> null);
        return versions.latest().thenCompose(version -> {
            if (version < 0) {
                return CompletableFuture.completedFuture(Manifest.empty(namespace));
            }
            return copy.thenApplyAsync(bytes -> copyOf(bytes, version), compute).thenCompose(fromCopy ->
                    fromCopy != null ? CompletableFuture.completedFuture(fromCopy) : readVersion(version, compute));
        });
    }

    /** Reads {@code version} itself, and copies it for the next load. */
    private CompletableFuture<Manifest> readVersion(long version, Executor compute) {
        String key = versions.key(version);
        return versions.read(version).thenApplyAsync(bytes -> {
            Manifest m = checked(ManifestCodec.decode(bytes, key), version, key);
            copy(version, bytes);
            return m;
        }, compute);
    }

    /** The copy's manifest if it is {@code version} of this namespace, else null. */
    private Manifest copyOf(byte[] bytesOrNull, long version) {
        if (bytesOrNull == null) {
            return null;
        }
        try {
            Manifest m = ManifestCodec.decode(bytesOrNull, copyKey);
            return m.version() == version && m.namespace().equals(namespace) ? m : null;
        } catch (CorruptDataException e) {
            LOG.warn("namespace {}: ignoring the unreadable manifest copy {}", namespace, copyKey, e);
            return null;
        }
    }

    private Manifest checked(Manifest m, long version, String key) {
        if (!m.namespace().equals(namespace) || m.version() != version) {
            throw new CorruptDataException(key, "manifest names namespace " + m.namespace() + " version "
                    + m.version() + ", expected " + namespace + " version " + version);
        }
        return m;
    }
}
