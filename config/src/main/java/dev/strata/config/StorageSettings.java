package dev.strata.config;

import static dev.strata.config.SettingsException.require;

import com.typesafe.config.Config;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/** Where durable state lives: a local directory or an S3-compatible bucket. */
public record StorageSettings(Kind kind, Path localDirectory, S3 s3) {

    public enum Kind { LOCAL, S3 }

    /** How to reach the bucket. Empty credentials mean the AWS default credentials chain. */
    public record S3(
            String bucket,
            String prefix,
            Optional<URI> endpoint,
            String region,
            String accessKeyId,
            String secretAccessKey,
            boolean pathStyle,
            int maxConnections,
            int maxRetries,
            Duration requestTimeout) {

        public S3 {
            require(!prefix.startsWith("/") && !prefix.endsWith("/"), "storage.s3.prefix", prefix,
                    "must not start or end with '/'");
            require(maxConnections > 0, "storage.s3.max-connections", maxConnections, "must be positive");
            require(maxRetries >= 0, "storage.s3.max-retries", maxRetries, "must not be negative");
            require(!requestTimeout.isNegative() && !requestTimeout.isZero(), "storage.s3.request-timeout",
                    requestTimeout, "must be positive");
            require(accessKeyId.isEmpty() == secretAccessKey.isEmpty(), "storage.s3.access-key-id",
                    accessKeyId.isEmpty() ? "(empty)" : "(set)",
                    "access-key-id and secret-access-key must be set together");
        }

        @Override
        public String toString() {
            // Never print the secret.
            return "S3[bucket=" + bucket + ", prefix=" + prefix + ", endpoint=" + endpoint.map(URI::toString).orElse("aws")
                    + ", region=" + region + ", pathStyle=" + pathStyle + "]";
        }
    }

    public StorageSettings {
        if (kind == Kind.S3) {
            require(s3.bucket().length() >= 3, "storage.s3.bucket", "\"" + s3.bucket() + "\"",
                    "a bucket name of at least 3 characters is required when storage.kind = s3");
        }
    }

    static StorageSettings from(Config c) {
        String kindName = c.getString("strata.storage.kind");
        Kind kind;
        try {
            kind = Kind.valueOf(kindName.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new SettingsException("strata.storage.kind = " + kindName + ": must be local or s3");
        }
        String endpoint = c.getString("strata.storage.s3.endpoint").trim();
        Optional<URI> endpointUri = Optional.empty();
        if (!endpoint.isEmpty()) {
            try {
                URI uri = URI.create(endpoint);
                require(uri.getScheme() != null && uri.getHost() != null, "storage.s3.endpoint", endpoint,
                        "must be an absolute http(s) URL");
                endpointUri = Optional.of(uri);
            } catch (IllegalArgumentException e) {
                throw new SettingsException("strata.storage.s3.endpoint = " + endpoint + ": " + e.getMessage());
            }
        }
        S3 s3 = new S3(
                c.getString("strata.storage.s3.bucket").trim(),
                c.getString("strata.storage.s3.prefix").trim(),
                endpointUri,
                c.getString("strata.storage.s3.region").trim(),
                c.getString("strata.storage.s3.access-key-id").trim(),
                c.getString("strata.storage.s3.secret-access-key").trim(),
                c.getBoolean("strata.storage.s3.path-style"),
                c.getInt("strata.storage.s3.max-connections"),
                c.getInt("strata.storage.s3.max-retries"),
                c.getDuration("strata.storage.s3.request-timeout"));
        return new StorageSettings(kind, Path.of(c.getString("strata.storage.local.directory")), s3);
    }
}
