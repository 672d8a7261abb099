package appapi

import (
	"context"
	"net/http"
)

// RichObject is a rich-object parameter of a notification subject or message
// (https://docs.nextcloud.com/server/latest/developer_manual/digging_deeper/rich-object-string.html).
type RichObject struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Notification is a notification to one user (AppAPI NotificationsController,
// https://docs.nextcloud.com/server/latest/developer_manual/exapp_development/tech_details/api/notifications.html).
type Notification struct {
	// ObjectID is a unique id of this notification's object.
	ObjectID          string
	RichSubject       string
	RichSubjectParams map[string]RichObject
	RichMessage       string
	RichMessageParams map[string]RichObject
	Link              string
}

// Notify sends n to user with POST …/api/v1/notification; the recipient is the impersonated user.
func (c *Client) Notify(ctx context.Context, user string, n Notification) error {
	if user == "" {
		return ErrNoUser
	}
	params := func(m map[string]RichObject) map[string]RichObject {
		if m == nil {
			return map[string]RichObject{}
		}
		return m
	}
	body := map[string]any{"params": map[string]any{
		"object":       "app_api",
		"object_id":    n.ObjectID,
		"subject_type": "app_api_ex_app",
		"subject_params": map[string]any{
			"rich_subject":        n.RichSubject,
			"rich_subject_params": params(n.RichSubjectParams),
			"rich_message":        n.RichMessage,
			"rich_message_params": params(n.RichMessageParams),
			"link":                n.Link,
		},
	}}
	return c.OCS(ctx, http.MethodPost, pathAPIv1+"/notification", user, nil, body, nil)
}
