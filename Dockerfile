# A Strata node image. Build the archive first, then the image, from the repository root:
#   ./mvnw -B -DskipTests package && docker build -t strata:dev .
FROM eclipse-temurin:17-jre

# The archive's top directory is strata/: bin/strata, lib/, conf/.
ADD http/target/strata.tar.gz /opt/

# A non-root user; the data and SSD cache directories belong to it (on Kubernetes they are
# volumes mounted over these paths).
RUN useradd --system --uid 10001 --home-dir /var/lib/strata --create-home strata \
 && mkdir -p /var/lib/strata/data /var/lib/strata/ssd-cache \
 && chown -R strata /var/lib/strata

ENV STRATA_DATA_DIR=/var/lib/strata/data \
    STRATA_CACHE_DIR=/var/lib/strata/ssd-cache \
    STRATA_HTTP_PORT=8080 \
    STRATA_MANAGEMENT_PORT=8558 \
    STRATA_CLUSTER_PORT=25520

WORKDIR /var/lib/strata
USER 10001

# HTTP API (and /metrics), Pekko Management (health checks, cluster bootstrap), Pekko remoting.
EXPOSE 8080 8558 25520

ENTRYPOINT ["/opt/strata/bin/strata"]
