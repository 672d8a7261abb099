package appapi

import (
	"context"
	"net/http"
	"net/url"
	"slices"
)

// Users lists every Nextcloud user id with GET …/api/v1/users (AppAPI ExAppService::getNCUsersList).
func (c *Client) Users(ctx context.Context) ([]string, error) {
	var ids []string
	if err := c.OCS(ctx, http.MethodGet, pathAPIv1+"/users", "", nil, nil, &ids); err != nil {
		return nil, err
	}
	return ids, nil
}

// UserInfo is the subset of GET /ocs/v2.php/cloud/user the app uses
// (https://docs.nextcloud.com/server/latest/developer_manual/client_apis/OCS/ocs-api-overview.html#user-metadata).
type UserInfo struct {
	ID          string   `json:"id"`
	DisplayName string   `json:"displayname"`
	Email       *string  `json:"email"`
	Groups      []string `json:"groups"`
	Enabled     bool     `json:"enabled"`
}

// IsAdmin reports whether the user is in the "admin" group.
func (u *UserInfo) IsAdmin() bool { return slices.Contains(u.Groups, "admin") }

// User returns the user's metadata, asked as that user (GET /ocs/v2.php/cloud/user); an unknown user
// gives an error for which IsUnauthorized is true.
func (c *Client) User(ctx context.Context, user string) (*UserInfo, error) {
	if user == "" {
		return nil, ErrNoUser
	}
	var u UserInfo
	if err := c.OCS(ctx, http.MethodGet, "/ocs/v2.php/cloud/user", user, nil, nil, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// UserGroups returns the groups of user with GET /ocs/v2.php/cloud/users/{user}/groups, asked as that
// user (Nextcloud lets a user read their own groups).
func (c *Client) UserGroups(ctx context.Context, user string) ([]string, error) {
	if user == "" {
		return nil, ErrNoUser
	}
	var out struct {
		Groups []string `json:"groups"`
	}
	if err := c.OCS(ctx, http.MethodGet, "/ocs/v2.php/cloud/users/"+url.PathEscape(user)+"/groups", user, nil, nil, &out); err != nil {
		return nil, err
	}
	return out.Groups, nil
}
