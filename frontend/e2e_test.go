package frontend_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ewsconnector/ews_connector/internal/app"
)

// syncBuffer collects the dev command's output and signals once it printed its banner.
type syncBuffer struct {
	mu    sync.Mutex
	b     bytes.Buffer
	ready chan struct{}
	once  sync.Once
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := s.b.Write(p)
	if strings.Contains(s.b.String(), "Press Ctrl-C") {
		s.once.Do(func() { close(s.ready) })
	}
	return n, err
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestBrowser runs the page's browser tests (e2e/*.test.mjs, playwright-core driving Debian's
// chromium) against `make run`'s setup started in this process: a private PostgreSQL, the fake
// Nextcloud serving the page as the AppAPI proxy does, the simulated Exchange pre-filled, and the app.
// Screenshots go to frontend/e2e-output/ (or E2E_OUTPUT); the test logs the directory.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests skipped in -short mode")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found (Debian package nodejs; .ci/run installs it)")
	}
	chromium := os.Getenv("E2E_CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("chromium not found at %s (Debian package chromium; .ci/run installs it)", chromium)
	}
	if _, err := os.Stat("node_modules/playwright-core"); err != nil {
		npm, err := exec.LookPath("npm")
		if err != nil {
			t.Skip("npm not found and node_modules missing (Debian package npm)")
		}
		cmd := exec.Command(npm, "ci", "--no-audit", "--no-fund")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("npm ci: %v\n%s", err, out)
		}
	}

	dir, err := os.MkdirTemp("", "ews-e2e-run-")
	if err != nil {
		t.Fatal(err)
	}
	// PostgreSQL runs as user postgres when the test runs as root: the directory must be reachable.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// Screenshots go to E2E_OUTPUT, by default frontend/e2e-output/ (git-ignored, emptied each run).
	outDir := os.Getenv("E2E_OUTPUT")
	if outDir == "" {
		if outDir, err = filepath.Abs("e2e-output"); err != nil {
			t.Fatal(err)
		}
		os.RemoveAll(outDir)
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots: %s", outDir)

	ctx, cancel := context.WithCancel(context.Background())
	stdout := &syncBuffer{ready: make(chan struct{})}
	stderr := &syncBuffer{ready: make(chan struct{})}
	done := make(chan int, 1)
	go func() {
		done <- app.Run(ctx, []string{"dev", "-dir", filepath.Join(dir, "run"), "-app", "127.0.0.1:0",
			"-nextcloud", "127.0.0.1:0", "-ews", "127.0.0.1:0"},
			app.Env{Stdout: stdout, Stderr: stderr, Getenv: func(k string) string {
				if k == "LOG_LEVEL" {
					return "warn"
				}
				return ""
			}})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(60 * time.Second):
			t.Error("dev setup did not stop within 60 s")
		}
		os.RemoveAll(dir)
	})
	select {
	case <-stdout.ready:
	case code := <-done:
		t.Fatalf("dev setup exited with %d:\n%s\n%s", code, stdout, stderr)
	case <-time.After(3 * time.Minute):
		t.Fatalf("dev setup not ready after 3 minutes:\n%s\n%s", stdout, stderr)
	}
	ncURL := regexp.MustCompile(`Fake Nextcloud\s+(http://\S+)`).FindStringSubmatch(stdout.String())
	ewsURL := regexp.MustCompile(`Simulated EWS\s+(http://\S+)`).FindStringSubmatch(stdout.String())
	if ncURL == nil || ewsURL == nil {
		t.Fatalf("dev banner without URLs:\n%s", stdout)
	}

	tctx, tcancel := context.WithTimeout(ctx, 4*time.Minute)
	defer tcancel()
	cmd := exec.CommandContext(tctx, node, "--test", "--test-reporter=spec", "e2e/")
	cmd.Env = append(os.Environ(), "E2E_NEXTCLOUD_URL="+ncURL[1], "E2E_EWS_URL="+ewsURL[1],
		"E2E_OUTPUT="+outDir, "E2E_CHROMIUM="+chromium)
	out, err := cmd.CombinedOutput()
	t.Logf("node --test e2e/:\n%s", out)
	if err != nil {
		t.Errorf("browser tests failed: %v\napp log (warnings):\n%s", err, stderr)
	}
}
