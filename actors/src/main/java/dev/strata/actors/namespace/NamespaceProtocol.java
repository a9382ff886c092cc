package dev.strata.actors.namespace;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.UntypedObjectDeserializer;
import dev.strata.actors.CborSerializable;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;

/**
 * The messages a {@link NamespaceEntity} understands and the replies it sends. Requests carry
 * parsed JSON as plain values (ids as Long or String; attribute values as String, Long, Double,
 * Boolean or List of those), so they serialize with Jackson and the entity applies the schema.
 * Errors come back as {@link StatusReply#error} with a {@link NamespaceException}.
 *
 * <p>Untyped values are read back with Jackson's plain Java deserializer: Pekko registers the
 * Scala module, which would otherwise turn JSON arrays into Scala lists.
 */
public final class NamespaceProtocol {

    private NamespaceProtocol() {}

    /** Everything an entity receives. */
    public interface Command extends CborSerializable {}

    /** Applies one write request atomically; acknowledged once its WAL object is durable. */
    public record Write(WriteRequest request, ActorRef<StatusReply<WriteResult>> replyTo) implements Command {}

    /** Answers one query from the committed state as of its arrival. */
    public record Query(QueryRequest request, ActorRef<StatusReply<QueryResult>> replyTo) implements Command {}

    /** Sent by sharding when the entity should stop (passivation, rebalance). */
    public enum Stop implements Command { INSTANCE }

    /**
     * One write request: upserts, then patches, then deletes, all in one WAL object.
     *
     * @param distanceMetricOrNull required when the namespace has no metric yet and vectors are written
     */
    public record WriteRequest(List<UpsertRow> upserts, List<PatchRow> patches,
                               @JsonDeserialize(contentUsing = UntypedObjectDeserializer.class) List<Object> deletes,
                               String distanceMetricOrNull, boolean disableBackpressure) implements CborSerializable {
        public WriteRequest {
            upserts = upserts == null ? List.of() : List.copyOf(upserts);
            patches = patches == null ? List.of() : List.copyOf(patches);
            deletes = deletes == null ? List.of() : List.copyOf(deletes);
        }

        public int operationCount() {
            return upserts.size() + patches.size() + deletes.size();
        }
    }

    /** A whole document; {@code vectorOrNull} may be null for a namespace without vectors. */
    public record UpsertRow(Object id, float[] vectorOrNull,
                            @JsonDeserialize(contentUsing = UntypedObjectDeserializer.class) Map<String, Object> attributes) implements CborSerializable {
        public UpsertRow {
            attributes = attributes == null ? Map.of() : attributes;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof UpsertRow r && Objects.equals(id, r.id) && Arrays.equals(vectorOrNull, r.vectorOrNull)
                    && attributes.equals(r.attributes);
        }

        @Override
        public int hashCode() {
            return Objects.hash(id, Arrays.hashCode(vectorOrNull), attributes);
        }

        @Override
        public String toString() {
            return "UpsertRow[id=" + id + ", vector=" + Arrays.toString(vectorOrNull) + ", attributes=" + attributes + "]";
        }
    }

    /** Sets attributes of an existing document (a null value removes one); never creates a document. */
    public record PatchRow(Object id,
                           @JsonDeserialize(contentUsing = UntypedObjectDeserializer.class) Map<String, Object> attributes) implements CborSerializable {}

    /** What a committed write did. {@code patched} counts patches that found their document. */
    public record WriteResult(long walSequence, int upserted, int patched, int deleted) implements CborSerializable {}

    /**
     * One query: either nearest neighbours of {@code vectorOrNull} or the first rows ordered by
     * the attribute {@code orderByOrNull} ("id" for the id).
     *
     * @param filtersOrNull         a filter as parsed JSON (see the filter grammar), or null
     * @param includeAttributes     attributes to return with each row
     * @param includeAllAttributes  return every attribute (include_attributes: true)
     */
    public record QueryRequest(float[] vectorOrNull, String orderByOrNull, boolean descending, int topK,
                               @JsonDeserialize(using = UntypedObjectDeserializer.class) Object filtersOrNull,
                               List<String> includeAttributes,
                               boolean includeAllAttributes) implements CborSerializable {
        public static final int MAX_TOP_K = 10_000;

        public QueryRequest {
            includeAttributes = includeAttributes == null ? List.of() : List.copyOf(includeAttributes);
        }

        public static QueryRequest nearest(float[] vector, int topK) {
            return new QueryRequest(vector, null, false, topK, null, List.of(), false);
        }

        public static QueryRequest orderBy(String attribute, boolean descending, int topK) {
            return new QueryRequest(null, attribute, descending, topK, null, List.of(), false);
        }

        public QueryRequest withFilters(Object filters) {
            return new QueryRequest(vectorOrNull, orderByOrNull, descending, topK, filters, includeAttributes,
                    includeAllAttributes);
        }

        public QueryRequest including(List<String> attributes) {
            return new QueryRequest(vectorOrNull, orderByOrNull, descending, topK, filtersOrNull, attributes, false);
        }

        public QueryRequest includingAll() {
            return new QueryRequest(vectorOrNull, orderByOrNull, descending, topK, filtersOrNull, List.of(), true);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof QueryRequest q && Arrays.equals(vectorOrNull, q.vectorOrNull)
                    && Objects.equals(orderByOrNull, q.orderByOrNull) && descending == q.descending && topK == q.topK
                    && Objects.equals(filtersOrNull, q.filtersOrNull) && includeAttributes.equals(q.includeAttributes)
                    && includeAllAttributes == q.includeAllAttributes;
        }

        @Override
        public int hashCode() {
            return Objects.hash(Arrays.hashCode(vectorOrNull), orderByOrNull, descending, topK, filtersOrNull,
                    includeAttributes, includeAllAttributes);
        }

        @Override
        public String toString() {
            return "QueryRequest[vector=" + (vectorOrNull == null ? "none" : vectorOrNull.length + " dims")
                    + ", orderBy=" + orderByOrNull + (descending ? " desc" : "") + ", topK=" + topK
                    + ", filters=" + filtersOrNull + ", include=" + (includeAllAttributes ? "all" : includeAttributes) + "]";
        }
    }

    /**
     * The rows of a query, best first.
     *
     * @param cacheTemperature      "hot", "warm" or "cold": the coldest cache tier the query read from
     * @param exhaustiveSearchCount how many unindexed documents were scanned exactly
     */
    public record QueryResult(List<Row> rows, String cacheTemperature, long exhaustiveSearchCount)
            implements CborSerializable {
        public QueryResult {
            rows = List.copyOf(rows);
        }
    }

    /**
     * One result row: the id (Long or String), the distance for vector queries (null when
     * ordering by an attribute) and the requested attributes as JSON values (uuids and datetimes
     * as strings).
     */
    public record Row(Object id, Double dist,
                      @JsonDeserialize(contentUsing = UntypedObjectDeserializer.class) Map<String, Object> attributes) implements CborSerializable {}
}
