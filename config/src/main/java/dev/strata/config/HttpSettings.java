package dev.strata.config;

import static dev.strata.config.SettingsException.require;

import com.typesafe.config.Config;

/** Where the HTTP API listens. */
public record HttpSettings(String host, int port) {

    public HttpSettings {
        require(!host.isBlank(), "http.host", "\"" + host + "\"", "must not be empty");
        require(port >= 0 && port <= 65535, "http.port", port, "must be a TCP port (0 picks a free one)");
    }

    static HttpSettings from(Config c) {
        return new HttpSettings(c.getString("strata.http.host"), c.getInt("strata.http.port"));
    }
}
