package dev.strata.config;

import static dev.strata.config.SettingsException.require;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Where the HTTP API listens, who may call it and how large a request may be.
 *
 * @param apiKeys         accepted bearer keys; empty means open local mode (no authentication)
 * @param maxRequestBytes the largest request body accepted, after decompression
 * @param requestTimeout  how long a request waits for its namespace's answer before a retryable 503
 */
public record HttpSettings(String host, int port, List<ApiKey> apiKeys, long maxRequestBytes,
                           Duration requestTimeout) {

    public HttpSettings {
        require(!host.isBlank(), "http.host", "\"" + host + "\"", "must not be empty");
        require(port >= 0 && port <= 65535, "http.port", port, "must be a TCP port (0 picks a free one)");
        require(maxRequestBytes >= 1024, "http.max-request-size", maxRequestBytes, "must be at least 1KiB");
        require(!requestTimeout.isNegative() && !requestTimeout.isZero(), "http.request-timeout", requestTimeout,
                "must be positive");
        apiKeys = List.copyOf(apiKeys);
        Set<String> seen = new HashSet<>();
        for (ApiKey k : apiKeys) {
            // Never echo a key in a message: name its position instead.
            int index = seen.size();
            require(!k.key().isBlank(), "http.api-keys[" + index + "].key", "\"\"", "must not be empty");
            require(k.key().chars().noneMatch(Character::isWhitespace), "http.api-keys[" + index + "].key",
                    "(hidden)", "must not contain whitespace");
            require(seen.add(k.key()), "http.api-keys[" + index + "].key", "(hidden)", "appears twice");
        }
    }

    /** True when no key is configured: every request is accepted without authentication. */
    public boolean openAccess() {
        return apiKeys.isEmpty();
    }

    static HttpSettings from(Config c) {
        List<ApiKey> keys = new ArrayList<>();
        for (Config entry : c.getConfigList("strata.http.api-keys")) {
            List<String> prefixes = entry.hasPath("namespace-prefixes")
                    ? entry.getStringList("namespace-prefixes") : List.of();
            if (!entry.hasPath("key")) {
                throw new SettingsException("strata.http.api-keys[" + keys.size() + "]: missing \"key\"");
            }
            keys.add(new ApiKey(entry.getString("key"), prefixes));
        }
        String single = c.getString("strata.http.api-key");
        if (!single.isEmpty()) {
            keys.add(new ApiKey(single, List.of()));
        }
        long maxBytes;
        try {
            maxBytes = c.getBytes("strata.http.max-request-size");
        } catch (ConfigException.BadValue e) {
            throw new SettingsException(e.getMessage(), e);
        }
        return new HttpSettings(c.getString("strata.http.host"), c.getInt("strata.http.port"), keys, maxBytes,
                c.getDuration("strata.http.request-timeout"));
    }
}
