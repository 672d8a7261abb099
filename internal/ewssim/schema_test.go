package ewssim

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestSchemaGenUpToDate regenerates schema_gen.go from ../shared/ews-schema and
// compares it with the committed file.
func TestSchemaGenUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	dir := filepath.Join(sharedDir(t), "ews-schema")
	out := filepath.Join(t.TempDir(), "schema_gen.go")
	cmd := exec.Command("go", "run", "./schemagen", "-out", out)
	cmd.Env = append(os.Environ(), "EWS_SCHEMA_DIR="+dir)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("schemagen: %v\n%s", err, msg)
	}
	got, _ := os.ReadFile(out)
	want, _ := os.ReadFile("schema_gen.go")
	if !bytes.Equal(got, want) {
		t.Fatalf("schema_gen.go is stale: run go generate ./internal/ewssim")
	}
}

func TestSchemaModelCoversOperations(t *testing.T) {
	for op := range handlers {
		if _, ok := schemaRoots["m:"+op]; !ok {
			t.Fatalf("operation %s has no schema root", op)
		}
	}
	if st := schemaSimple["t:MaxSyncChangesReturnedType"]; st == nil || st.MaxIncl != "512" || st.MinIncl != "1" {
		t.Fatalf("MaxSyncChangesReturnedType = %+v, want 1..512", st)
	}
}
