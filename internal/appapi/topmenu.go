package appapi

import (
	"context"
	"net/http"
)

// TopMenu is a top-menu entry (AppAPI OCSUiController::registerExAppMenuEntry,
// https://docs.nextcloud.com/server/latest/developer_manual/exapp_development/tech_details/api/topmenu.html).
// Its page is /index.php/apps/app_api/embedded/{appId}/{Name}.
type TopMenu struct {
	Name          string `json:"name"`
	DisplayName   string `json:"displayName"`
	Icon          string `json:"icon"`
	AdminRequired int    `json:"adminRequired"`
}

// RegisterTopMenu registers (or updates) a top-menu entry with POST …/api/v1/ui/top-menu.
func (c *Client) RegisterTopMenu(ctx context.Context, m TopMenu) error {
	return c.OCS(ctx, http.MethodPost, pathAPIv1+"/ui/top-menu", "", nil, m, nil)
}

// UnregisterTopMenu removes a top-menu entry with DELETE …/api/v1/ui/top-menu.
func (c *Client) UnregisterTopMenu(ctx context.Context, name string) error {
	return c.OCS(ctx, http.MethodDelete, pathAPIv1+"/ui/top-menu", "", nil, map[string]string{"name": name}, nil)
}
