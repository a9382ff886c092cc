package dev.strata.tiering.testing;

import dev.strata.config.StorageSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;

/**
 * An S3-protocol server for tests: S3Proxy running in this JVM on a free loopback port, keeping
 * objects in memory, checking AWS V2/V4 signatures made with {@link #ACCESS_KEY_ID} and
 * {@link #SECRET_ACCESS_KEY}, with one bucket already created.
 */
public final class S3ProxyServer implements AutoCloseable {

    public static final String ACCESS_KEY_ID = "strata-test-access-key";
    public static final String SECRET_ACCESS_KEY = "strata-test-secret-key";
    public static final String REGION = "us-east-1";

    private final S3Proxy proxy;
    private final BlobStore blobStore;
    private final URI endpoint;
    private final String bucket;

    private S3ProxyServer(S3Proxy proxy, BlobStore blobStore, URI endpoint, String bucket) {
        this.proxy = proxy;
        this.blobStore = blobStore;
        this.endpoint = endpoint;
        this.bucket = bucket;
    }

    /** Starts a server with an empty bucket named {@code bucket} (at least 3 characters). */
    public static S3ProxyServer start(String bucket) throws Exception {
        return start(BlobStores.create("transient", new Properties()), bucket);
    }

    /**
     * Starts a server keeping its objects as files under {@code directory}, so they outlive the
     * server: a second server on the same directory sees them. The bucket is created if missing.
     */
    public static S3ProxyServer startOnDisk(String bucket, Path directory) throws Exception {
        Properties properties = new Properties();
        properties.setProperty("jclouds.filesystem.basedir", directory.toAbsolutePath().toString());
        return start(BlobStores.create("filesystem", properties), bucket);
    }

    private static S3ProxyServer start(BlobStore blobStore, String bucket) throws Exception {
        if (!blobStore.containerExists(bucket)) {
            blobStore.createContainer(bucket);
        }
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(blobStore)
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY_ID, SECRET_ACCESS_KEY)
                .build();
        proxy.start();
        try {
            return new S3ProxyServer(proxy, blobStore, URI.create("http://127.0.0.1:" + proxy.getPort()), bucket);
        } catch (RuntimeException e) {
            proxy.stop();
            throw e;
        }
    }

    public URI endpoint() {
        return endpoint;
    }

    public String bucket() {
        return bucket;
    }

    /**
     * Settings for an {@code S3ObjectStore} on this server's bucket, with keys under
     * {@code prefix} ("" for none): path-style, static test credentials, two retries.
     */
    public StorageSettings.S3 settings(String prefix) {
        return new StorageSettings.S3(bucket, prefix, Optional.of(endpoint), REGION, ACCESS_KEY_ID, SECRET_ACCESS_KEY,
                true, 32, 2, Duration.ofSeconds(30));
    }

    /**
     * The same as a node's configuration: the {@code strata.storage} keys (HOCON paths, as an
     * operator or a system property sets them) that keep a node's state in this bucket.
     */
    public Map<String, String> nodeSettings(String prefix) {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("strata.storage.kind", "s3");
        keys.put("strata.storage.s3.bucket", bucket);
        keys.put("strata.storage.s3.prefix", prefix);
        keys.put("strata.storage.s3.endpoint", endpoint.toString());
        keys.put("strata.storage.s3.region", REGION);
        keys.put("strata.storage.s3.access-key-id", ACCESS_KEY_ID);
        keys.put("strata.storage.s3.secret-access-key", SECRET_ACCESS_KEY);
        keys.put("strata.storage.s3.path-style", "true");
        return keys;
    }

    /** Whole storage settings choosing S3 with {@link #settings(String)}. */
    public StorageSettings storageSettings(String prefix) {
        return new StorageSettings(StorageSettings.Kind.S3, Path.of("unused-in-s3-mode"), settings(prefix));
    }

    @Override
    public void close() {
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop S3Proxy at " + endpoint, e);
        } finally {
            blobStore.close();
        }
    }
}
