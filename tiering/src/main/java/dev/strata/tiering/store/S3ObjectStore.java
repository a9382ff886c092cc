package dev.strata.tiering.store;

import dev.strata.config.StorageSettings;
import dev.strata.index.io.ByteRange;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.function.Function;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.client.config.SdkAdvancedAsyncClientOption;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * An {@link ObjectStore} on an S3-compatible bucket, through the AWS SDK v2 asynchronous client
 * on Netty.
 *
 * <p>Connections are bounded by {@code max-connections}; throttled, 5xx and timed-out requests
 * are retried by the SDK (at most {@code max-retries} times, jittered exponential backoff, also
 * on {@code 409 ConditionalRequestConflict}); {@code request-timeout} bounds a whole call,
 * retries included. The SDK completes its futures on the given I/O executor, and every result
 * this store hands out is completed by a task on that executor, never on a Netty thread.
 * Errors are translated once, here, into {@link ObjectStoreException}s naming the bucket, key
 * and range. Keys are stored under the configured prefix, which listings strip again.
 */
public final class S3ObjectStore implements ObjectStore {

    /** First retry waits up to this long (full jitter), doubling per attempt. */
    static final Duration RETRY_BASE_DELAY = Duration.ofMillis(50);
    static final Duration RETRY_MAX_DELAY = Duration.ofSeconds(5);
    /** Throttling (503 SlowDown, 429) backs off harder: the server asked us to slow down. */
    static final Duration THROTTLED_BASE_DELAY = Duration.ofMillis(500);
    static final Duration THROTTLED_MAX_DELAY = Duration.ofSeconds(20);

    private static final byte[] EMPTY = new byte[0];
    /** The slices an upload's body is sent in (see {@link #body}). */
    static final int BODY_SLICE_BYTES = 1 << 20;

    private final S3AsyncClient client;
    private final String bucket;
    private final String keyPrefix;
    private final Executor io;
    private final String description;

    /** Connects to the bucket described by {@code settings}; the store owns (and closes) its client. */
    public S3ObjectStore(StorageSettings.S3 settings, Executor io) {
        this.bucket = settings.bucket();
        this.keyPrefix = settings.prefix().isEmpty() ? "" : settings.prefix() + "/";
        this.io = io;
        this.description = "s3://" + bucket + (settings.prefix().isEmpty() ? "" : "/" + settings.prefix());
        this.client = buildClient(settings, io);
    }

    private static S3AsyncClient buildClient(StorageSettings.S3 settings, Executor io) {
        AwsCredentialsProvider credentials = settings.accessKeyId().isEmpty()
                ? DefaultCredentialsProvider.builder().build()
                : StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(settings.accessKeyId(), settings.secretAccessKey()));
        S3AsyncClientBuilder builder = S3AsyncClient.builder()
                .httpClientBuilder(NettyNioAsyncHttpClient.builder()
                        .maxConcurrency(settings.maxConnections())
                        // A request queued for a connection gives up when the whole call would.
                        .connectionAcquisitionTimeout(settings.requestTimeout()))
                .region(Region.of(settings.region()))
                .forcePathStyle(settings.pathStyle())
                .credentialsProvider(credentials)
                .overrideConfiguration(o -> o
                        .apiCallTimeout(settings.requestTimeout())
                        .retryStrategy(retryStrategy(settings.maxRetries())))
                // The SDK would otherwise complete futures on its own pool; ours are the I/O threads.
                .asyncConfiguration(a -> a.advancedOption(SdkAdvancedAsyncClientOption.FUTURE_COMPLETION_EXECUTOR, io));
        settings.endpoint().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    static RetryStrategy retryStrategy(int maxRetries) {
        return AwsRetryStrategy.standardRetryStrategy().toBuilder()
                .maxAttempts(maxRetries + 1)
                .backoffStrategy(BackoffStrategy.exponentialDelay(RETRY_BASE_DELAY, RETRY_MAX_DELAY))
                .throttlingBackoffStrategy(BackoffStrategy.exponentialDelay(THROTTLED_BASE_DELAY, THROTTLED_MAX_DELAY))
                // Two conditional writes of one key raced inside S3; trying again gets a 200 or a 412.
                .retryOnException(S3ObjectStore::isConditionalConflict)
                .build();
    }

    @Override
    public CompletableFuture<byte[]> get(String key) {
        GetObjectRequest request = GetObjectRequest.builder().bucket(bucket).key(fullKey(key)).build();
        return call(client.getObject(request, AsyncResponseTransformer.toBytes()), key, null, response -> {
            byte[] bytes = response.asByteArrayUnsafe();
            Long expected = response.response().contentLength();
            if (expected != null && expected != bytes.length) {
                throw new ObjectStoreException(description, key, null,
                        "truncated body: " + bytes.length + " of " + expected + " bytes", true, null);
            }
            return bytes;
        });
    }

    @Override
    public CompletableFuture<byte[]> getRange(String key, ByteRange range) {
        String fullKey = fullKey(key);
        int length = range.intLength();
        if (length == 0) {
            // HTTP cannot express an empty range; there is nothing to fetch anyway.
            return CompletableFuture.supplyAsync(() -> EMPTY, io);
        }
        GetObjectRequest request = GetObjectRequest.builder().bucket(bucket).key(fullKey)
                .range("bytes=" + range.start() + "-" + (range.end() - 1))
                .build();
        return call(client.getObject(request, AsyncResponseTransformer.toBytes()), key, range,
                response -> checkRangeBody(key, range, response));
    }

    private byte[] checkRangeBody(String key, ByteRange range, ResponseBytes<GetObjectResponse> response) {
        byte[] bytes = response.asByteArrayUnsafe();
        if (bytes.length == range.length()) {
            return bytes;
        }
        long size = totalSize(response.response().contentRange());
        if (size >= 0 && size < range.end()) {
            // S3 clamps a range that starts inside the object but ends past it instead of failing.
            throw new RangeNotSatisfiableException(description, key, range, size);
        }
        throw new ObjectStoreException(description, key, range,
                "truncated body: " + bytes.length + " of " + range.length() + " bytes", true, null);
    }

    @Override
    public CompletableFuture<Void> put(String key, byte[] data) {
        PutObjectRequest request = PutObjectRequest.builder().bucket(bucket).key(fullKey(key))
                .contentLength((long) data.length).build();
        return call(client.putObject(request, body(data)), key, null, response -> null);
    }

    /**
     * The request body of {@code data}, sent as it is (the caller does not change it while the
     * call runs) in slices of {@link #BODY_SLICE_BYTES}. {@code fromBytes} would first copy the
     * whole array, a merged segment's gigabyte and more, and hand the HTTP client one buffer of
     * that size; slices are written a slice at a time, each through a buffer of its own size.
     */
    static AsyncRequestBody body(byte[] data) {
        ByteBuffer[] slices = new ByteBuffer[Math.max(1, (data.length + BODY_SLICE_BYTES - 1) / BODY_SLICE_BYTES)];
        for (int i = 0; i < slices.length; i++) {
            int from = i * BODY_SLICE_BYTES;
            slices[i] = ByteBuffer.wrap(data, from, Math.min(BODY_SLICE_BYTES, data.length - from)).slice();
        }
        return AsyncRequestBody.fromByteBuffersUnsafe(slices);
    }

    /**
     * {@inheritDoc}
     *
     * <p>A 412 can also answer our own earlier attempt whose response was lost and that the SDK
     * retried, so on 412 the stored bytes are compared with ours: equal bytes count as this
     * call's creation. Two callers creating one key with identical bytes may therefore both see
     * {@code true}; the stored object is the same either way.
     */
    @Override
    public CompletableFuture<Boolean> createIfAbsent(String key, byte[] data) {
        PutObjectRequest request = PutObjectRequest.builder().bucket(bucket).key(fullKey(key))
                .contentLength((long) data.length).ifNoneMatch("*").build();
        CompletableFuture<Boolean> attempt = call(client.putObject(request, body(data)), key, null,
                response -> Boolean.TRUE, error -> {
                    if (status(error) == 412) {
                        return null; // an object is there: whose it is gets decided below
                    }
                    throw translate(error, key, null);
                });
        return attempt.thenCompose(created -> created != null
                ? CompletableFuture.completedFuture(true)
                : get(key).thenApply(stored -> Arrays.equals(stored, data)));
    }

    @Override
    public CompletableFuture<Optional<ObjectInfo>> head(String key) {
        HeadObjectRequest request = HeadObjectRequest.builder().bucket(bucket).key(fullKey(key)).build();
        return call(client.headObject(request), key, null,
                response -> Optional.of(new ObjectInfo(key, response.contentLength(), response.lastModified())),
                error -> {
                    if (status(error) == 404) {
                        return Optional.empty();
                    }
                    throw translate(error, key, null);
                });
    }

    @Override
    public CompletableFuture<ListPage> list(String prefix, String continuationToken, int maxKeys) {
        ObjectKeys.requireValidPrefix(prefix);
        if (maxKeys <= 0) {
            throw new IllegalArgumentException("maxKeys must be positive, was " + maxKeys);
        }
        ListObjectsV2Request.Builder request = ListObjectsV2Request.builder().bucket(bucket)
                .prefix(keyPrefix + prefix).maxKeys(maxKeys);
        if (continuationToken != null) {
            // Our token is the last key returned, so a listing resumes the same way on every store.
            request.startAfter(keyPrefix + continuationToken);
        }
        return call(client.listObjectsV2(request.build()), prefix, null, response -> {
            List<ObjectInfo> objects = response.contents().stream()
                    .map(this::toInfo)
                    .toList();
            boolean more = Boolean.TRUE.equals(response.isTruncated()) && !objects.isEmpty();
            return new ListPage(objects, more ? objects.get(objects.size() - 1).key() : null);
        });
    }

    private ObjectInfo toInfo(S3Object object) {
        String key = object.key();
        if (!key.startsWith(keyPrefix)) {
            throw new ObjectStoreException(description, key, null, "listed key lies outside the prefix", false, null);
        }
        return new ObjectInfo(key.substring(keyPrefix.length()), object.size(), object.lastModified());
    }

    @Override
    public CompletableFuture<Void> delete(String key) {
        DeleteObjectRequest request = DeleteObjectRequest.builder().bucket(bucket).key(fullKey(key)).build();
        return call(client.deleteObject(request), key, null, response -> null);
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        client.close();
    }

    @Override
    public String toString() {
        return "S3ObjectStore[" + description + "]";
    }

    private String fullKey(String key) {
        return keyPrefix + ObjectKeys.requireValid(key);
    }

    private <R, T> CompletableFuture<T> call(CompletableFuture<R> sdkCall, String key, ByteRange range,
                                             Function<R, T> onSuccess) {
        return call(sdkCall, key, range, onSuccess, error -> {
            throw translate(error, key, range);
        });
    }

    private <R, T> CompletableFuture<T> call(CompletableFuture<R> sdkCall, String key, ByteRange range,
                                             Function<R, T> onSuccess, Function<Throwable, T> onFailure) {
        // The SDK completes on an I/O thread (FUTURE_COMPLETION_EXECUTOR); the relay hops only
        // if the call had already completed on the caller's thread.
        return IoCompletion.relay(sdkCall, io, (value, error) -> error == null ? onSuccess.apply(value) : onFailure.apply(unwrap(error)));
    }

    /** The one place SDK errors become {@link ObjectStoreException}s. */
    ObjectStoreException translate(Throwable error, String key, ByteRange range) {
        Throwable e = unwrap(error);
        if (e instanceof ObjectStoreException storeError) {
            return storeError;
        }
        if (e instanceof S3Exception s3) {
            AwsErrorDetails details = s3.awsErrorDetails();
            String code = details == null ? null : details.errorCode();
            int status = s3.statusCode();
            if (status == 404 && !"NoSuchBucket".equals(code)) {
                return new ObjectNotFoundException(description, key, range);
            }
            if (status == 416) {
                long size = details == null || details.sdkHttpResponse() == null ? -1
                        : totalSize(details.sdkHttpResponse().firstMatchingHeader("Content-Range").orElse(null));
                return new RangeNotSatisfiableException(description, key, range, size);
            }
            boolean retryable = status >= 500 || status == 429 || status == 408 || s3.isThrottlingException()
                    || isConditionalConflict(s3);
            String message = "HTTP " + status + (code == null ? "" : " " + code)
                    + (details == null || details.errorMessage() == null ? "" : ": " + details.errorMessage());
            return new ObjectStoreException(description, key, range, message, retryable, s3);
        }
        if (e instanceof ApiCallTimeoutException || e instanceof ApiCallAttemptTimeoutException) {
            return new ObjectStoreException(description, key, range, "timed out: " + e.getMessage(), true, e);
        }
        if (e instanceof SdkClientException) {
            // Connection refused or reset, read timeouts and the like: the network, not the request.
            return new ObjectStoreException(description, key, range, String.valueOf(e.getMessage()), true, e);
        }
        if (e instanceof SdkException sdk) {
            return new ObjectStoreException(description, key, range, String.valueOf(e.getMessage()), sdk.retryable(), e);
        }
        return new ObjectStoreException(description, key, range, e.toString(), false, e);
    }

    private static boolean isConditionalConflict(Throwable e) {
        return e instanceof S3Exception s3 && s3.statusCode() == 409 && s3.awsErrorDetails() != null
                && "ConditionalRequestConflict".equals(s3.awsErrorDetails().errorCode());
    }

    private static int status(Throwable e) {
        return e instanceof S3Exception s3 ? s3.statusCode() : -1;
    }

    private static Throwable unwrap(Throwable e) {
        Throwable current = e;
        while ((current instanceof CompletionException || current instanceof ExecutionException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }

    /** The object size from a {@code Content-Range} header ({@code bytes 0-9/100} or {@code bytes *}{@code /100}), or -1. */
    static long totalSize(String contentRange) {
        if (contentRange == null) {
            return -1;
        }
        int slash = contentRange.lastIndexOf('/');
        if (slash < 0 || slash == contentRange.length() - 1) {
            return -1;
        }
        try {
            return Long.parseLong(contentRange.substring(slash + 1).trim());
        } catch (NumberFormatException e) {
            return -1; // "*" when the server does not know the size
        }
    }
}
