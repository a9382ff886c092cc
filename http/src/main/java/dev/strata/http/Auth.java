package dev.strata.http;

import dev.strata.config.ApiKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;

/**
 * Checks {@code Authorization: Bearer <key>} against the configured keys. With no key
 * configured the API is open: every request is allowed every namespace.
 */
final class Auth {

    /** Who made a request: {@code keyOrNull} is null in open mode. */
    record Caller(ApiKey keyOrNull) {
        boolean allows(String namespace) {
            return keyOrNull == null || keyOrNull.allows(namespace);
        }
    }

    private final List<ApiKey> keys;

    Auth(List<ApiKey> keys) {
        this.keys = List.copyOf(keys);
    }

    boolean open() {
        return keys.isEmpty();
    }

    /** The caller for the header value (absent when missing), or a 401. */
    Caller authenticate(Optional<String> authorization) {
        if (keys.isEmpty()) {
            return new Caller(null);
        }
        String header = authorization.orElseThrow(() -> ApiError.unauthorized(
                "missing Authorization header; send \"Authorization: Bearer <api key>\""));
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ApiError.unauthorized("the Authorization header must be \"Bearer <api key>\"");
        }
        byte[] presented = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        for (ApiKey key : keys) {
            // Constant-time comparison: response timing does not reveal how much of a key matched.
            if (MessageDigest.isEqual(presented, key.key().getBytes(StandardCharsets.UTF_8))) {
                return new Caller(key);
            }
        }
        throw ApiError.unauthorized("unknown API key");
    }

    /** A 403 unless the caller may use the namespace. */
    static void authorize(Caller caller, String namespace) {
        if (!caller.allows(namespace)) {
            throw ApiError.forbidden("this API key may not access namespace \"" + namespace + "\"");
        }
    }
}
