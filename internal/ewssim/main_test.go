package ewssim

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ewsconnector/ews_connector/internal/reference"
)

var (
	recordMu  sync.Mutex
	responses [][]byte
)

// record keeps a response for schema validation after the tests.
func record(data []byte) {
	recordMu.Lock()
	responses = append(responses, append([]byte(nil), data...))
	recordMu.Unlock()
}

// TestMain validates every response the tests received against Microsoft's schema with
// xmllint (skipped when xmllint or ../shared is missing), so element order and content
// of the simulator's answers are checked against the real schema, not against our model.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		code = validateRecorded()
	}
	os.Exit(code)
}

func schemaPath() string {
	dir, err := reference.Dir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "ews-schema", "ews-envelope.xsd")
}

func validateRecorded() int {
	xsd := schemaPath()
	lint, err := exec.LookPath("xmllint")
	if len(responses) == 0 {
		return 0
	}
	if err != nil || xsd == "" {
		fmt.Println("ewssim: response schema validation skipped (xmllint or ../shared missing)")
		return 0
	}
	if _, err := os.Stat(xsd); err != nil {
		fmt.Println("ewssim: response schema validation skipped: ../shared not found")
		return 0
	}
	dir, err := os.MkdirTemp("", "ewssim-resp")
	if err != nil {
		return 1
	}
	defer os.RemoveAll(dir)
	args := []string{"--noout", "--schema", xsd}
	for i, r := range responses {
		// A streaming response holds several envelopes; validate each.
		for j, env := range splitEnvelopes(r) {
			f := filepath.Join(dir, fmt.Sprintf("r%04d-%02d.xml", i, j))
			os.WriteFile(f, env, 0o644)
			args = append(args, f)
		}
	}
	out, err := exec.Command(lint, args...).CombinedOutput()
	if err != nil {
		var bad []string
		for _, l := range strings.Split(string(out), "\n") {
			if !strings.HasSuffix(l, " validates") && l != "" {
				if len(l) > 600 {
					l = l[:600] + "..."
				}
				bad = append(bad, l)
			}
		}
		fmt.Printf("ewssim: responses fail schema validation:\n%s\n", strings.Join(bad, "\n"))
		for _, l := range bad {
			if i := strings.Index(l, "/r"); i >= 0 && strings.Contains(l, ".xml") {
				f := l[i+1 : strings.Index(l, ".xml")+4]
				data, _ := os.ReadFile(filepath.Join(dir, f))
				fmt.Printf("--- %s\n%s\n", f, data)
				break
			}
		}
		return 1
	}
	fmt.Printf("ewssim: %d responses validate against ews-envelope.xsd\n", len(responses))
	return 0
}

// splitEnvelopes splits concatenated XML documents (a GetStreamingEvents stream).
func splitEnvelopes(b []byte) [][]byte {
	s := string(b)
	var out [][]byte
	for {
		i := strings.Index(s[1:], "<?xml")
		if i < 0 {
			out = append(out, []byte(s))
			return out
		}
		out = append(out, []byte(s[:i+1]))
		s = s[i+1:]
	}
}

func TestSplitEnvelopes(t *testing.T) {
	got := splitEnvelopes([]byte(`<?xml version="1.0"?><a/><?xml version="1.0"?><b/>`))
	if len(got) != 2 || string(got[1]) != `<?xml version="1.0"?><b/>` {
		t.Fatalf("splitEnvelopes = %q, want two documents", got)
	}
}
