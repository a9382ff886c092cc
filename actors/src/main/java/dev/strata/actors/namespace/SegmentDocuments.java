package dev.strata.actors.namespace;

import dev.strata.index.doc.Document;
import dev.strata.index.doc.Schema;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Reads documents, or some of their attributes, back out of a segment by ordinal. */
final class SegmentDocuments {

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

    /** The whole document at an ordinal: its id, full-precision vector (if any) and attributes. */
    static CompletableFuture<Document> document(SegmentView view, int ordinal, Schema schema) {
        List<String> names = new ArrayList<>(view.segment().container().attributeNames());
        CompletableFuture<float[]> vector = view.segment().vectors()
                .map(v -> v.vector(ordinal))
                .orElse(CompletableFuture.completedFuture(null));
        return attributes(view, ordinal, names, schema)
                .thenCombine(vector, (attributes, v) -> new Document(view.ids().id(ordinal), v, attributes));
    }
}
