package appapi

import (
	"context"
	"net/http"
)

// InitialState is a value handed to an ExApp page; the browser reads it with
// JSON.parse(loadState('app_api', Key)) (AppAPI OCSUiController::setExAppInitialState). It is global per
// page, not per user.
type InitialState struct {
	Type  string `json:"type"` // "top_menu"
	Name  string `json:"name"`
	Key   string `json:"key"`
	Value any    `json:"value"`
}

// RegisterInitialState sets an initial state with POST …/api/v1/ui/initial-state.
func (c *Client) RegisterInitialState(ctx context.Context, s InitialState) error {
	return c.OCS(ctx, http.MethodPost, pathAPIv1+"/ui/initial-state", "", nil, s, nil)
}

// UnregisterInitialState removes an initial state with DELETE …/api/v1/ui/initial-state.
func (c *Client) UnregisterInitialState(ctx context.Context, typ, name, key string) error {
	return c.OCS(ctx, http.MethodDelete, pathAPIv1+"/ui/initial-state", "", nil, map[string]string{"type": typ, "name": name, "key": key}, nil)
}
