package dev.strata.http;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.completeWithFuture;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.decodeRequest;
import static org.apache.pekko.http.javadsl.server.Directives.delete;
import static org.apache.pekko.http.javadsl.server.Directives.encodeResponse;
import static org.apache.pekko.http.javadsl.server.Directives.extractMaterializer;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequestEntity;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.handleExceptions;
import static org.apache.pekko.http.javadsl.server.Directives.handleRejections;
import static org.apache.pekko.http.javadsl.server.Directives.optionalHeaderValueByName;
import static org.apache.pekko.http.javadsl.server.Directives.parameterOptional;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathEndOrSingleSlash;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.post;
import static org.apache.pekko.http.javadsl.server.Directives.withSizeLimit;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.actors.namespace.NamespaceProtocol.DeleteNamespace;
import dev.strata.actors.namespace.NamespaceProtocol.Describe;
import dev.strata.actors.namespace.NamespaceProtocol.Explain;
import dev.strata.actors.namespace.NamespaceProtocol.MultiQuery;
import dev.strata.actors.namespace.NamespaceProtocol.NamespaceMetadata;
import dev.strata.actors.namespace.NamespaceProtocol.Query;
import dev.strata.actors.namespace.NamespaceProtocol.QueryResult;
import dev.strata.actors.namespace.NamespaceProtocol.Recall;
import dev.strata.actors.namespace.NamespaceProtocol.RecallResult;
import dev.strata.actors.namespace.NamespaceProtocol.UpdateSchema;
import dev.strata.actors.namespace.NamespaceProtocol.WarmCache;
import dev.strata.actors.namespace.NamespaceProtocol.Write;
import dev.strata.actors.namespace.NamespaceProtocol.WriteResult;
import dev.strata.actors.storage.NamespaceName;
import dev.strata.config.HttpSettings;
import dev.strata.tiering.read.TieredStorage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamException;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;

/**
 * The HTTP routes of a Strata node: turbopuffer's API under {@code /v1} and {@code /v2} (the
 * same tree under both, since client versions differ in which prefix they use for the
 * namespace endpoints) and Strata's own under {@code /strata}. Request bodies may be gzipped;
 * responses are gzipped when the client accepts it. Every failure becomes a JSON error through
 * {@link ErrorMapping}.
 */
final class Routes {

    private final Cluster cluster;
    private final TieredStorage storage;
    private final HttpSettings settings;
    private final Auth auth;
    private final NamespaceClient client;
    private final NamespaceCopy copier;
    /** Bodies up to this size are parsed where they arrive; larger ones on {@link #bodyExecutor}. */
    static final int INLINE_BODY_BYTES = 64 * 1024;

    /** Where large request bodies are parsed: off the default dispatcher, which runs the actors. */
    private final Executor bodyExecutor;

    Routes(ActorSystem<?> system, TieredStorage storage, HttpSettings settings) {
        this.cluster = Cluster.get(system);
        this.storage = storage;
        this.settings = settings;
        this.auth = new Auth(settings.apiKeys());
        this.client = new NamespaceClient(system, settings.requestTimeout());
        this.copier = new NamespaceCopy(client);
        this.bodyExecutor = system.dispatchers().lookup(DispatcherSelector.blocking());
    }

    Route all() {
        return handleExceptions(ErrorMapping.exceptionHandler(), () ->
                handleRejections(ErrorMapping.rejectionHandler(), () ->
                        encodeResponse(() ->
                                withSizeLimit(settings.maxRequestBytes(), () ->
                                        decodeRequest(() -> concat(
                                                pathPrefix("strata", () -> path("health", () -> get(this::health))),
                                                pathPrefix("v1", this::api),
                                                pathPrefix("v2", this::api)))))));
    }

    private Route api() {
        return pathPrefix("namespaces", () -> concat(
                pathEndOrSingleSlash(() -> get(this::listNamespaces)),
                pathPrefix(segment(), ns -> concat(
                        pathEndOrSingleSlash(() -> concat(
                                post(() -> withBody(ns, this::write)),
                                delete(() -> call(ns, () -> deleteNamespace(ns))))),
                        path("query", () -> post(() -> withBody(ns, this::query))),
                        path("explain_query", () -> post(() -> withBody(ns, this::explain))),
                        path("metadata", () -> get(() -> call(ns, () -> metadata(ns)))),
                        path("schema", () -> concat(
                                get(() -> call(ns, () -> schema(ns))),
                                post(() -> withBody(ns, this::updateSchema)))),
                        path("hint_cache_warm", () -> get(() -> call(ns, () -> warm(ns)))),
                        path(segment("_debug").slash("recall"), () -> post(() -> withBody(ns, this::recall)))))));
    }

    // --- plumbing -------------------------------------------------------------------------

    /** Authenticates, checks the namespace name and the key's access, then runs {@code handler}. */
    private Route call(String ns, Supplier<CompletionStage<HttpResponse>> handler) {
        return optionalHeaderValueByName("Authorization", header -> respond(() -> {
            Auth.Caller caller = auth.authenticate(header);
            checkName(ns);
            Auth.authorize(caller, ns);
            return handler.get();
        }));
    }

    /** {@link #call} with the request body read (decompressed, size-limited) first. */
    private Route withBody(String ns, BodyHandler handler) {
        return extractMaterializer(mat -> extractRequestEntity(entity -> call(ns, () -> {
            long start = System.nanoTime();
            if (entity instanceof HttpEntity.Strict strict) {
                // The body arrived whole with the request (an uncompressed body that fit the
                // server's parsing buffer): read it where it is. toStrict would run a stream for it,
                // with an actor of its own, costing more than a small query's whole parse.
                if (strict.getData().size() > settings.maxRequestBytes()) {
                    throw tooLarge();
                }
                return handle(ns, strict.getData().toArray(), start, handler);
            }
            // The limit is enforced while the (decompressed) body streams in: a gzip bomb stops at
            // the limit instead of filling memory.
            return entity.toStrict(settings.requestTimeout().toMillis(), settings.maxRequestBytes(), mat)
                    // With an explicit executor: the stage is an adapted Scala future, which would run
                    // a plain handle(...) on the JDK's default async pool (see NamespaceClient#ask).
                    // Copying out the bytes is cheap enough for the thread that completed the body.
                    .handleAsync((strict, error) -> {
                        if (error != null) {
                            Throwable e = ErrorMapping.unwrap(error);
                            if (e instanceof EntityStreamSizeException || (e instanceof EntityStreamException ese
                                    && ese.info().summary().startsWith("Request too large"))) {
                                throw tooLarge();
                            }
                            throw ApiError.badRequest("cannot read the request body: " + e.getMessage());
                        }
                        return strict.getData().toArray();
                    }, Runnable::run)
                    .thenCompose(bytes -> handle(ns, bytes, start, handler));
        })));
    }

    private CompletionStage<HttpResponse> handle(String ns, byte[] bytes, long start, BodyHandler handler) {
        return bytes.length <= INLINE_BODY_BYTES
                // A small body (a query, a small write) parses in tens of microseconds: a hop to
                // another pool would cost more than the parse itself.
                ? handler.handle(ns, bytes, start)
                // Parsing a large body is long CPU work: do it beside, not on, the threads that
                // run the actors.
                : CompletableFuture.supplyAsync(() -> handler.handle(ns, bytes, start), bodyExecutor)
                        .thenCompose(response -> response);
    }

    private ApiError tooLarge() {
        return new ApiError(413, "the request body is larger than the limit of " + settings.maxRequestBytes()
                + " bytes (strata.http.max-request-size)");
    }

    /** Completes with the handler's response, or the mapped error if it throws or fails. */
    private static Route respond(Supplier<CompletionStage<HttpResponse>> handler) {
        CompletionStage<HttpResponse> response;
        try {
            response = handler.get();
        } catch (RuntimeException e) {
            response = CompletableFuture.failedFuture(e);
        }
        return completeWithFuture(response.handle((r, e) -> e == null ? r : ErrorMapping.toResponse(e)));
    }

    @FunctionalInterface
    private interface BodyHandler {
        CompletionStage<HttpResponse> handle(String namespace, byte[] body, long startNanos);
    }

    private static void checkName(String ns) {
        try {
            new NamespaceName(ns);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(e.getMessage());
        }
    }

    // --- endpoints ------------------------------------------------------------------------

    private CompletionStage<HttpResponse> write(String ns, byte[] body, long start) {
        WriteCodec.ParsedWrite parsed = WriteCodec.parse(Json.parse(body, true));
        if (parsed.copySourceOrNull() != null) {
            return copier.copy(parsed.copySourceOrNull(), ns).thenApply(copied ->
                    Json.response(200, Responses.copied(copied.rows(), body.length, start)));
        }
        return client.<WriteResult>ask(ns, r -> new Write(parsed.requestOrNull(), r)).thenApply(result ->
                Json.response(200, Responses.write(parsed.requestOrNull(), result, body.length, start)));
    }

    private CompletionStage<HttpResponse> query(String ns, byte[] body, long start) {
        JsonNode json = Json.parse(body, true);
        long execution = System.nanoTime();
        if (QueryCodec.isMulti(json)) {
            QueryCodec.ParsedMulti multi = QueryCodec.parseMulti(json);
            return client.<List<QueryResult>>ask(ns, r -> new MultiQuery(multi.requests(), r)).thenApply(results -> {
                List<Map<String, Object>> bodies = new ArrayList<>();
                if (multi.rrfOrNull() != null) {
                    int topK = multi.requests().stream().mapToInt(q -> q.topK()).max().orElse(QueryCodec.DEFAULT_TOP_K);
                    bodies.add(Map.of("rows", Responses.fuse(results, multi.rrfOrNull(), topK, multi.base64Vectors())));
                } else {
                    for (QueryResult result : results) {
                        bodies.add(Responses.result(result, multi.base64Vectors()));
                    }
                }
                // Serialized once: the size of the results is billed, and the same bytes are sent.
                byte[] returned = Json.bytes(bodies);
                Map<String, Object> tail = Responses.billingAndPerformance(new LinkedHashMap<>(), results,
                        returned.length, execution, start);
                return Json.response(200, Json.concatObjects(Json.member("results", returned), Json.bytes(tail)));
            });
        }
        QueryCodec.ParsedQuery parsed = QueryCodec.parse(json);
        return client.<QueryResult>ask(ns, r -> new Query(parsed.request(), r)).thenApply(result -> {
            // Serialized once: the size of the rows is billed, and the same bytes are sent.
            byte[] returned = Json.bytes(Responses.result(result, parsed.base64Vectors()));
            Map<String, Object> tail = Responses.billingAndPerformance(new LinkedHashMap<>(), List.of(result),
                    returned.length, execution, start);
            return Json.response(200, Json.concatObjects(returned, Json.bytes(tail)));
        });
    }

    private CompletionStage<HttpResponse> explain(String ns, byte[] body, long start) {
        JsonNode json = Json.parse(body, true);
        if (QueryCodec.isMulti(json)) {
            throw ApiError.unsupported("explain_query of a multi-query");
        }
        QueryCodec.ParsedQuery parsed = QueryCodec.parse(json);
        return client.<String>ask(ns, r -> new Explain(parsed.request(), r))
                .thenApply(plan -> Json.response(200, Map.of("plan_text", plan)));
    }

    private CompletionStage<HttpResponse> deleteNamespace(String ns) {
        return client.<Done>ask(ns, DeleteNamespace::new).thenApply(done -> Json.response(200, Map.of("status", "OK")));
    }

    private CompletionStage<HttpResponse> metadata(String ns) {
        return client.<NamespaceMetadata>ask(ns, Describe::new)
                .thenApply(m -> Json.response(200, Responses.metadata(m)));
    }

    private CompletionStage<HttpResponse> schema(String ns) {
        return client.<NamespaceMetadata>ask(ns, Describe::new)
                .thenApply(m -> Json.response(200, Responses.schema(m.schema())));
    }

    private CompletionStage<HttpResponse> updateSchema(String ns, byte[] body, long start) {
        var schema = WriteCodec.schema(Json.object(Json.parse(body, true), "request body"), "schema");
        if (schema.isEmpty()) {
            throw ApiError.badRequest("the schema update is empty; give {\"attr\": {\"type\": …}, …}");
        }
        return client.<NamespaceMetadata>ask(ns, r -> new UpdateSchema(schema, r))
                .thenApply(m -> Json.response(200, Responses.schema(m.schema())));
    }

    private CompletionStage<HttpResponse> warm(String ns) {
        return client.<Done>ask(ns, WarmCache::new)
                .thenApply(done -> Json.response(202, Map.of("status", "ACCEPTED")));
    }

    private CompletionStage<HttpResponse> recall(String ns, byte[] body, long start) {
        var request = QueryCodec.recall(Json.parse(body, false));
        return client.<RecallResult>ask(ns, r -> new Recall(request, r)).thenApply(result -> {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("avg_recall", result.avgRecall());
            out.put("avg_ann_count", result.avgAnnCount());
            out.put("avg_exhaustive_count", result.avgExhaustiveCount());
            return Json.response(200, out);
        });
    }

    private Route listNamespaces() {
        return optionalHeaderValueByName("Authorization", header ->
                parameterOptional("prefix", prefix ->
                        parameterOptional("page_size", pageSize ->
                                parameterOptional("cursor", cursor -> respond(() ->
                                        listNamespaces(auth.authenticate(header), prefix, pageSize, cursor))))));
    }

    private CompletionStage<HttpResponse> listNamespaces(Auth.Caller caller, Optional<String> prefix,
                                                         Optional<String> pageSizeText, Optional<String> cursor) {
        String p = prefix.orElse("");
        if (!p.matches("[A-Za-z0-9\\-_.]{0,128}")) {
            throw ApiError.badRequest("prefix: namespace names use A-Z, a-z, 0-9, '-', '_' and '.'; got \"" + p + "\"");
        }
        int pageSize = 100;
        if (pageSizeText.isPresent()) {
            try {
                pageSize = Integer.parseInt(pageSizeText.get());
            } catch (NumberFormatException e) {
                pageSize = -1;
            }
            if (pageSize < 1 || pageSize > Limits.MAX_PAGE_SIZE) {
                throw ApiError.badRequest("page_size: must be between 1 and " + Limits.MAX_PAGE_SIZE + ", got "
                        + pageSizeText.get());
            }
        }
        String c = cursor.filter(s -> !s.isEmpty()).orElse(null);
        return NamespaceListing.list(storage.store(), caller, p, c, pageSize).thenApply(page -> {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("namespaces", page.names().stream().map(n -> Map.of("id", n)).toList());
            if (page.nextCursorOrNull() != null) {
                out.put("next_cursor", page.nextCursorOrNull());
            }
            return Json.response(200, out);
        });
    }

    /** 200 while this node is an Up member of the cluster, 503 otherwise (joining, leaving). */
    private Route health() {
        MemberStatus status = cluster.selfMember().status();
        boolean up = status == MemberStatus.up();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "ok" : "unavailable");
        body.put("member_status", status.toString());
        body.put("address", cluster.selfMember().address().toString());
        body.put("storage", storage.store().describe());
        return org.apache.pekko.http.javadsl.server.Directives.complete(
                up ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE, body, Jackson.marshaller());
    }
}
