package appapi

import (
	"context"
	"errors"
	"net/http"
)

// ErrNoUser means a per-user call was attempted without a user id.
var ErrNoUser = errors.New("appapi: this call needs a user id")

// ConfigValue is one key/value of the ExApp's app config or a user's preferences, as returned by the
// get-values endpoints (AppAPI AppConfigController, PreferencesController).
type ConfigValue struct {
	Key   string `json:"configkey"`
	Value string `json:"configvalue"`
}

type setValue struct {
	Key       string `json:"configKey"`
	Value     string `json:"configValue"`
	Sensitive int    `json:"sensitive"`
}

func sensitiveFlag(b bool) int {
	if b {
		return 1
	}
	return 0
}

// SetConfig stores an app-config value with POST …/api/v1/ex-app/config. Admin declarative settings are
// stored here too. Sensitive values are encrypted by Nextcloud and decrypted on read.
func (c *Client) SetConfig(ctx context.Context, key, value string, sensitive bool) error {
	return c.OCS(ctx, http.MethodPost, pathAPIv1+"/ex-app/config", "", nil, setValue{key, value, sensitiveFlag(sensitive)}, nil)
}

// Config reads app-config values with POST …/api/v1/ex-app/config/get-values. Keys never set (defaults
// are not stored) are absent from the result.
func (c *Client) Config(ctx context.Context, keys ...string) (map[string]string, error) {
	return c.getValues(ctx, "/ex-app/config/get-values", "", keys)
}

// DeleteConfig removes app-config values with DELETE …/api/v1/ex-app/config; 404 when none existed.
func (c *Client) DeleteConfig(ctx context.Context, keys ...string) error {
	return c.OCS(ctx, http.MethodDelete, pathAPIv1+"/ex-app/config", "", nil, map[string]any{"configKeys": keys}, nil)
}

// SetPreference stores a per-user value with POST …/api/v1/ex-app/preference as user. On Nextcloud ≤ 34
// pass sensitive=true on every write of a sensitive key.
func (c *Client) SetPreference(ctx context.Context, user, key, value string, sensitive bool) error {
	if user == "" {
		return ErrNoUser
	}
	return c.OCS(ctx, http.MethodPost, pathAPIv1+"/ex-app/preference", user, nil, setValue{key, value, sensitiveFlag(sensitive)}, nil)
}

// Preferences reads per-user values (personal declarative settings) with POST
// …/api/v1/ex-app/preference/get-values as user; an empty user is refused (AppAPI would fail).
func (c *Client) Preferences(ctx context.Context, user string, keys ...string) (map[string]string, error) {
	if user == "" {
		return nil, ErrNoUser
	}
	return c.getValues(ctx, "/ex-app/preference/get-values", user, keys)
}

// DeletePreferences removes per-user values with DELETE …/api/v1/ex-app/preference as user.
func (c *Client) DeletePreferences(ctx context.Context, user string, keys ...string) error {
	if user == "" {
		return ErrNoUser
	}
	return c.OCS(ctx, http.MethodDelete, pathAPIv1+"/ex-app/preference", user, nil, map[string]any{"configKeys": keys}, nil)
}

func (c *Client) getValues(ctx context.Context, path, user string, keys []string) (map[string]string, error) {
	var vals []ConfigValue
	if err := c.OCS(ctx, http.MethodPost, pathAPIv1+path, user, nil, map[string]any{"configKeys": keys}, &vals); err != nil {
		return nil, err
	}
	m := make(map[string]string, len(vals))
	for _, v := range vals {
		m[v.Key] = v.Value
	}
	return m, nil
}
