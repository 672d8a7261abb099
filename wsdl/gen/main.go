// Command gen regenerates internal/ews/wire/schema_gen.go from Microsoft's
// EWS schema (Services.wsdl, messages.xsd, types.xsd; see
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/ews-reference-for-exchange).
//
// It prunes the schema to the operations in Operations, runs gowsdl v0.5.0
// (a Go tool dependency of the module) on the pruned copy, and keeps from its
// output only the simple types and enumerations (see fixup and
// wsdl/README.md). The schema is read from $EWS_SCHEMA_DIR, default
// ../shared/ews-schema relative to the module root; any Exchange server also
// serves these files under /EWS/.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run() error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	schemaDir := os.Getenv("EWS_SCHEMA_DIR")
	if schemaDir == "" {
		schemaDir = filepath.Join(root, "..", "shared", "ews-schema")
	}
	out := flag.String("out", filepath.Join(root, "internal", "ews", "wire", "schema_gen.go"), "generated Go file")
	keep := flag.String("keep", "", "if set, write the pruned schema and gowsdl's raw output to this directory")
	flag.Parse()

	read := func(name string) ([]byte, error) {
		b, err := os.ReadFile(filepath.Join(schemaDir, name))
		if err != nil {
			return nil, fmt.Errorf("gen: read schema (set EWS_SCHEMA_DIR): %w", err)
		}
		return b, nil
	}
	wsdlSrc, err := read("Services.wsdl")
	if err != nil {
		return err
	}
	msgSrc, err := read("messages.xsd")
	if err != nil {
		return err
	}
	typSrc, err := read("types.xsd")
	if err != nil {
		return err
	}
	pruned, complexTypes, err := prune(wsdlSrc, msgSrc, typSrc, Operations)
	if err != nil {
		return err
	}
	tmp := *keep
	if tmp == "" {
		tmp, err = os.MkdirTemp("", "ews-gen-")
		if err != nil {
			return fmt.Errorf("gen: %w", err)
		}
		defer os.RemoveAll(tmp)
	}
	for name, data := range pruned {
		if err := os.MkdirAll(tmp, 0o755); err != nil {
			return fmt.Errorf("gen: %w", err)
		}
		if err := os.WriteFile(filepath.Join(tmp, name), data, 0o644); err != nil {
			return fmt.Errorf("gen: %w", err)
		}
	}
	if err := os.MkdirAll(filepath.Join(tmp, "wire"), 0o755); err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	cmd := exec.Command("go", "tool", "gowsdl", "-p", "wire", "-o", "gowsdl.go", "-d", tmp, filepath.Join(tmp, "Services.wsdl"))
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stdout = &stderr
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("gen: gowsdl: %w\n%s", err, stderr.String())
	}
	raw, err := os.ReadFile(filepath.Join(tmp, "wire", "gowsdl.go"))
	if err != nil {
		return fmt.Errorf("gen: gowsdl output: %w\n%s", err, stderr.String())
	}
	hand, err := handWritten(filepath.Dir(*out), filepath.Base(*out))
	if err != nil {
		return err
	}
	src, names, err := fixup(raw, "wire", hand, complexTypes)
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	fmt.Printf("gen: %d operations, pruned schema %d+%d bytes (from %d+%d), gowsdl %d lines, kept %d simple types in %s\n",
		len(Operations), len(pruned["messages.xsd"]), len(pruned["types.xsd"]), len(msgSrc), len(typSrc),
		bytes.Count(raw, []byte("\n")), len(names), *out)
	return nil
}

// prune returns the pruned Services.wsdl, messages.xsd and types.xsd, and
// the names of the schema's complex types.
func prune(wsdlSrc, msgSrc, typSrc []byte, ops []string) (map[string][]byte, map[string]bool, error) {
	strip := func(b []byte) []byte { return bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) }
	wf, err := parseComponents(strip(wsdlSrc))
	if err != nil {
		return nil, nil, fmt.Errorf("gen: Services.wsdl: %w", err)
	}
	mf, err := parseComponents(strip(msgSrc))
	if err != nil {
		return nil, nil, fmt.Errorf("gen: messages.xsd: %w", err)
	}
	tf, err := parseComponents(strip(typSrc))
	if err != nil {
		return nil, nil, fmt.Errorf("gen: types.xsd: %w", err)
	}
	w, roots := pruneWSDL(wf, ops)
	if len(roots) == 0 {
		return nil, nil, errors.New("gen: no operation of the list found in Services.wsdl")
	}
	s := pruneSchemas([]*parsedFile{mf, tf}, roots)
	complexTypes := map[string]bool{}
	for _, f := range []*parsedFile{mf, tf} {
		for _, sp := range f.spans {
			if sp.kind == "complexType" {
				complexTypes[sp.name] = true
			}
		}
	}
	return map[string][]byte{"Services.wsdl": w, "messages.xsd": s[0], "types.xsd": s[1]}, complexTypes, nil
}

// handWritten returns the names declared by the non-test Go files in dir,
// other than the generated file itself.
func handWritten(dir, generated string) (map[string]bool, error) {
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("gen: %w", err)
	}
	srcs := map[string][]byte{}
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") || n == generated {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			return nil, fmt.Errorf("gen: %w", err)
		}
		srcs[n] = b
	}
	return declaredNames(srcs)
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("gen: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("gen: go.mod not found above the working directory")
		}
		dir = parent
	}
}
