# syntax=docker/dockerfile:1
# EWS Connector: a Nextcloud ExApp image for AppAPI docker-install deploy daemons (HaRP or the Docker
# Socket Proxy). Build: docker build --build-arg VERSION=0.1.0 -t ghcr.io/ewsconnector/ews_connector:0.1.0 .
# Keep VERSION, the image tag, and <version>/<image-tag> in appinfo/info.xml equal.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=0.1.0
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/ewsconnector/ews_connector/internal/app.Version=${VERSION}" \
      -o /out/ews-connector ./cmd/ews-connector

FROM alpine:3.21
# frp provides frpc, the FRP client HaRP's tunnel needs; ca-certificates for TLS to Exchange and
# Nextcloud; tzdata for time zones.
RUN apk add --no-cache frp ca-certificates tzdata \
 && adduser -D -H -u 10001 -s /sbin/nologin exapp
COPY --from=build /out/ews-connector /usr/local/bin/ews-connector
COPY --chmod=0755 docker/start.sh /start.sh
COPY appinfo/info.xml /usr/share/ews-connector/info.xml
USER exapp
# The app listens on /tmp/exapp.sock under HaRP (HP_SHARED_KEY), else on APP_HOST:APP_PORT.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --start-interval=2s --retries=3 \
  CMD ["/usr/local/bin/ews-connector", "healthcheck"]
ENTRYPOINT ["/start.sh", "/usr/local/bin/ews-connector"]
CMD ["serve"]
