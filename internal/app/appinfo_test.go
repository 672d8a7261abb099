package app

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// infoXML is the part of appinfo/info.xml that AppAPI reads (AppAPI ExAppService::getAppInfo).
type infoXML struct {
	ID      string `xml:"id"`
	Version string `xml:"version"`
	Deps    struct {
		Nextcloud struct {
			Min string `xml:"min-version,attr"`
		} `xml:"nextcloud"`
	} `xml:"dependencies"`
	External struct {
		Docker struct {
			Registry string `xml:"registry"`
			Image    string `xml:"image"`
			Tag      string `xml:"image-tag"`
		} `xml:"docker-install"`
		Routes []struct {
			URL    string `xml:"url"`
			Verb   string `xml:"verb"`
			Access string `xml:"access_level"`
			BF     string `xml:"bruteforce_protection"`
		} `xml:"routes>route"`
		Vars []struct {
			Name    string  `xml:"name"`
			Default *string `xml:"default"`
		} `xml:"environment-variables>variable"`
	} `xml:"external-app"`
}

func readInfo(t *testing.T) infoXML {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "appinfo", "info.xml"))
	if err != nil {
		t.Fatal(err)
	}
	var info infoXML
	if err := xml.Unmarshal(b, &info); err != nil {
		t.Fatalf("info.xml: %v", err)
	}
	return info
}

func TestInfoXML(t *testing.T) {
	info := readInfo(t)
	if info.ID != devAppID {
		t.Errorf("id = %q, want %q", info.ID, devAppID)
	}
	if info.Version == "" || info.Version != info.External.Docker.Tag {
		t.Errorf("version %q != image-tag %q", info.Version, info.External.Docker.Tag)
	}
	if info.Deps.Nextcloud.Min != "32" {
		t.Errorf("min-version = %q, want 32 (HaRP, calendar webhooks)", info.Deps.Nextcloud.Min)
	}
	if info.External.Docker.Image == "" {
		t.Error("docker-install image missing")
	}
	if len(info.External.Routes) != len(DevRoutes) {
		t.Fatalf("%d routes, DevRoutes has %d", len(info.External.Routes), len(DevRoutes))
	}
	for i, r := range info.External.Routes {
		if r.URL != DevRoutes[i].URL || r.Verb != DevRoutes[i].Verb || r.Access != "USER" {
			t.Errorf("route %d = %+v, DevRoutes has %+v", i, r, DevRoutes[i])
		}
		// AppAPI wraps the url as /url/i: an unescaped "/" would end the PHP pattern.
		if regexp.MustCompile(`(^|[^\\])/`).MatchString(r.URL) {
			t.Errorf("route %q has an unescaped /", r.URL)
		}
		if r.BF != "" && !strings.HasPrefix(r.BF, "[") {
			t.Errorf("bruteforce_protection %q is not JSON text", r.BF)
		}
	}
	match := func(path string) bool {
		for _, r := range info.External.Routes {
			if regexp.MustCompile("(?i)" + r.URL).MatchString(path) {
				return true
			}
		}
		return false
	}
	for _, p := range []string{"api/v1/accounts", "/api/v1/accounts", "img/app.svg", "/js/main.js"} {
		if !match(p) {
			t.Errorf("no route matches %q", p)
		}
	}
	for _, p := range []string{"init", "/enabled", "heartbeat", "webhooks/calendar", "x/api/v1"} {
		if match(p) {
			t.Errorf("a route matches %q, which must stay unreachable from browsers", p)
		}
	}
	vars := map[string]bool{}
	for _, v := range info.External.Vars {
		vars[v.Name] = true
		if v.Default != nil && strings.TrimSpace(*v.Default) == "" {
			t.Errorf("variable %s has an empty <default> (AppAPI passes the string \"Array\")", v.Name)
		}
	}
	for _, want := range []string{"EWS_DATABASE_URL", "EWS_SECRET_KEY", "LOG_LEVEL", "LOG_FORMAT"} {
		if !vars[want] {
			t.Errorf("environment variable %s not declared", want)
		}
	}
}
