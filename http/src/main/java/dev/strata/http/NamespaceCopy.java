package dev.strata.http;

import dev.strata.actors.namespace.NamespaceProtocol.AttributeSpec;
import dev.strata.actors.namespace.NamespaceProtocol.Describe;
import dev.strata.actors.namespace.NamespaceProtocol.NamespaceMetadata;
import dev.strata.actors.namespace.NamespaceProtocol.Query;
import dev.strata.actors.namespace.NamespaceProtocol.QueryRequest;
import dev.strata.actors.namespace.NamespaceProtocol.QueryResult;
import dev.strata.actors.namespace.NamespaceProtocol.Row;
import dev.strata.actors.namespace.NamespaceProtocol.UpsertRow;
import dev.strata.actors.namespace.NamespaceProtocol.Write;
import dev.strata.actors.namespace.NamespaceProtocol.WriteRequest;
import dev.strata.actors.namespace.NamespaceProtocol.WriteResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code copy_from_namespace}: pages through the source in id order (all attributes and the
 * vector, {@code ["id","Gt",last]} filters, {@link Limits#MAX_TOP_K} rows a page) and upserts
 * each page into the destination, the first page declaring the source's schema and metric.
 * Each page is its own atomic write; a failure part way leaves the pages before it copied.
 */
final class NamespaceCopy {

    /** What a finished copy did. */
    record Copied(long rows, long writes) {}

    private final NamespaceClient client;

    NamespaceCopy(NamespaceClient client) {
        this.client = client;
    }

    CompletionStage<Copied> copy(String source, String destination) {
        return client.<NamespaceMetadata>ask(source, Describe::new)
                .thenCompose(meta -> page(source, destination, meta, null, 0, 0));
    }

    private CompletionStage<Copied> page(String source, String destination, NamespaceMetadata meta, Object lastIdOrNull,
                                         long copied, long writes) {
        QueryRequest query = new QueryRequest(null, false, "id", false, Limits.MAX_TOP_K,
                lastIdOrNull == null ? null : List.of("id", "Gt", lastIdOrNull), List.of("vector"), true, List.of(),
                false, Map.of(), List.of());
        return client.<QueryResult>ask(source, r -> new Query(query, r)).thenCompose(result -> {
            if (result.rows().isEmpty()) {
                return CompletableFuture.completedFuture(new Copied(copied, writes));
            }
            List<UpsertRow> upserts = new ArrayList<>(result.rows().size());
            for (Row row : result.rows()) {
                Map<String, Object> attributes = new LinkedHashMap<>(row.attributes());
                Object vector = attributes.remove("vector");
                attributes.values().removeIf(v -> v == null);
                upserts.add(new UpsertRow(row.id(), vector == null ? null : Responses.floats(vector), attributes));
            }
            Map<String, AttributeSpec> schema = writes == 0 ? meta.schema() : Map.of();
            WriteRequest write = new WriteRequest(upserts, List.of(), List.of(), null, null, false, null, null, null,
                    schema, meta.distanceMetricOrNull(), false, false);
            Object last = result.rows().get(result.rows().size() - 1).id();
            boolean more = result.rows().size() == Limits.MAX_TOP_K;
            return client.<WriteResult>ask(destination, r -> new Write(write, r)).thenCompose(done -> more
                    ? page(source, destination, meta, last, copied + upserts.size(), writes + 1)
                    : CompletableFuture.completedFuture(new Copied(copied + upserts.size(), writes + 1)));
        });
    }
}
