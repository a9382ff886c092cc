package dev.strata.config;

/** A setting is missing or invalid; the message names the key. */
public final class SettingsException extends RuntimeException {

    public SettingsException(String message) {
        super(message);
    }

    public SettingsException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Fails with a message naming {@code key} unless {@code ok}. */
    static void require(boolean ok, String key, Object value, String expectation) {
        if (!ok) {
            throw new SettingsException("strata." + key + " = " + value + ": " + expectation);
        }
    }
}
