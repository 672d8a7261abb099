package dav

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-webdav"
)

// radicaleServer is a Radicale (https://radicale.org, Debian package "radicale") started for the
// test run on a free loopback port, with a temporary storage folder and a plain htpasswd file.
type radicaleServer struct {
	cmd      *exec.Cmd
	exited   chan error // receives Wait's result once
	dir      string
	endpoint string
	stderr   *bytes.Buffer
}

const (
	radicaleUser     = "alice"
	radicalePassword = "alice-test-password"
)

var (
	radicaleOnce sync.Once
	radicale     *radicaleServer
	radicaleErr  error
)

// startRadicale starts the shared Radicale once; TestMain stops it.
func startRadicale() (*radicaleServer, error) {
	radicaleOnce.Do(func() { radicale, radicaleErr = launchRadicale() })
	return radicale, radicaleErr
}

func stopRadicale() {
	if radicale == nil {
		return
	}
	_ = radicale.cmd.Process.Kill()
	<-radicale.exited
	_ = os.RemoveAll(radicale.dir)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func launchRadicale() (*radicaleServer, error) {
	bin, err := exec.LookPath("radicale")
	if err != nil {
		return nil, errRadicaleAbsent
	}
	dir, err := os.MkdirTemp("", "dav-radicale-")
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	users := filepath.Join(dir, "users")
	if err := os.WriteFile(users, []byte(radicaleUser+":"+radicalePassword+"\n"), 0o600); err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	cfg := fmt.Sprintf(`[server]
hosts = %s
[auth]
type = htpasswd
htpasswd_filename = %s
htpasswd_encryption = plain
delay = 0
[rights]
type = owner_only
[storage]
filesystem_folder = %s
[web]
type = none
[logging]
level = warning
`, addr, users, filepath.Join(dir, "collections"))
	cfgPath := filepath.Join(dir, "config")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		return nil, err
	}
	s := &radicaleServer{dir: dir, endpoint: "http://" + addr + "/", stderr: &bytes.Buffer{}}
	s.cmd = exec.Command(bin, "--config", cfgPath)
	s.cmd.Stdout = s.stderr
	s.cmd.Stderr = s.stderr
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan error, 1)
	s.exited = exited
	go func() { exited <- s.cmd.Wait() }()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			return nil, fmt.Errorf("radicale exited: %v: %s", err, s.stderr.String())
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			return s, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	_ = s.cmd.Process.Kill()
	<-exited
	return nil, fmt.Errorf("radicale did not listen on %s: %s", addr, s.stderr.String())
}

var errRadicaleAbsent = fmt.Errorf("radicale binary not found in PATH (Debian package \"radicale\")")

// radicaleClient returns a Client for alice on the shared Radicale, or skips the test.
func radicaleClient(t *testing.T) *Client {
	t.Helper()
	s, err := startRadicale()
	if err == errRadicaleAbsent {
		t.Skip("skipping Radicale backend: " + err.Error())
	}
	if err != nil {
		t.Fatalf("start radicale: %v", err)
	}
	hc := webdav.HTTPClientWithBasicAuth(&http.Client{Timeout: 30 * time.Second}, radicaleUser, radicalePassword)
	c, err := NewClient(hc, s.endpoint, nil)
	if err != nil {
		t.Fatalf("NewClient(%q) = %v", s.endpoint, err)
	}
	return c
}

func TestMain(m *testing.M) {
	code := m.Run()
	stopRadicale()
	stopNextcloud()
	os.Exit(code)
}
