#!/bin/sh
# Entrypoint of the EWS Connector image, after HaRP's exapps_dev/start.sh
# (https://github.com/nextcloud/HaRP, "Adapting ExApps to use HaRP").
#
# With HP_SHARED_KEY set (a HaRP deploy daemon), it writes an frpc configuration that exposes the
# app's unix socket /tmp/exapp.sock to HaRP as FRP remote port $APP_PORT, with TLS when HaRP mounted
# client certificates in /certs/frp, and starts frpc in the background. Then it execs the app.
# Without HP_SHARED_KEY (manual-install, Docker Socket Proxy, Kubernetes) it only execs the app,
# which listens on APP_HOST:APP_PORT.
set -eu

FRPC_CONFIG="${FRPC_CONFIG:-/tmp/frpc.toml}"

if [ -n "${HP_SHARED_KEY:-}" ]; then
	: "${HP_FRP_ADDRESS:?HP_FRP_ADDRESS is required with HP_SHARED_KEY}"
	: "${HP_FRP_PORT:?HP_FRP_PORT is required with HP_SHARED_KEY}"
	: "${APP_PORT:?APP_PORT is required with HP_SHARED_KEY}"
	: "${APP_ID:?APP_ID is required with HP_SHARED_KEY}"
	umask 077
	if [ -d /certs/frp ]; then
		echo "start.sh: HaRP mode, FRP with TLS (/certs/frp)"
		tls='transport.tls.enable = true
transport.tls.certFile = "/certs/frp/client.crt"
transport.tls.keyFile = "/certs/frp/client.key"
transport.tls.trustedCaFile = "/certs/frp/ca.crt"
transport.tls.serverName = "harp.nc"'
	else
		echo "start.sh: HaRP mode, FRP without TLS"
		tls='transport.tls.enable = false'
	fi
	cat >"$FRPC_CONFIG" <<TOML
serverAddr = "$HP_FRP_ADDRESS"
serverPort = $HP_FRP_PORT
loginFailExit = false
$tls
metadatas.token = "$HP_SHARED_KEY"

[[proxies]]
name = "$APP_ID"
type = "tcp"
remotePort = $APP_PORT
[proxies.plugin]
type = "unix_domain_socket"
unixPath = "/tmp/exapp.sock"
TOML
	frpc -c "$FRPC_CONFIG" &
fi

exec "$@"
