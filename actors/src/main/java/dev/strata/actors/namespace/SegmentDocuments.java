package dev.strata.actors.namespace;

import dev.strata.index.attr.IdColumn;
import dev.strata.index.doc.Document;
import dev.strata.index.doc.Schema;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Reads documents, or some of their attributes, back out of a segment by ordinal. */
final class SegmentDocuments {

    /**
     * Ordinals whose vectors {@link #documents} reads at a time: one read of about 6 MiB of
     * 384-d records, so that reading a whole segment (compaction) neither floods the object
     * store with requests nor holds more than a chunk of buffers.
     */
    static final int CHUNK = 4096;

    private SegmentDocuments() {}

    /** The canonical values of the named attributes (null when missing), in the given order. */
    static CompletableFuture<Map<String, Object>> attributes(SegmentView view, int ordinal, List<String> names,
                                                             Schema schema) {
        List<CompletableFuture<Object>> values = new ArrayList<>(names.size());
        for (String name : names) {
            values.add(view.segment().container().column(name, schema).thenApply(c -> c.value(ordinal)));
        }
        return CompletableFuture.allOf(values.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            Map<String, Object> out = new LinkedHashMap<>();
            for (int i = 0; i < names.size(); i++) {
                out.put(names.get(i), values.get(i).join());
            }
            return out;
        });
    }

    /**
     * The whole documents at {@code ordinals} (ascending, distinct), in their order: the
     * attribute columns are read once, the vectors {@link #CHUNK} ordinals at a time, one chunk
     * after another.
     */
    static CompletableFuture<List<Document>> documents(SegmentView view, int[] ordinals, Schema schema) {
        List<String> names = new ArrayList<>(view.segment().container().attributeNames());
        List<Document> out = new ArrayList<>(ordinals.length);
        CompletableFuture<IdColumn> ids = view.idsLoaded();
        return view.segment().container().columns(names, schema).thenCombine(ids, (columns, idColumn) -> columns)
                .thenCompose(columns -> {
            CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
            for (int from = 0; from < ordinals.length; from += CHUNK) {
                int[] chunk = Arrays.copyOfRange(ordinals, from, Math.min(ordinals.length, from + CHUNK));
                chain = chain.thenCompose(ignored -> view.segment().vectors()
                        .map(v -> v.vectors(chunk))
                        .orElse(CompletableFuture.completedFuture(new float[chunk.length][]))
                        .thenAccept(vectors -> {
                            for (int i = 0; i < chunk.length; i++) {
                                Map<String, Object> attributes = new LinkedHashMap<>();
                                for (String name : names) {
                                    attributes.put(name, columns.column(name).value(chunk[i]));
                                }
                                out.add(new Document(ids.join().id(chunk[i]), vectors[i], attributes));
                            }
                        }));
            }
            return chain.thenApply(ignored -> out);
        });
    }

    /** The whole document at an ordinal: its id, full-precision vector (if any) and attributes. */
    static CompletableFuture<Document> document(SegmentView view, int ordinal, Schema schema) {
        return documents(view, new int[] {ordinal}, schema).thenApply(docs -> docs.get(0));
    }
}
