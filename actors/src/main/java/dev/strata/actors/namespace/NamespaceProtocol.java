package dev.strata.actors.namespace;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.UntypedObjectDeserializer;
import dev.strata.actors.CborSerializable;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.pekko.Done;
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

    /** Answers several queries against one snapshot (turbopuffer's multi-query); results in order. */
    public record MultiQuery(List<QueryRequest> requests, ActorRef<StatusReply<List<QueryResult>>> replyTo)
            implements Command {}

    /** Describes how a query would run (segments, partitions, filter strategy, tiers) without running it. */
    public record Explain(QueryRequest request, ActorRef<StatusReply<String>> replyTo) implements Command {}

    /** The namespace's metadata and schema; NotFound when it has never been written. */
    public record Describe(ActorRef<StatusReply<NamespaceMetadata>> replyTo) implements Command {}

    /**
     * Adds attributes to the schema or changes options that do not need a rewrite; changing an
     * existing attribute's type is a BadRequest. Replies with the metadata after the change.
     */
    public record UpdateSchema(Map<String, AttributeSpec> attributes, ActorRef<StatusReply<NamespaceMetadata>> replyTo)
            implements Command {}

    /** Deletes every object of the namespace; later requests see a namespace that does not exist. */
    public record DeleteNamespace(ActorRef<StatusReply<Done>> replyTo) implements Command {}

    /** Starts pulling the namespace's index into the cache tiers; replies as soon as it has started. */
    public record WarmCache(ActorRef<StatusReply<Done>> replyTo) implements Command {}

    /** Samples documents as queries and compares ANN results with exhaustive ones. */
    public record Recall(RecallRequest request, ActorRef<StatusReply<RecallResult>> replyTo) implements Command {}

    /** Sent by sharding when the entity should stop (passivation, rebalance). */
    public enum Stop implements Command { INSTANCE }

    /**
     * One write request, applied atomically in one WAL object, in turbopuffer's order:
     * {@code delete_by_filter}, then {@code patch_by_filter}, then upserts, patches and deletes.
     * Filters and conditions are parsed JSON in the filter grammar; a condition may use
     * {@code {"$ref_new": "attr"}} for the new row's value. A conditional write applies when the
     * document is missing (except patches, which never create) or the condition holds on it.
     *
     * @param deleteByFilterOrNull  delete every document the filter matches
     * @param patchByFilterOrNull   patch every document the filter matches
     * @param allowPartial          when a by-filter operation matches more documents than the limit,
     *                              apply it to the first ones instead of refusing the request
     * @param schema                declared attribute types and options (first write, or new attributes)
     * @param distanceMetricOrNull  required when the namespace has no metric yet and vectors are written
     * @param returnAffectedIds     fill the id lists of the {@link WriteResult}
     */
    public record WriteRequest(List<UpsertRow> upserts, List<PatchRow> patches,
                               @JsonDeserialize(contentUsing = UntypedObjectDeserializer.class) List<Object> deletes,
                               @JsonDeserialize(using = UntypedObjectDeserializer.class) Object deleteByFilterOrNull,
                               PatchByFilter patchByFilterOrNull, boolean allowPartial,
                               @JsonDeserialize(using = UntypedObjectDeserializer.class) Object upsertConditionOrNull,
                               @JsonDeserialize(using = UntypedObjectDeserializer.class) Object patchConditionOrNull,
                               @JsonDeserialize(using = UntypedObjectDeserializer.class) Object deleteConditionOrNull,
                               Map<String, AttributeSpec> schema, String distanceMetricOrNull,
                               boolean disableBackpressure, boolean returnAffectedIds) implements CborSerializable {
        public WriteRequest {
            upserts = upserts == null ? List.of() : List.copyOf(upserts);
            patches = patches == null ? List.of() : List.copyOf(patches);
            deletes = deletes == null ? List.of() : List.copyOf(deletes);
            schema = schema == null ? Map.of() : Map.copyOf(schema);
        }

        /** A plain write: upserts, patches by id and deletes by id. */
        public static WriteRequest of(List<UpsertRow> upserts, List<PatchRow> patches, List<Object> deletes,
                                      String distanceMetricOrNull, boolean disableBackpressure) {
            return new WriteRequest(upserts, patches, deletes, null, null, false, null, null, null, null,
                    distanceMetricOrNull, disableBackpressure, false);
        }

        public int operationCount() {
            return upserts.size() + patches.size() + deletes.size();
        }
    }

    /** {@code patch_by_filter}: the attributes in {@code patch} set on every document {@code filters} matches. */
    public record PatchByFilter(@JsonDeserialize(using = UntypedObjectDeserializer.class) Object filters,
                                @JsonDeserialize(contentUsing = UntypedObjectDeserializer.class) Map<String, Object> patch)
            implements CborSerializable {}

    /**
     * A declared attribute (turbopuffer's schema entry): {@code type} as the API names it
     * ({@code "string"}, {@code "[]int"}, {@code "[384]f32"}); {@code filterableOrNull} null means
     * the default; {@code ann} marks the vector attribute.
     */
    public record AttributeSpec(String type, Boolean filterableOrNull, boolean ann) implements CborSerializable {}

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

    /**
     * What a committed write did: rows upserted, patched (that found their document and passed
     * the condition) and deleted, counting by-filter operations. The id lists are filled only when
     * the request asked for them ({@code returnAffectedIds}), else empty.
     */
    public record WriteResult(long walSequence, int upserted, int patched, int deleted,
                              @JsonDeserialize(contentUsing = UntypedObjectDeserializer.class) List<Object> upsertedIds,
                              @JsonDeserialize(contentUsing = UntypedObjectDeserializer.class) List<Object> patchedIds,
                              @JsonDeserialize(contentUsing = UntypedObjectDeserializer.class) List<Object> deletedIds)
            implements CborSerializable {
        public WriteResult {
            upsertedIds = upsertedIds == null ? List.of() : List.copyOf(upsertedIds);
            patchedIds = patchedIds == null ? List.of() : List.copyOf(patchedIds);
            deletedIds = deletedIds == null ? List.of() : List.copyOf(deletedIds);
        }

        public WriteResult(long walSequence, int upserted, int patched, int deleted) {
            this(walSequence, upserted, patched, deleted, List.of(), List.of(), List.of());
        }

        public int affected() {
            return upserted + patched + deleted;
        }
    }

    /**
     * One query: nearest neighbours of {@code vectorOrNull} (ANN, or exhaustive when
     * {@code exact}), the first rows ordered by the attribute {@code orderByOrNull} ("id" for the
     * id), or, with {@code aggregateBy} set and no ranking, aggregates over the filtered documents.
     *
     * @param filtersOrNull         a filter as parsed JSON (see the filter grammar), or null
     * @param includeAttributes     attributes to return with each row ("vector" for the vector)
     * @param includeAllAttributes  return every attribute (include_attributes: true)
     * @param excludeAttributes     attributes not to return (with includeAllAttributes)
     * @param eventual              skip the check for WAL entries newer than the snapshot
     * @param aggregateBy           label → aggregate as parsed JSON, e.g. {@code {"n": ["Count"]}}
     * @param groupBy               attributes whose distinct value combinations group the aggregates
     */
    public record QueryRequest(float[] vectorOrNull, boolean exact, String orderByOrNull, boolean descending, int topK,
                               @JsonDeserialize(using = UntypedObjectDeserializer.class) Object filtersOrNull,
                               List<String> includeAttributes, boolean includeAllAttributes,
                               List<String> excludeAttributes, boolean eventual,
                               @JsonDeserialize(contentUsing = UntypedObjectDeserializer.class) Map<String, Object> aggregateBy,
                               List<String> groupBy) implements CborSerializable {
        public static final int MAX_TOP_K = 10_000;

        public QueryRequest {
            includeAttributes = includeAttributes == null ? List.of() : List.copyOf(includeAttributes);
            excludeAttributes = excludeAttributes == null ? List.of() : List.copyOf(excludeAttributes);
            aggregateBy = aggregateBy == null ? Map.of() : Map.copyOf(aggregateBy);
            groupBy = groupBy == null ? List.of() : List.copyOf(groupBy);
        }

        public static QueryRequest nearest(float[] vector, int topK) {
            return new QueryRequest(vector, false, null, false, topK, null, List.of(), false, List.of(), false, Map.of(),
                    List.of());
        }

        public static QueryRequest orderBy(String attribute, boolean descending, int topK) {
            return new QueryRequest(null, false, attribute, descending, topK, null, List.of(), false, List.of(), false,
                    Map.of(), List.of());
        }

        public QueryRequest withFilters(Object filters) {
            return new QueryRequest(vectorOrNull, exact, orderByOrNull, descending, topK, filters, includeAttributes,
                    includeAllAttributes, excludeAttributes, eventual, aggregateBy, groupBy);
        }

        public QueryRequest including(List<String> attributes) {
            return new QueryRequest(vectorOrNull, exact, orderByOrNull, descending, topK, filtersOrNull, attributes, false,
                    excludeAttributes, eventual, aggregateBy, groupBy);
        }

        public QueryRequest includingAll() {
            return new QueryRequest(vectorOrNull, exact, orderByOrNull, descending, topK, filtersOrNull, List.of(), true,
                    excludeAttributes, eventual, aggregateBy, groupBy);
        }

        /** This query with eventual consistency: no check of the bucket for writes of another owner. */
        public QueryRequest eventually() {
            return new QueryRequest(vectorOrNull, exact, orderByOrNull, descending, topK, filtersOrNull,
                    includeAttributes, includeAllAttributes, excludeAttributes, true, aggregateBy, groupBy);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof QueryRequest q && Arrays.equals(vectorOrNull, q.vectorOrNull) && exact == q.exact
                    && Objects.equals(orderByOrNull, q.orderByOrNull) && descending == q.descending && topK == q.topK
                    && Objects.equals(filtersOrNull, q.filtersOrNull) && includeAttributes.equals(q.includeAttributes)
                    && includeAllAttributes == q.includeAllAttributes && excludeAttributes.equals(q.excludeAttributes)
                    && eventual == q.eventual && aggregateBy.equals(q.aggregateBy) && groupBy.equals(q.groupBy);
        }

        @Override
        public int hashCode() {
            return Objects.hash(Arrays.hashCode(vectorOrNull), exact, orderByOrNull, descending, topK, filtersOrNull,
                    includeAttributes, includeAllAttributes, excludeAttributes, eventual, aggregateBy, groupBy);
        }

        @Override
        public String toString() {
            return "QueryRequest[vector=" + (vectorOrNull == null ? "none" : vectorOrNull.length + " dims")
                    + (exact ? " exact" : "") + ", orderBy=" + orderByOrNull + (descending ? " desc" : "")
                    + ", topK=" + topK + ", filters=" + filtersOrNull
                    + ", include=" + (includeAllAttributes ? "all" : includeAttributes) + ", exclude=" + excludeAttributes
                    + (eventual ? ", eventual" : "") + ", aggregateBy=" + aggregateBy + ", groupBy=" + groupBy + "]";
        }
    }

    /**
     * The answer to one query: rows best first, or aggregates.
     *
     * @param cacheTemperature      "hot", "warm" or "cold": the coldest cache tier the query read from
     * @param exhaustiveSearchCount how many unindexed documents were scanned exactly
     * @param aggregations          label → value, for an aggregate query without groupBy
     * @param aggregationGroups     one map per group: the groupBy attributes' values and the labels' values
     * @param approxRowCount        the namespace's document count as of the snapshot
     */
    public record QueryResult(List<Row> rows, String cacheTemperature, long exhaustiveSearchCount,
                              @JsonDeserialize(contentUsing = UntypedObjectDeserializer.class) Map<String, Object> aggregations,
                              @JsonDeserialize(contentUsing = UntypedObjectDeserializer.class) List<Map<String, Object>> aggregationGroups,
                              long approxRowCount) implements CborSerializable {
        public QueryResult {
            rows = List.copyOf(rows);
            aggregations = aggregations == null ? Map.of() : Map.copyOf(aggregations);
            aggregationGroups = aggregationGroups == null ? List.of() : List.copyOf(aggregationGroups);
        }

        public QueryResult(List<Row> rows, String cacheTemperature, long exhaustiveSearchCount) {
            this(rows, cacheTemperature, exhaustiveSearchCount, Map.of(), List.of(), 0);
        }
    }

    /**
     * One result row: the id (Long or String), the distance for vector queries (null when
     * ordering by an attribute) and the requested attributes as JSON values (uuids and datetimes
     * as strings).
     */
    public record Row(Object id, Double dist,
                      @JsonDeserialize(contentUsing = UntypedObjectDeserializer.class) Map<String, Object> attributes) implements CborSerializable {}

    /** What {@code GET .../metadata} and the schema endpoints report. */
    public record NamespaceMetadata(long approxRowCount, long approxLogicalBytes, String createdAt, String updatedAt,
                                    Map<String, AttributeSpec> schema, String distanceMetricOrNull, long unindexedBytes)
            implements CborSerializable {
        public NamespaceMetadata {
            schema = Map.copyOf(schema);
        }
    }

    /**
     * {@code _debug/recall}: {@code num} sampled documents' vectors as queries, each answered by
     * ANN and exhaustively with {@code topK} and the optional filter.
     */
    public record RecallRequest(int num, int topK,
                                @JsonDeserialize(using = UntypedObjectDeserializer.class) Object filtersOrNull)
            implements CborSerializable {}

    /** Mean recall of ANN against exhaustive search, and the mean result counts of each. */
    public record RecallResult(double avgRecall, double avgAnnCount, double avgExhaustiveCount)
            implements CborSerializable {}
}
