package dev.strata.bench.http;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.strata.http.StrataServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.Enumeration;

/** The configuration of a Strata server a benchmark starts in its own JVM. */
public final class ServerConfig {

    private ServerConfig() {}

    /**
     * {@code settings} (HOCON) over the http module's reference.conf (the Pekko settings of a
     * node: cluster provider, downing, loggers), over everything else on the class path. The
     * http module's file is put ahead explicitly: on a benchmark's class path Pekko's own
     * reference.conf files come first and would otherwise win for the keys both set.
     */
    public static Config of(String settings) {
        return ConfigFactory.parseString(settings)
                .withFallback(httpReference())
                .withFallback(ConfigFactory.load())
                .resolve();
    }

    private static Config httpReference() {
        try {
            Enumeration<URL> urls = StrataServer.class.getClassLoader().getResources("reference.conf");
            while (urls.hasMoreElements()) {
                URL url = urls.nextElement();
                if (url.toString().contains("strata-http")) {
                    return ConfigFactory.parseURL(url);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("the strata-http jar's reference.conf is not on the class path");
    }
}
