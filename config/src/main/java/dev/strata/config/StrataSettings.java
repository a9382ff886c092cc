package dev.strata.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;

/**
 * All of Strata's settings, read once at start-up from the {@code strata} section of the HOCON
 * configuration ({@code reference.conf}, then {@code application.conf}, system properties and the
 * environment variables named in {@code reference.conf}). Construction validates everything, so a
 * bad setting stops the node at start-up with a message that names its key.
 */
public record StrataSettings(
        StorageSettings storage, CacheSettings cache, HttpSettings http) {

    /** Loads the default configuration of this process. */
    public static StrataSettings load() {
        return from(ConfigFactory.load());
    }

    /** Reads and validates the {@code strata} section of a resolved configuration. */
    public static StrataSettings from(Config root) {
        try {
            // Sections read full paths, so the library's own messages name the whole key.
            return new StrataSettings(
                    StorageSettings.from(root),
                    CacheSettings.from(root),
                    HttpSettings.from(root));
        } catch (ConfigException e) {
            throw new SettingsException(e.getMessage(), e);
        }
    }
}
