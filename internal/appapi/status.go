package appapi

import (
	"context"
	"errors"
	"net/http"
)

// ErrProgressRange means a progress value outside 0..100.
var ErrProgressRange = errors.New("appapi: progress must be within 0..100")

// SetInitProgress reports init progress (0..100) with PUT /ocs/v1.php/apps/app_api/ex-app/status
// (AppAPI OCSApiController::setAppInitProgress). Progress 100 makes Nextcloud call PUT /enabled?enabled=1
// before this call returns, so the app must serve requests concurrently.
func (c *Client) SetInitProgress(ctx context.Context, progress int) error {
	if progress < 0 || progress > 100 {
		return ErrProgressRange
	}
	return c.OCS(ctx, http.MethodPut, pathAppAPI+"/ex-app/status", "", nil, map[string]any{"progress": progress}, nil)
}

// SetInitError reports a failed init: the message is stored by AppAPI and shown by `occ … --wait-finish`.
func (c *Client) SetInitError(ctx context.Context, progress int, message string) error {
	if progress < 0 || progress > 100 {
		return ErrProgressRange
	}
	return c.OCS(ctx, http.MethodPut, pathAppAPI+"/ex-app/status", "", nil, map[string]any{"progress": progress, "error": message}, nil)
}

// Enabled asks GET /ocs/v1.php/apps/app_api/ex-app/state whether the app is enabled (ocs.data 1 or 0).
// AppAPI does not call /enabled again after a container restart, so the app asks at start.
func (c *Client) Enabled(ctx context.Context) (bool, error) {
	var state int
	if err := c.OCS(ctx, http.MethodGet, pathAppAPI+"/ex-app/state", "", nil, nil, &state); err != nil {
		return false, err
	}
	return state == 1, nil
}
