package web

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
)

// HaRPSocket is where the app listens behind HaRP; HaRP's start.sh points frpc's unix_domain_socket
// plugin at it (nextcloud/HaRP README "Adapting ExApps to use HaRP").
const HaRPSocket = "/tmp/exapp.sock"

// ListenUnix listens on the unix socket path after removing a stale socket file, and makes it
// world-writable (0666) so frpc can connect whatever its user.
func ListenUnix(path string) (net.Listener, error) {
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode()&os.ModeSocket == 0 {
			return nil, fmt.Errorf("web: %s exists and is not a socket", path)
		}
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("web: remove stale socket: %w", err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("web: %w", err)
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("web: listen: %w", err)
	}
	if err := os.Chmod(path, 0o666); err != nil {
		l.Close()
		return nil, fmt.Errorf("web: chmod socket: %w", err)
	}
	return l, nil
}

// ListenTCP listens on host:port (APP_HOST, APP_PORT).
func ListenTCP(host string, port int) (net.Listener, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return nil, fmt.Errorf("web: listen: %w", err)
	}
	return l, nil
}
