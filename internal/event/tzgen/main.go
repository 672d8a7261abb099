// Command tzgen generates internal/event/windowszones.go, the Windows ⇄ IANA
// time zone table, from the Unicode CLDR windowsZones supplemental data
// (https://cldr.unicode.org/development/development-process/design-proposals/extended-windows-olson-zid-mapping).
//
// Usage (from the repository root, see `make generate-tz`):
//
//	go run ./internal/event/tzgen [-cldr windowsZones.json] [-cldr-version 48.2.0]
//	    [-tzdata /usr/share/zoneinfo/tzdata.zi] [-out internal/event/windowszones.go]
//
// Without -cldr it runs `npm pack cldr-core@VERSION` in a temporary directory
// and reads package/supplemental/windowsZones.json (and aliases.json) from the
// tarball. With -tzdata it also reads the IANA link lines ("L target alias")
// so that every alias of a listed zone (Asia/Kolkata for CLDR's Asia/Calcutta,
// Europe/Kyiv for Europe/Kiev) maps back to its Windows id.
package main

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/format"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

type mapZone struct {
	Other     string `json:"_other"`
	Type      string `json:"_type"`
	Territory string `json:"_territory"`
}

type windowsZonesFile struct {
	Supplemental struct {
		Version struct {
			CLDR string `json:"_cldrVersion"`
		} `json:"version"`
		WindowsZones struct {
			MapTimezones []struct {
				MapZone mapZone `json:"mapZone"`
			} `json:"mapTimezones"`
		} `json:"windowsZones"`
	} `json:"supplemental"`
}

func main() {
	cldrPath := flag.String("cldr", "", "path to windowsZones.json (default: npm pack cldr-core)")
	aliasPath := flag.String("aliases", "", "path to CLDR aliases.json (optional; taken from the tarball with npm pack)")
	version := flag.String("cldr-version", "48.2.0", "cldr-core version for npm pack")
	tzdata := flag.String("tzdata", "/usr/share/zoneinfo/tzdata.zi", "IANA tzdata.zi for alias links (empty to skip)")
	out := flag.String("out", "internal/event/windowszones.go", "output file")
	flag.Parse()
	if err := run(*cldrPath, *aliasPath, *version, *tzdata, *out, 50); err != nil {
		fmt.Fprintln(os.Stderr, "tzgen:", err)
		os.Exit(1)
	}
}

// run generates out; minZones guards against a truncated download.
func run(cldrPath, aliasPath, version, tzdata, out string, minZones int) error {
	var wz, aliases []byte
	var err error
	source := "cldr-core@" + version
	if cldrPath == "" {
		wz, aliases, err = npmPack(version)
	} else {
		source = filepath.Base(cldrPath)
		wz, err = os.ReadFile(cldrPath)
		if err == nil && aliasPath != "" {
			aliases, err = os.ReadFile(aliasPath)
		}
	}
	if err != nil {
		return err
	}
	var f windowsZonesFile
	if err := json.Unmarshal(wz, &f); err != nil {
		return fmt.Errorf("windowsZones.json: %w", err)
	}
	toIANA := map[string]string{}
	toWindows := map[string]string{}
	primary := map[string]bool{} // IANA zones that are a 001 canonical zone
	for _, m := range f.Supplemental.WindowsZones.MapTimezones {
		z := m.MapZone
		if z.Territory == "001" {
			toIANA[z.Other] = z.Type
			primary[z.Type] = true
		}
	}
	if len(toIANA) < minZones {
		return fmt.Errorf("windowsZones.json: only %d windows zones, want at least %d", len(toIANA), minZones)
	}
	// Every IANA zone of every territory maps back; a 001 zone wins, else the
	// first Windows id in sorted order, so the output is deterministic.
	sort.SliceStable(f.Supplemental.WindowsZones.MapTimezones, func(i, j int) bool {
		return f.Supplemental.WindowsZones.MapTimezones[i].MapZone.Other < f.Supplemental.WindowsZones.MapTimezones[j].MapZone.Other
	})
	for _, m := range f.Supplemental.WindowsZones.MapTimezones {
		z := m.MapZone
		for _, iana := range strings.Fields(z.Type) {
			if cur, ok := toWindows[iana]; ok && (primary[iana] && toIANA[cur] == iana) {
				continue
			}
			if _, ok := toWindows[iana]; ok && !(primary[iana] && toIANA[z.Other] == iana) {
				continue
			}
			toWindows[iana] = z.Other
		}
	}
	links := map[string]string{} // alias -> target
	if len(aliases) > 0 {
		if err := cldrAliases(aliases, links); err != nil {
			return err
		}
	}
	if tzdata != "" {
		if err := tzdataLinks(tzdata, links); err != nil {
			return err
		}
	}
	// An alias maps like its target, and a target like its listed alias.
	names := make([]string, 0, len(links))
	for a := range links {
		names = append(names, a)
	}
	sort.Strings(names)
	for _, alias := range names {
		target := links[alias]
		if w, ok := toWindows[target]; ok {
			if _, has := toWindows[alias]; !has {
				toWindows[alias] = w
			}
		} else if w, ok := toWindows[alias]; ok {
			toWindows[target] = w
		}
	}
	// The canonical zone of a Windows id is given by its current IANA name
	// (Europe/Kyiv, not CLDR's Europe/Kiev) when tzdata links the old one.
	for win, iana := range toIANA {
		if target, ok := links[iana]; ok {
			toIANA[win] = target
		}
	}
	src := render(source, toIANA, toWindows)
	formatted, err := format.Source(src)
	if err != nil {
		return fmt.Errorf("gofmt: %w", err)
	}
	return os.WriteFile(out, formatted, 0o644)
}

func npmPack(version string) (wz, aliases []byte, err error) {
	dir, err := os.MkdirTemp("", "tzgen")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(dir)
	cmd := exec.Command("npm", "pack", "--silent", "cldr-core@"+version)
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	name, err := cmd.Output()
	if err != nil {
		return nil, nil, fmt.Errorf("npm pack: %w", err)
	}
	tgz, err := os.Open(filepath.Join(dir, strings.TrimSpace(string(name))))
	if err != nil {
		return nil, nil, err
	}
	defer tgz.Close()
	gz, err := gzip.NewReader(tgz)
	if err != nil {
		return nil, nil, err
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		switch h.Name {
		case "package/supplemental/windowsZones.json":
			wz, err = io.ReadAll(io.LimitReader(tr, 10<<20))
		case "package/supplemental/aliases.json":
			aliases, err = io.ReadAll(io.LimitReader(tr, 10<<20))
		}
		if err != nil {
			return nil, nil, err
		}
	}
	if wz == nil {
		return nil, nil, errors.New("npm pack: no supplemental/windowsZones.json in cldr-core")
	}
	return wz, aliases, nil
}

// cldrAliases reads supplemental.metadata.alias.zoneAlias, a tree of path
// segments whose leaves have a _replacement.
func cldrAliases(data []byte, links map[string]string) error {
	var f struct {
		Supplemental struct {
			Metadata struct {
				Alias struct {
					ZoneAlias map[string]json.RawMessage `json:"zoneAlias"`
				} `json:"alias"`
			} `json:"metadata"`
		} `json:"supplemental"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return fmt.Errorf("aliases.json: %w", err)
	}
	var walk func(prefix string, m map[string]json.RawMessage)
	walk = func(prefix string, m map[string]json.RawMessage) {
		for k, raw := range m {
			name := k
			if prefix != "" {
				name = prefix + "/" + k
			}
			var leaf struct {
				Replacement string `json:"_replacement"`
			}
			if json.Unmarshal(raw, &leaf) == nil && leaf.Replacement != "" {
				links[name] = strings.Fields(leaf.Replacement)[0]
				continue
			}
			var sub map[string]json.RawMessage
			if json.Unmarshal(raw, &sub) == nil {
				walk(name, sub)
			}
		}
	}
	walk("", f.Supplemental.Metadata.Alias.ZoneAlias)
	return nil
}

// tzdataLinks reads "L TARGET ALIAS" lines of a tzdata.zi file.
func tzdataLinks(path string, links map[string]string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("tzdata: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) == 3 && fs[0] == "L" {
			links[fs[2]] = fs[1]
		}
	}
	return sc.Err()
}

func render(source string, toIANA, toWindows map[string]string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by internal/event/tzgen from %s; DO NOT EDIT.\n\n", source)
	b.WriteString("package event\n\n")
	b.WriteString("// windowsToIANA maps a Windows time zone id to its canonical IANA zone\n// (CLDR windowsZones, territory 001).\n")
	b.WriteString("var windowsToIANA = map[string]string{\n")
	writeSorted(&b, toIANA)
	b.WriteString("}\n\n")
	b.WriteString("// ianaToWindows maps every IANA zone CLDR lists, and their IANA aliases,\n// to a Windows time zone id.\n")
	b.WriteString("var ianaToWindows = map[string]string{\n")
	writeSorted(&b, toWindows)
	b.WriteString("}\n")
	return b.Bytes()
}

func writeSorted(b *bytes.Buffer, m map[string]string) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(b, "\t%q: %q,\n", k, m[k])
	}
}
