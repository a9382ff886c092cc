package dev.strata.config;

import static dev.strata.config.SettingsException.require;

import com.typesafe.config.Config;

/** Sizes of the I/O pool (may block) and the compute pool (never blocks). */
public record ThreadSettings(int io, int compute) {

    public ThreadSettings {
        require(io > 0, "threads.io", io, "must be positive");
        require(compute > 0, "threads.compute", compute, "must be positive (0 in configuration means one per processor)");
    }

    static ThreadSettings from(Config c) {
        int compute = c.getInt("strata.threads.compute");
        require(compute >= 0, "threads.compute", compute, "must not be negative");
        return new ThreadSettings(c.getInt("strata.threads.io"),
                compute == 0 ? Runtime.getRuntime().availableProcessors() : compute);
    }
}
