package dev.strata.actors.namespace;

import dev.strata.actors.storage.NamespaceLayout;
import dev.strata.actors.storage.NamespaceName;
import dev.strata.actors.storage.SequencedLog;
import dev.strata.index.doc.CorruptDataException;
import dev.strata.index.io.ByteRange;
import dev.strata.tiering.store.ObjectStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A namespace's manifests: one object per version, created with create-if-absent (the fencing
 * primitive of publication), and after each, a copy of the newest under a fixed key. A load reads
 * the copy beside its listing of the versions, which saves the round trip that would read the
 * newest version after the listing. The copy also carries the bytes its segments' opens read
 * (header, footer, vector index metadata; see {@link ManifestCopy}) when they fit
 * {@value #PREFETCH_BUDGET} bytes, which saves the round trip that would read them after the
 * manifest. The listing stays the truth: a copy whose version is not the newest listed (its
 * write failed, was overtaken, or is not there yet) is ignored, and the newest version is read
 * as before; that load then writes the copy, so that a namespace published before copies
 * existed, or whose copy write failed, has one from its next load on.
 */
final class ManifestLog {

    private static final Logger LOG = LoggerFactory.getLogger(ManifestLog.class);
    /** The most segment bytes a copy carries: at 1M × 384 one segment's open reads 1.4 MB. */
    static final long PREFETCH_BUDGET = 8L << 20;

    /** The newest manifest and the copy it was read from (without ranges when read from its version). */
    record Newest(Manifest manifest, ManifestCopy copy) {}

    private final NamespaceName namespace;
    private final ObjectStore store;
    private final SequencedLog versions;
    private final String copyKey;
    /** Completes once every copy started so far is written or has failed. */
    private volatile CompletableFuture<Void> copies = CompletableFuture.completedFuture(null);

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
                copy(manifest, bytes);
            }
            return created;
        });
    }

    /**
     * Overwrites the copy with {@code manifest} ({@code bytes} encoded) and its segments' open
     * reads; nothing waits for it but a deletion. Copies are written one after another, so an
     * older version's never lands after a newer one's.
     */
    private synchronized void copy(Manifest manifest, byte[] bytes) {
        copies = copies.thenCompose(ignored -> openReads(manifest))
                .thenCompose(ranges -> store.put(copyKey, new ManifestCopy(bytes, ranges).encode()))
                .handle((ignored, error) -> {
                    if (error != null) {
                        LOG.warn("namespace {}: could not copy manifest {} to {} (loads read the version instead)",
                                namespace, manifest.version(), copyKey, error);
                    }
                    return null;
                });
    }

    /**
     * The ranges each segment's open reads, if every segment has a recorded layout and they fit
     * the budget; else none.
     */
    private static Map<Manifest.SegmentEntry, List<ByteRange>> openReadsToCarry(Manifest manifest) {
        Map<Manifest.SegmentEntry, List<ByteRange>> wanted = new LinkedHashMap<>();
        long total = 0;
        for (Manifest.SegmentEntry e : manifest.segments()) {
            if (e.layoutOrNull() == null) {
                return Map.of();
            }
            List<ByteRange> ranges = e.layoutOrNull().openReads(e.bytes());
            wanted.put(e, ranges);
            total += ranges.stream().mapToLong(ByteRange::length).sum();
        }
        return total > PREFETCH_BUDGET ? Map.of() : wanted;
    }

    /** The bytes of {@link #openReadsToCarry}; none if reading them fails (the copy is still worth writing). */
    private CompletableFuture<List<ManifestCopy.Range>> openReads(Manifest manifest) {
        List<CompletableFuture<List<ManifestCopy.Range>>> reads = new ArrayList<>();
        openReadsToCarry(manifest).forEach((e, ranges) -> reads.add(store.getRanges(e.key(), ranges)
                .thenApply(bytes -> IntStream.range(0, ranges.size())
                        .mapToObj(i -> new ManifestCopy.Range(e.key(), ranges.get(i), bytes.get(i))).toList())));
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> reads.stream().flatMap(r -> r.join().stream()).toList())
                .exceptionally(error -> {
                    LOG.debug("namespace {}: copying manifest {} without its segments' bytes", namespace,
                            manifest.version(), error);
                    return List.of();
                });
    }

    NamespaceName namespace() {
        return namespace;
    }

    /**
     * Completes once every copy started so far (by a create or a load) is written or has failed:
     * deleting the namespace's objects waits for it, so that no copy lands after.
     */
    CompletableFuture<Void> copiesWritten() {
        return copies;
    }

    /** The newest manifest, or an empty one when the namespace has none; decoded on {@code compute}. */
    CompletableFuture<Newest> newest(Executor compute) {
        // A missing or unreadable copy is no error: the listed version is read instead.
        CompletableFuture<byte[]> copy = store.get(copyKey).exceptionally(error -> null);
        return versions.latest().thenCompose(version -> {
            if (version < 0) {
                return CompletableFuture.completedFuture(new Newest(Manifest.empty(namespace), ManifestCopy.NONE));
            }
            return copy.thenApplyAsync(bytes -> copyOf(bytes, version), compute).thenCompose(fromCopy ->
                    fromCopy != null ? CompletableFuture.completedFuture(fromCopy) : readVersion(version, compute));
        });
    }

    /** Reads {@code version} itself, and copies it for the next load. */
    private CompletableFuture<Newest> readVersion(long version, Executor compute) {
        String key = versions.key(version);
        return versions.read(version).thenApplyAsync(bytes -> {
            Manifest m = checked(ManifestCodec.decode(bytes, key), version, key);
            copy(m, bytes);
            return new Newest(m, ManifestCopy.NONE);
        }, compute);
    }

    /** The copy and its manifest if that is {@code version} of this namespace, else null. */
    private Newest copyOf(byte[] bytesOrNull, long version) {
        if (bytesOrNull == null) {
            return null;
        }
        try {
            ManifestCopy copy = ManifestCopy.decode(bytesOrNull, copyKey);
            Manifest m = ManifestCodec.decode(copy.manifest(), copyKey);
            if (m.version() != version || !m.namespace().equals(namespace)) {
                return null;
            }
            if (copy.ranges().isEmpty() && !openReadsToCarry(m).isEmpty()) {
                copy(m, copy.manifest()); // written before copies carried segment bytes
            }
            return new Newest(m, copy);
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
