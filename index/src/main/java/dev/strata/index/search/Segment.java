package dev.strata.index.search;

import dev.strata.index.attr.AttributeOrdering;
import dev.strata.index.attr.FilterBitmaps;
import dev.strata.index.doc.DocId;
import dev.strata.index.doc.Schema;
import dev.strata.index.filter.Filter;
import dev.strata.index.io.ByteRange;
import dev.strata.index.io.RangeSource;
import dev.strata.index.ivf.Hit;
import dev.strata.index.ivf.IvfReader;
import dev.strata.index.ivf.SearchParams;
import dev.strata.index.segment.SegmentReader;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.roaringbitmap.RoaringBitmap;

/**
 * An open, searchable segment: its container (ids, attribute columns) and, when it has
 * vectors, its IVF section, read lazily through one {@link RangeSource}. Every operation returns
 * a future; decoding and scoring run on the compute executor, never on the thread that completed
 * a read.
 */
public final class Segment {

    private final SegmentReader container;
    private final IvfReader vectors;
    private final Executor compute;

    private Segment(SegmentReader container, IvfReader vectors, Executor compute) {
        this.container = container;
        this.vectors = vectors;
        this.compute = compute;
    }

    /** Opens a segment: reads its directory, and the IVF header and centroids if it has vectors. */
    public static CompletableFuture<Segment> open(String name, RangeSource source, Executor compute) {
        return SegmentReader.open(source, name).thenCompose(container -> open(container, source, compute));
    }

    /**
     * Opens a segment whose layout is known (recorded when it was first opened): reads no
     * directory, and reads the IVF header, centroids and partition table in one read, so the
     * whole open is one round trip, shared with any section reads the caller issues on the
     * returned container at once (see {@link #open(SegmentReader, RangeSource, long, Executor)}).
     * The layout is checked against the file (see
     * {@link SegmentReader#open(RangeSource, String, dev.strata.index.segment.SegmentDirectory)}).
     */
    public static CompletableFuture<Segment> open(String name, RangeSource source, SegmentLayout layout,
                                                  Executor compute) {
        return SegmentReader.open(source, name, layout.directory())
                .thenCompose(container -> open(container, source, layout.vectorsMetaLength(), compute));
    }

    /**
     * Opens the segment whose directory {@code container} has read from {@code source}: reads the
     * IVF header and centroids if it has vectors. A caller that also needs other sections (the
     * ids, say) can read them concurrently with this.
     */
    public static CompletableFuture<Segment> open(SegmentReader container, RangeSource source, Executor compute) {
        return open(container, source, 0, compute);
    }

    /**
     * Like {@link #open(SegmentReader, RangeSource, Executor)}; a positive
     * {@code vectorsMetaLength} (a recorded {@link SegmentLayout#vectorsMetaLength()}) reads the
     * IVF header, centroids and partition table in one read rather than two. Completes only once
     * the container's directory is verified, so nothing read through a recorded directory is
     * used before the file has confirmed it.
     */
    public static CompletableFuture<Segment> open(SegmentReader container, RangeSource source, long vectorsMetaLength,
                                                  Executor compute) {
        Optional<ByteRange> range = container.vectorsRange();
        CompletableFuture<IvfReader> vectors;
        if (range.isEmpty()) {
            vectors = CompletableFuture.completedFuture(null);
        } else {
            ByteRange r = range.get();
            vectors = vectorsMetaLength > 0
                    ? IvfReader.open(container.resourceName(), source, r.start(), r.length(), vectorsMetaLength, compute)
                    : IvfReader.open(container.resourceName(), source, r.start(), r.length(), compute);
        }
        // The verification's failure, if any, wins over the vector index's: it names the cause.
        return container.verified().thenCombine(vectors, (ok, ivf) -> new Segment(container, ivf, compute));
    }

    /** This segment's layout, for opening it again without reading its directory. */
    public SegmentLayout layout() {
        return new SegmentLayout(container.directory(), vectors == null ? 0 : vectors.metaLength());
    }

    public int size() {
        return container.rowCount();
    }

    public SegmentReader container() {
        return container;
    }

    /** The vector index, or empty for a segment without vectors. */
    public Optional<IvfReader> vectors() {
        return Optional.ofNullable(vectors);
    }

    /**
     * The ordinals a filter (bound to {@code schema}) allows; completes with null for no filter,
     * meaning every document.
     */
    public CompletableFuture<RoaringBitmap> allowed(Filter filterOrNull, Schema schema) {
        if (filterOrNull == null) {
            return CompletableFuture.completedFuture(null);
        }
        return container.columns(filterOrNull.attributes(), schema)
                .thenApplyAsync(columns -> FilterBitmaps.evaluate(filterOrNull, columns), compute);
    }

    /**
     * Whether the hits of {@link #nearest} and {@link #exactNearest} carry their documents' ids,
     * so that {@link #ids(List)} names them without the id column. Segments written before ids
     * were stored in the vector records do not.
     */
    public boolean hitsCarryIds() {
        return vectors != null && vectors.hasPayloads();
    }

    /**
     * The ids of the documents the hits of this segment name, in their order: from the hits
     * themselves when they carry them (see {@link #hitsCarryIds()}), from the id column otherwise.
     */
    public CompletableFuture<DocId[]> ids(List<Hit> hits) {
        if (!hitsCarryIds()) {
            return ids(hits.stream().mapToInt(Hit::ordinal).toArray());
        }
        DocId[] out = new DocId[hits.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = DocId.decode(hits.get(i).payloadOrNull(), container.resourceName());
        }
        return CompletableFuture.completedFuture(out);
    }

    /** Approximate nearest neighbours among the allowed ordinals, with exact distances. */
    public CompletableFuture<List<Hit>> nearest(float[] query, int k, SearchParams params, RoaringBitmap allowedOrNull) {
        return vectors == null ? noVectors() : vectors.search(query, k, params, allowedOrNull);
    }

    /** The exact nearest neighbours among the allowed ordinals. */
    public CompletableFuture<List<Hit>> exactNearest(float[] query, int k, RoaringBitmap allowedOrNull) {
        return vectors == null ? noVectors() : vectors.exactSearch(query, k, allowedOrNull);
    }

    /** The first {@code limit} allowed ordinals by an attribute's value (or by id, for "id"). */
    public CompletableFuture<int[]> orderBy(String attribute, boolean descending, int limit,
                                            RoaringBitmap allowedOrNull, Schema schema) {
        if (attribute.equals("id")) {
            return container.ids().thenApplyAsync(ids -> ids.topN(descending, allowedOrNull, limit), compute);
        }
        return container.column(attribute, schema).thenApplyAsync(
                column -> AttributeOrdering.topN(column, descending, allowedOrNull, limit), compute);
    }

    /** The id of each ordinal. */
    public CompletableFuture<DocId[]> ids(int[] ordinals) {
        return container.ids().thenApply(ids -> {
            DocId[] out = new DocId[ordinals.length];
            for (int i = 0; i < ordinals.length; i++) {
                out[i] = ids.id(ordinals[i]);
            }
            return out;
        });
    }

    private <T> CompletableFuture<T> noVectors() {
        return CompletableFuture.failedFuture(new IllegalStateException(container.resourceName() + " has no vectors"));
    }
}
