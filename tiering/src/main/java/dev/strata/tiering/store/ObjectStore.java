package dev.strata.tiering.store;

import dev.strata.index.io.ByteRange;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Asynchronous access to an S3-compatible bucket (or a local directory standing in for one).
 *
 * <p>Every future completes on the store's I/O executor, never on a caller's thread and never on
 * a network event loop. Failures complete the future with an {@link ObjectStoreException} that
 * names the bucket, key and range; a missing key is an {@link ObjectNotFoundException}.
 * Keys are {@code /}-separated, with no leading {@code /}.
 */
public interface ObjectStore extends AutoCloseable {

    /** The whole object. */
    CompletableFuture<byte[]> get(String key);

    /** The bytes of one range; the range must lie inside the object. */
    CompletableFuture<byte[]> getRange(String key, ByteRange range);

    /** Several ranges of one object, fetched concurrently; one array per range, in order. */
    default CompletableFuture<List<byte[]>> getRanges(String key, List<ByteRange> ranges) {
        @SuppressWarnings("unchecked")
        CompletableFuture<byte[]>[] parts = ranges.stream()
                .map(r -> getRange(key, r))
                .toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(parts)
                .thenApply(ignored -> Arrays.stream(parts).map(CompletableFuture::join).toList());
    }

    /**
     * Creates or replaces an object. The store may send {@code data} without copying it: the
     * caller must not change the array until the returned future completes (here and in
     * {@link #createIfAbsent}).
     */
    CompletableFuture<Void> put(String key, byte[] data);

    /**
     * Creates the object only if no object exists under the key ({@code If-None-Match: *}).
     * Completes with {@code true} if this call created it and {@code false} if the key already
     * existed. Of any number of concurrent calls for one key, exactly one sees {@code true}: this
     * is the fencing primitive WAL objects and manifests rely on.
     */
    CompletableFuture<Boolean> createIfAbsent(String key, byte[] data);

    /** The object's metadata, or empty if there is no such key. */
    CompletableFuture<Optional<ObjectInfo>> head(String key);

    /**
     * One page of the keys that start with {@code prefix}, in lexicographic (UTF-8 byte) order.
     * Pass the previous page's {@link ListPage#nextToken()} to continue; {@code null} starts.
     */
    CompletableFuture<ListPage> list(String prefix, String continuationToken, int maxKeys);

    /** Deletes the object; deleting a missing key succeeds. */
    CompletableFuture<Void> delete(String key);

    /** A short description for logs and errors, e.g. {@code s3://bucket/prefix}. */
    String describe();

    @Override
    void close();
}
