package dev.strata.index.search;

import dev.strata.index.doc.Document;
import dev.strata.index.doc.Schema;
import dev.strata.index.ivf.IvfBuildParams;
import dev.strata.index.ivf.IvfWriter;
import dev.strata.index.ivf.VectorEncoding;
import dev.strata.index.segment.SegmentFormat;
import dev.strata.index.segment.SegmentWriter;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * Builds one segment file from a batch of documents: the IVF vector section, then the ids and
 * attribute columns written in the order the IVF renumbered the documents (each partition a
 * contiguous run of ordinals), so ordinals mean the same thing in every section. The vector
 * records also carry each document's id (see {@link Segment#nearest}).
 */
public final class SegmentBuilder {

    private SegmentBuilder() {}

    /**
     * The segment's bytes. Documents must be canonical for {@code schema} (admitted by it) and
     * have distinct ids; when the schema has vectors, every document must carry one. The vector
     * metric and quantization come from {@code params}; the element type from the schema.
     */
    public static byte[] build(List<Document> docs, Schema schema, IvfBuildParams params, Executor executor) {
        SegmentWriter segment = new SegmentWriter(schema);
        int dims = schema.vectorDims();
        if (dims == 0) {
            docs.forEach(segment::add);
            return segment.toByteArray();
        }
        float[] vectors = new float[Math.multiplyExact(docs.size(), dims)];
        for (int i = 0; i < docs.size(); i++) {
            float[] v = docs.get(i).vectorOrNull();
            if (v == null || v.length != dims) {
                throw new IllegalArgumentException("document " + docs.get(i).id() + " needs a " + dims
                        + "-dimensional vector, has " + (v == null ? "none" : v.length + " dimensions"));
            }
            System.arraycopy(v, 0, vectors, i * dims, dims);
        }
        VectorEncoding encoding = schema.vectorElement() == Schema.VectorElement.F16 ? VectorEncoding.F16 : VectorEncoding.F32;
        // Each vector record carries its document's id, so a search names its hits from the
        // records it reranks, without the id column.
        IvfWriter ivf = IvfWriter.build(vectors, dims, params.withEncoding(encoding), executor)
                .withPayloads(docs.stream().map(d -> d.id().encoded()).toList());
        for (int row : ivf.ordinalToRow()) {
            segment.add(docs.get(row));
        }
        segment.opaqueSection(SegmentFormat.VECTORS, ivf.toByteArray());
        return segment.toByteArray();
    }
}
