package dev.strata.actors.namespace;

import dev.strata.actors.storage.NamespaceName;
import dev.strata.index.doc.Schema;
import dev.strata.index.search.SegmentLayout;
import dev.strata.index.vector.Metric;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One published version of a namespace's index: its schema and distance metric, the segments
 * that hold its indexed documents (oldest first; a later segment supersedes an earlier one) and
 * {@code indexedThrough}, the last WAL sequence folded into those segments. WAL entries after it
 * form the unindexed tail. Stored as JSON by {@link ManifestCodec} under the manifest prefix at
 * key {@code version}; the newest version wins.
 *
 * <p>Deletes and updates across segments. A document's newest version is the one in the newest
 * segment that mentions its id, where a segment mentions an id by holding a document with it or
 * by listing it as deleted. When the entity folds its tail into a new segment, upserts become the
 * segment's documents (and so hide any copy in an older segment), and the ids deleted in the
 * tail that an older segment holds go into the segment's <em>deletes object</em>: a WAL-format
 * object of delete operations, written before the manifest and named by the segment entry
 * ({@code deletesKeyOrNull}). Hydration walks the segments newest first and marks, in each older
 * segment, the documents whose ids a newer segment holds or deletes as superseded (see
 * {@link SegmentView}). Compaction merges every segment into one holding only the live documents,
 * so the merged segment needs no deletes object. Objects are written under fresh keys before the
 * manifest that names them, so the manifest's create-if-absent is the single commit point: a
 * segment or deletes object no manifest names is garbage, never data.
 *
 * @param metricOrNull    the namespace's distance metric, or null until a vector is written
 * @param createdAtOrNull when the namespace was first written; null in manifests written before
 *                        it was recorded (the entity then falls back to object timestamps)
 */
public record Manifest(int formatVersion, NamespaceName namespace, long version, Schema schema,
                       Metric metricOrNull, List<SegmentEntry> segments, long indexedThrough,
                       Instant createdAtOrNull) {

    public static final int FORMAT_VERSION = 1;

    /**
     * One segment file.
     *
     * @param walFirst the first WAL sequence whose operations it holds
     * @param walLast  the last WAL sequence whose operations it holds
     * @param deletesKeyOrNull the object listing ids this segment deletes from older segments, or null
     * @param deletes  how many ids that object lists
     * @param layoutOrNull where the segment's sections lie, so that loading it reads its vector
     *                 index's metadata and its ids in the round trip right after the manifest
     *                 instead of reading its directory first; null in entries written before it
     *                 was recorded (loading then reads the directory). Checked against the file
     *                 when used, never trusted.
     */
    public record SegmentEntry(String id, String key, long bytes, long documents, long walFirst, long walLast,
                               String deletesKeyOrNull, long deletes, SegmentLayout layoutOrNull) {
        public SegmentEntry {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(key, "key");
            if (bytes <= 0 || documents < 0 || walFirst < 1 || walLast < walFirst || deletes < 0
                    || (deletesKeyOrNull == null) != (deletes == 0)) {
                throw new IllegalArgumentException("invalid segment entry " + id + ": bytes=" + bytes
                        + ", documents=" + documents + ", wal=" + walFirst + ".." + walLast
                        + ", deletes=" + deletes + " in " + deletesKeyOrNull);
            }
            if (layoutOrNull != null && layoutOrNull.directory().rowCount() != documents) {
                throw new IllegalArgumentException("segment entry " + id + " holds " + documents
                        + " documents, its layout " + layoutOrNull.directory().rowCount());
            }
        }

        /** An entry without a recorded layout. */
        public SegmentEntry(String id, String key, long bytes, long documents, long walFirst, long walLast,
                            String deletesKeyOrNull, long deletes) {
            this(id, key, bytes, documents, walFirst, walLast, deletesKeyOrNull, deletes, null);
        }

        /** An entry without deletes or a recorded layout. */
        public SegmentEntry(String id, String key, long bytes, long documents, long walFirst, long walLast) {
            this(id, key, bytes, documents, walFirst, walLast, null, 0);
        }

        /** This entry with its layout recorded. */
        public SegmentEntry withLayout(SegmentLayout layout) {
            return new SegmentEntry(id, key, bytes, documents, walFirst, walLast, deletesKeyOrNull, deletes,
                    Objects.requireNonNull(layout, "layout"));
        }
    }

    /** A manifest without a creation time. */
    public Manifest(int formatVersion, NamespaceName namespace, long version, Schema schema, Metric metricOrNull,
                    List<SegmentEntry> segments, long indexedThrough) {
        this(formatVersion, namespace, version, schema, metricOrNull, segments, indexedThrough, null);
    }

    public Manifest {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(schema, "schema");
        segments = List.copyOf(segments);
        if (formatVersion != FORMAT_VERSION) {
            throw new IllegalArgumentException("unsupported manifest format version " + formatVersion);
        }
        if (version < 0 || indexedThrough < 0) {
            throw new IllegalArgumentException("negative manifest version or indexed_through: "
                    + version + ", " + indexedThrough);
        }
        for (SegmentEntry s : segments) {
            if (s.walLast() > indexedThrough) {
                throw new IllegalArgumentException("segment " + s.id() + " covers WAL " + s.walLast()
                        + ", beyond indexed_through " + indexedThrough);
            }
        }
    }

    /** The state of a namespace with nothing published: version 0, no segments, nothing indexed. */
    public static Manifest empty(NamespaceName namespace) {
        return new Manifest(FORMAT_VERSION, namespace, 0, Schema.empty(), null, List.of(), 0);
    }

    /** The next version with another schema and metric. */
    public Manifest next(Schema newSchema, Metric newMetric) {
        return new Manifest(formatVersion, namespace, version + 1, newSchema, newMetric, segments, indexedThrough,
                createdAtOrNull);
    }

    /** This manifest with the creation time set, if it has none (the version is unchanged). */
    public Manifest withCreatedAt(Instant createdAtOrNull) {
        return this.createdAtOrNull != null || createdAtOrNull == null ? this
                : new Manifest(formatVersion, namespace, version, schema, metricOrNull, segments, indexedThrough,
                createdAtOrNull);
    }

    /**
     * This manifest with each segment entry that lacks a layout given the one of its open view
     * (same version): what the next published version records, so that namespaces written
     * before layouts were recorded gain them.
     */
    public Manifest withLayoutsOf(List<SegmentView> views) {
        Map<String, SegmentLayout> layouts = new HashMap<>();
        views.forEach(v -> layouts.put(v.entry().id(), v.segment().layout()));
        List<SegmentEntry> next = segments.stream().map(e -> e.layoutOrNull() != null || !layouts.containsKey(e.id())
                ? e : e.withLayout(layouts.get(e.id()))).toList();
        return next.equals(segments) ? this : new Manifest(formatVersion, namespace, version, schema, metricOrNull,
                next, indexedThrough, createdAtOrNull);
    }

    /** The next version with one more segment, indexed through its last WAL sequence. */
    public Manifest withSegment(Schema newSchema, SegmentEntry segment) {
        List<SegmentEntry> all = new java.util.ArrayList<>(segments);
        all.add(segment);
        return new Manifest(formatVersion, namespace, version + 1, newSchema, metricOrNull, all, segment.walLast(),
                createdAtOrNull);
    }

    /** The next version whose only segment is {@code merged}, which replaces all of this one's. */
    public Manifest compacted(SegmentEntry merged) {
        return new Manifest(formatVersion, namespace, version + 1, schema, metricOrNull, List.of(merged), indexedThrough,
                createdAtOrNull);
    }
}
