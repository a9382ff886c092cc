package dev.strata.http.metrics;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.optionalHeaderValueByName;
import static org.apache.pekko.http.javadsl.server.Directives.path;

import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /metrics}: the node's metrics in the Prometheus text format, or in OpenMetrics when
 * the scraper's {@code Accept} header asks for {@code application/openmetrics-text}.
 */
public final class MetricsRoute {

    private final StrataMetrics metrics;
    private final ExpositionFormats formats = ExpositionFormats.init();

    public MetricsRoute(StrataMetrics metrics) {
        this.metrics = metrics;
    }

    public Route route() {
        return path("metrics", () -> get(() -> optionalHeaderValueByName("Accept", this::scrape)));
    }

    private Route scrape(Optional<String> accept) {
        ExpositionFormatWriter writer = writerFor(accept.orElse(""));
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
        try {
            // Reads counters and MXBeans only: quick and non-blocking, fine on the route's thread.
            writer.write(out, metrics.registry().scrape());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write metrics", e);
        }
        return complete(HttpResponse.create().withEntity(
                HttpEntities.create(ContentTypes.parse(writer.getContentType()), out.toByteArray())));
    }

    /** OpenMetrics when asked for; otherwise (protobuf included: not built in) the text format. */
    private ExpositionFormatWriter writerFor(String accept) {
        ExpositionFormatWriter writer = formats.findWriter(accept);
        if (writer instanceof OpenMetricsTextFormatWriter || writer instanceof PrometheusTextFormatWriter) {
            return writer;
        }
        return formats.getPrometheusTextFormatWriter();
    }
}
