package appapi

import (
	"context"
	"net/http"
)

// Script is a JavaScript file loaded on an ExApp page; Path is relative to the app root, without ".js"
// (AppAPI OCSUiController::setExAppScript).
type Script struct {
	Type       string `json:"type"` // "top_menu"
	Name       string `json:"name"`
	Path       string `json:"path"`
	AfterAppID string `json:"afterAppId"`
}

// RegisterScript adds a script with POST …/api/v1/ui/script.
func (c *Client) RegisterScript(ctx context.Context, s Script) error {
	return c.OCS(ctx, http.MethodPost, pathAPIv1+"/ui/script", "", nil, s, nil)
}

// UnregisterScript removes a script with DELETE …/api/v1/ui/script.
func (c *Client) UnregisterScript(ctx context.Context, typ, name, path string) error {
	return c.OCS(ctx, http.MethodDelete, pathAPIv1+"/ui/script", "", nil, map[string]string{"type": typ, "name": name, "path": path}, nil)
}
