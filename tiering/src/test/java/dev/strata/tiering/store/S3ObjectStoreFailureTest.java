package dev.strata.tiering.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.config.StorageSettings;
import dev.strata.config.StrataThreads;
import dev.strata.index.io.ByteRange;
import dev.strata.tiering.testing.ScriptedHttpServer;
import dev.strata.tiering.testing.ScriptedHttpServer.Response;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * How {@link S3ObjectStore} meets failures: what it retries, what it gives up on, and how each
 * ends up as a typed exception. A scripted HTTP server stands in for S3 so every failure is exact.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3ObjectStoreFailureTest {

    private static final String BUCKET = "scripted-bucket";
    private static final String KEY = "namespaces/ns/segments/s1";
    private static final String PATH = "/" + BUCKET + "/pre/" + KEY;

    private ScriptedHttpServer server;
    private ExecutorService io;
    /** Shared by the tests (closing a client takes Netty a moment): two retries, 10 s per call. */
    private S3ObjectStore store;

    @BeforeAll
    void start() throws Exception {
        server = new ScriptedHttpServer();
        io = StrataThreads.newPool(StrataThreads.IO, 4);
        store = store(2, Duration.ofSeconds(10));
    }

    @BeforeEach
    void forgetEarlierRequests() {
        server.reset();
    }

    @AfterAll
    void stop() {
        store.close();
        server.close();
        io.shutdownNow();
    }

    private S3ObjectStore store(int maxRetries, Duration requestTimeout) {
        return new S3ObjectStore(new StorageSettings.S3(BUCKET, "pre", Optional.of(server.endpoint()), "us-east-1",
                "test-key", "test-secret", true, 4, maxRetries, requestTimeout), io);
    }

    private static Response rangeBody(String body, long start, long total) {
        byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);
        return Response.of(206, Map.of("Content-Range", "bytes " + start + "-" + (start + bytes.length - 1) + "/" + total,
                "Content-Type", "application/octet-stream"), bytes);
    }

    private static <E extends ObjectStoreException> E failure(Class<E> type, CompletableFuture<?> future) {
        CompletionException e = assertThrows(CompletionException.class, future::join);
        return assertInstanceOf(type, e.getCause(), () -> "unexpected " + e.getCause());
    }

    @Test
    void retriesServerErrorsThenSucceeds() {
        server.then(Response.s3Error(500, "InternalError"), Response.s3Error(503, "ServiceUnavailable"),
                rangeBody("0123456789", 10, 100));
        byte[] got = store.getRange(KEY, new ByteRange(10, 20)).join();
        assertArrayEquals("0123456789".getBytes(StandardCharsets.US_ASCII), got);
        assertEquals(3, server.requests().size());
        for (ScriptedHttpServer.Request request : server.requests()) {
            assertEquals("GET", request.method());
            assertEquals(PATH, request.path());
            assertEquals("bytes=10-19", request.header("Range"));
        }
    }

    @Test
    void givesUpAfterMaxRetriesWithARetryableErrorNamingTheRequest() {
        server.then(Response.s3Error(500, "InternalError"), Response.s3Error(500, "InternalError"),
                Response.s3Error(500, "InternalError"), rangeBody("never", 0, 100));
        ByteRange range = new ByteRange(0, 5);
        ObjectStoreException e = failure(ObjectStoreException.class, store.getRange(KEY, range));
        assertTrue(e.retryable());
        assertEquals(KEY, e.key());
        assertEquals(range, e.range());
        assertEquals("s3://" + BUCKET + "/pre", e.store());
        assertTrue(e.getMessage().contains("500") && e.getMessage().contains("InternalError"), e.getMessage());
        assertEquals(3, server.requests().size(), "one try and two retries");
    }

    @Test
    void clientErrorsAreNotRetried() {
        server.then(Response.s3Error(403, "AccessDenied"), Response.s3Error(404, "NoSuchKey"));
        ObjectStoreException denied = failure(ObjectStoreException.class, store.get(KEY));
        assertFalse(denied.retryable());
        assertFalse(denied instanceof ObjectNotFoundException);
        assertEquals(1, server.requests().size());
        ObjectNotFoundException missing = failure(ObjectNotFoundException.class, store.get(KEY));
        assertFalse(missing.retryable());
        assertEquals(2, server.requests().size());
    }

    @Test
    void aConditionalWriteConflictIsRetried() {
        server.then(Response.s3Error(409, "ConditionalRequestConflict"), Response.of(200, Map.of("ETag", "\"e\""), new byte[0]));
        assertTrue(store.createIfAbsent(KEY, new byte[] {1, 2}).join());
        assertEquals(2, server.requests().size());
        for (ScriptedHttpServer.Request request : server.requests()) {
            assertEquals("PUT", request.method());
            assertEquals("*", request.header("If-None-Match"));
        }
    }

    @Test
    void aFailedPreconditionMeansAnotherWriterWonUnlessTheBytesAreOurs() {
        byte[] ours = "ours".getBytes(StandardCharsets.US_ASCII);
        server.then(Response.s3Error(412, "PreconditionFailed"),
                Response.of(200, Map.of("Content-Type", "application/octet-stream"), "theirs".getBytes(StandardCharsets.US_ASCII)),
                Response.s3Error(412, "PreconditionFailed"),
                Response.of(200, Map.of("Content-Type", "application/octet-stream"), ours));
        assertFalse(store.createIfAbsent(KEY, ours).join());
        assertTrue(store.createIfAbsent(KEY, ours).join(), "our own retried create answered 412");
        assertEquals(List.of("PUT", "GET", "PUT", "GET"), server.requests().stream().map(ScriptedHttpServer.Request::method).toList());
    }

    @Test
    void aShortBodyIsATruncationErrorNeverData() {
        server.then(rangeBody("01234", 0, 100));
        ByteRange range = new ByteRange(0, 10);
        ObjectStoreException e = failure(ObjectStoreException.class, store.getRange(KEY, range));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        assertTrue(e.retryable());
        assertEquals(range, e.range());
    }

    @Test
    void aRangeClampedAtTheEndOrRefusedIsNotSatisfiable() {
        server.then(rangeBody("xyz", 97, 100),
                Response.of(416, Map.of("Content-Range", "bytes */100", "Content-Type", "application/xml"),
                        "<Error><Code>InvalidRange</Code><Message>no</Message></Error>".getBytes(StandardCharsets.US_ASCII)));
        RangeNotSatisfiableException clamped = failure(RangeNotSatisfiableException.class,
                store.getRange(KEY, new ByteRange(97, 105)));
        assertEquals(100, clamped.objectSize());
        RangeNotSatisfiableException refused = failure(RangeNotSatisfiableException.class,
                store.getRange(KEY, new ByteRange(200, 205)));
        assertFalse(refused.retryable());
        assertEquals(2, server.requests().size(), "a 416 is not retried");
    }

    @Test
    void anEmptyRangeSendsNoRequest() {
        assertEquals(0, store.getRange(KEY, new ByteRange(42, 42)).join().length);
        assertEquals(List.of(), server.requests());
    }

    @Test
    void aServerThatNeverAnswersTimesOutRetryably() {
        server.then(Response.stalled(), Response.stalled());
        try (S3ObjectStore store = store(1, Duration.ofMillis(700))) {
            ObjectStoreException e = failure(ObjectStoreException.class, store.head(KEY));
            assertTrue(e.retryable());
            assertTrue(e.getMessage().contains("timed out"), e.getMessage());
        }
    }
}
