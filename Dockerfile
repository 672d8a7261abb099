# syntax=docker/dockerfile:1
# EWS Connector: a Nextcloud ExApp image for AppAPI docker-install deploy daemons (HaRP or the Docker
# Socket Proxy). Build: docker build --build-arg VERSION=0.1.0 -t ghcr.io/ewsconnector/ews_connector:0.1.0 .
# Keep VERSION, the image tag, and <version>/<image-tag> in appinfo/info.xml equal.

FROM --platform=$BUILDPLATFORM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=0.1.0
ARG TARGETOS TARGETARCH
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=${TARGETOS:-linux} GOARCH=${TARGETARCH:-amd64} go build -trimpath \
      -ldflags "-s -w -X github.com/ewsconnector/ews_connector/internal/app.Version=${VERSION}" \
      -o /out/ews-connector ./cmd/ews-connector

# frpc, the FRP client of HaRP's tunnel: a pinned release, checked against the release's own
# sha256 checksum list.
FROM alpine:3.21 AS frp
ARG FRP_VERSION=0.61.1
ARG TARGETARCH
RUN apk add --no-cache curl \
 && archive="frp_${FRP_VERSION}_linux_${TARGETARCH:-amd64}.tar.gz" \
 && base="https://github.com/fatedier/frp/releases/download/v${FRP_VERSION}" \
 && curl -fsSL --retry 3 -o "/tmp/${archive}" "${base}/${archive}" \
 && curl -fsSL --retry 3 -o /tmp/sums.txt "${base}/frp_sha256_checksums.txt" \
 && (cd /tmp && grep " ${archive}\$" sums.txt > sum.txt && sha256sum -c sum.txt) \
 && tar -xzf "/tmp/${archive}" -C /tmp --strip-components=1 \
 && install -m 0755 /tmp/frpc /usr/local/bin/frpc

FROM alpine:3.21
# ca-certificates for TLS to Exchange and Nextcloud; tzdata for time zones.
RUN apk add --no-cache ca-certificates tzdata \
 && adduser -D -H -u 10001 -s /sbin/nologin exapp
COPY --from=frp /usr/local/bin/frpc /usr/local/bin/frpc
COPY --from=build /out/ews-connector /usr/local/bin/ews-connector
COPY --chmod=0755 docker/start.sh /start.sh
COPY appinfo/info.xml /usr/share/ews-connector/info.xml
USER exapp
# The app listens on /tmp/exapp.sock under HaRP (HP_SHARED_KEY), else on APP_HOST:APP_PORT.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --start-interval=2s --retries=3 \
  CMD ["/usr/local/bin/ews-connector", "healthcheck"]
ENTRYPOINT ["/start.sh", "/usr/local/bin/ews-connector"]
CMD ["serve"]
