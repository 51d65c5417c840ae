# leadnudge container image: a static Go binary on distroless, run as non-root.
#
#   docker build --build-arg VERSION=$(git describe --tags --always) -t leadnudge .
#   docker run -d -v leadnudge-data:/data -p 127.0.0.1:9090:9090 \
#     -e LEADNUDGE_SLACK_BOT_TOKEN -e LEADNUDGE_SLACK_APP_TOKEN leadnudge
#
# With no other settings it keeps its state in SQLite on the /data volume (one
# replica). For several replicas use PostgreSQL: deploy/docker-compose.yaml.

# ---- build stage -------------------------------------------------------------
FROM golang:1.26-bookworm AS build
WORKDIR /src

# Module downloads get their own layer: it is rebuilt only when go.mod or
# go.sum change, not on every source edit.
COPY go.mod go.sum ./
RUN go mod download

COPY . .
ARG VERSION=dev
# Static, pure-Go binary (SQLite is modernc.org/sqlite, no cgo), so it runs on
# an image without a libc.
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/leadnudge ./cmd/leadnudge
# The data directory, created here because the final image has no shell. It is
# copied owned by nonroot (65532) so that a fresh named volume mounted on /data
# starts out writable by the bot rather than owned by root.
RUN mkdir -p /out/data

# ---- final stage -------------------------------------------------------------
# distroless/static rather than scratch: it already has CA certificates (TLS to
# slack.com and PostgreSQL), the IANA time zone database (reflection prompts go
# out at each person's own local time) and a "nonroot" user (uid/gid 65532) in
# /etc/passwd — all of which scratch would need copied in by hand — and
# nothing else: no shell, no package manager.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/leadnudge /leadnudge
COPY --from=build --chown=65532:65532 /out/data /data
# Named user from distroless' /etc/passwd (uid 65532). Kubernetes cannot check
# runAsNonRoot against a name, so the example in deploy/kubernetes.yaml also
# sets runAsUser: 65532.
USER nonroot

# SQLite database lives here; mount a volume to keep it across containers.
VOLUME /data
# Metrics and health (/metrics, /healthz, /readyz). Inside a container the
# listener must bind all interfaces to be reachable through a published port;
# publish it on the host's loopback only (-p 127.0.0.1:9090:9090) unless a
# trusted scraper needs it.
ENV LEADNUDGE_STORE_DSN=/data/leadnudge.db \
    LEADNUDGE_HTTP_LISTEN=0.0.0.0:9090 \
    LEADNUDGE_HTTP_ALLOW_NON_LOOPBACK=true
EXPOSE 9090

# No HEALTHCHECK: distroless has no shell, curl or wget to run one, and a
# HEALTHCHECK command would have to be one of those. Health is exposed over
# HTTP instead: let the orchestrator probe GET /healthz (alive) and GET /readyz
# (connected to Slack and the store) on port 9090, as deploy/kubernetes.yaml
# does.
ENTRYPOINT ["/leadnudge"]
CMD ["run"]
