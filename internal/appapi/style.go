package appapi

import (
	"context"
	"net/http"
)

// Style is a CSS file loaded on an ExApp page; Path is relative to the app root, without ".css"
// (AppAPI OCSUiController::setExAppStyle).
type Style struct {
	Type string `json:"type"` // "top_menu"
	Name string `json:"name"`
	Path string `json:"path"`
}

// RegisterStyle adds a style with POST …/api/v1/ui/style.
func (c *Client) RegisterStyle(ctx context.Context, s Style) error {
	return c.OCS(ctx, http.MethodPost, pathAPIv1+"/ui/style", "", nil, s, nil)
}

// UnregisterStyle removes a style with DELETE …/api/v1/ui/style.
func (c *Client) UnregisterStyle(ctx context.Context, typ, name, path string) error {
	return c.OCS(ctx, http.MethodDelete, pathAPIv1+"/ui/style", "", nil, map[string]string{"type": typ, "name": name, "path": path}, nil)
}
