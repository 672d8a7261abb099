package config

import (
	"errors"
	"log/slog"
	"strings"
	"testing"
)

const testKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=" // 0x00..0x1f

func env(over map[string]string) Getenv {
	base := map[string]string{
		"APP_ID":           "ews_connector",
		"APP_SECRET":       "s3cr3t+/abc",
		"APP_VERSION":      "0.1.0",
		"APP_PORT":         "23000",
		"NEXTCLOUD_URL":    "http://nc.example/index.php/",
		"EWS_DATABASE_URL": "postgres://ews@localhost/ews",
		"EWS_SECRET_KEY":   testKey,
	}
	for k, v := range over {
		base[k] = v
	}
	return func(k string) string { return base[k] }
}

func TestLoadValid(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatalf("Load() = %v", err)
	}
	if c.NextcloudURL != "http://nc.example" {
		t.Errorf("NextcloudURL = %q, want http://nc.example", c.NextcloudURL)
	}
	if c.AppHost != "127.0.0.1" || c.AppPort != 23000 {
		t.Errorf("listen = %s:%d, want 127.0.0.1:23000", c.AppHost, c.AppPort)
	}
	if c.SecretKey != testKey {
		t.Errorf("SecretKey = %q, want %q", c.SecretKey, testKey)
	}
	if c.LogLevel != slog.LevelInfo || c.LogFormat != "text" || c.PersistentStorage != "./data" || c.HaRP() {
		t.Errorf("defaults = %v %q %q harp=%v", c.LogLevel, c.LogFormat, c.PersistentStorage, c.HaRP())
	}
}

func TestLoadErrorsNameTheVariable(t *testing.T) {
	tests := []struct {
		name string
		over map[string]string
		want string
	}{
		{"missing id", map[string]string{"APP_ID": ""}, "APP_ID"},
		{"missing secret", map[string]string{"APP_SECRET": ""}, "APP_SECRET"},
		{"colon secret", map[string]string{"APP_SECRET": "a:b"}, "APP_SECRET"},
		{"missing version", map[string]string{"APP_VERSION": ""}, "APP_VERSION"},
		{"missing port", map[string]string{"APP_PORT": ""}, "APP_PORT"},
		{"bad port", map[string]string{"APP_PORT": "99999"}, "APP_PORT"},
		{"word port", map[string]string{"APP_PORT": "http"}, "APP_PORT"},
		{"missing url", map[string]string{"NEXTCLOUD_URL": ""}, "NEXTCLOUD_URL"},
		{"relative url", map[string]string{"NEXTCLOUD_URL": "nc.example"}, "NEXTCLOUD_URL"},
		{"ftp url", map[string]string{"NEXTCLOUD_URL": "ftp://nc.example"}, "NEXTCLOUD_URL"},
		{"missing dsn", map[string]string{"EWS_DATABASE_URL": ""}, "EWS_DATABASE_URL"},
		{"bad dsn", map[string]string{"EWS_DATABASE_URL": "mysql"}, "EWS_DATABASE_URL"},
		{"missing key", map[string]string{"EWS_SECRET_KEY": ""}, "EWS_SECRET_KEY"},
		{"short key", map[string]string{"EWS_SECRET_KEY": "c2hvcnQ="}, "EWS_SECRET_KEY"},
		{"not base64", map[string]string{"EWS_SECRET_KEY": "!!!"}, "EWS_SECRET_KEY"},
		{"bad keyring", map[string]string{"EWS_SECRET_KEY": "x:" + testKey}, "EWS_SECRET_KEY"},
		{"bad level", map[string]string{"LOG_LEVEL": "loud"}, "LOG_LEVEL"},
		{"bad format", map[string]string{"LOG_FORMAT": "xml"}, "LOG_FORMAT"},
		{"bad dev", map[string]string{"EWS_DEV_MODE": "maybe"}, "EWS_DEV_MODE"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(env(tc.over))
			if err == nil {
				t.Fatalf("Load() = nil error, want one naming %s", tc.want)
			}
			var ce *Error
			if !errors.As(err, &ce) || ce.Var != tc.want {
				t.Fatalf("Load() = %v, want *Error for %s", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Load() = %q, want it to name %s", err, tc.want)
			}
		})
	}
}

func TestLoadReportsAllMissing(t *testing.T) {
	_, err := Load(func(string) string { return "" })
	for _, v := range []string{"APP_ID", "APP_SECRET", "APP_VERSION", "APP_PORT", "NEXTCLOUD_URL", "EWS_DATABASE_URL", "EWS_SECRET_KEY"} {
		if err == nil || !strings.Contains(err.Error(), v) {
			t.Errorf("Load(empty) = %v, want it to name %s", err, v)
		}
	}
}

func TestLoadKeyring(t *testing.T) {
	if _, err := Load(env(map[string]string{"EWS_SECRET_KEY": "2:" + testKey + ",1:" + testKey})); err != nil {
		t.Errorf("Load(keyring) = %v", err)
	}
}

func TestLoadHaRPNeedsNoPort(t *testing.T) {
	c, err := Load(env(map[string]string{"APP_PORT": "", "HP_SHARED_KEY": "k"}))
	if err != nil {
		t.Fatalf("Load(harp) = %v", err)
	}
	if !c.HaRP() {
		t.Errorf("HaRP() = false, want true")
	}
}

func TestLoadDevModeDebug(t *testing.T) {
	c, err := Load(env(map[string]string{"EWS_DEV_MODE": "1", "LOG_FORMAT": "JSON"}))
	if err != nil {
		t.Fatalf("Load(dev) = %v", err)
	}
	if !c.DevMode || c.LogLevel != slog.LevelDebug || c.LogFormat != "json" {
		t.Errorf("dev = %v %v %q, want true debug json", c.DevMode, c.LogLevel, c.LogFormat)
	}
}

func TestNormalizeNextcloudURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://nc", "http://nc"},
		{"http://nc/", "http://nc"},
		{"https://nc/index.php", "https://nc"},
		{"https://nc/index.php/", "https://nc"},
		{"https://nc/sub/index.php", "https://nc/sub"},
		{" https://nc:8080/sub/ ", "https://nc:8080/sub"},
	}
	for _, tc := range tests {
		got, err := NormalizeNextcloudURL(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("NormalizeNextcloudURL(%q) = %q, %v, want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestErrorsNeverContainSecrets(t *testing.T) {
	_, err := Load(env(map[string]string{"APP_SECRET": "top:secret", "EWS_SECRET_KEY": "dG9wc2VjcmV0"}))
	if err == nil {
		t.Fatal("Load() = nil, want error")
	}
	for _, s := range []string{"top:secret", "dG9wc2VjcmV0", "topsecret"} {
		if strings.Contains(err.Error(), s) {
			t.Errorf("Load() error %q leaks %q", err, s)
		}
	}
}

func TestLogValueHidesSecrets(t *testing.T) {
	c, err := Load(env(map[string]string{"HP_SHARED_KEY": "harpkey"}))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	slog.New(slog.NewTextHandler(&b, nil)).Info("cfg", "config", c)
	for _, s := range []string{"s3cr3t", "harpkey", testKey, "postgres://"} {
		if strings.Contains(b.String(), s) {
			t.Errorf("log %q leaks %q", b.String(), s)
		}
	}
}

func TestLoadStore(t *testing.T) {
	c, err := LoadStore(env(map[string]string{"APP_ID": ""}))
	if err != nil || c.DatabaseURL == "" {
		t.Fatalf("LoadStore() = %v, %v", c, err)
	}
	if _, err := LoadStore(env(map[string]string{"EWS_DATABASE_URL": ""})); err == nil || !strings.Contains(err.Error(), "EWS_DATABASE_URL") {
		t.Errorf("LoadStore(no dsn) = %v, want error naming EWS_DATABASE_URL", err)
	}
}
