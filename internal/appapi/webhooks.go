package appapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
)

// pathWebhooks is the webhook_listeners OCS base (server apps/webhook_listeners WebhooksController).
const pathWebhooks = "/ocs/v2.php/apps/webhook_listeners/api/v1/webhooks"

// Webhook is a webhook_listeners registration (Nextcloud ≥ 30,
// https://docs.nextcloud.com/server/latest/admin_manual/webhook_listeners/index.html). A URI starting with
// "/" is delivered to this ExApp through AppAPI, signed, with the triggering user.
type Webhook struct {
	ID           int64             `json:"id,omitempty"`
	AppID        string            `json:"appId,omitempty"`
	UserID       *string           `json:"userId,omitempty"`
	HTTPMethod   string            `json:"httpMethod"`
	URI          string            `json:"uri"`
	Event        string            `json:"event"`
	EventFilter  json.RawMessage   `json:"eventFilter,omitempty"`
	UserIDFilter string            `json:"userIdFilter,omitempty"`
	Headers      map[string]string `json:"headers,omitempty"`
	AuthMethod   string            `json:"authMethod,omitempty"`
	AuthData     json.RawMessage   `json:"authData,omitempty"`
}

// UnmarshalJSON accepts PHP's empty array ([]) for the headers map.
func (w *Webhook) UnmarshalJSON(b []byte) error {
	type plain Webhook
	var aux struct {
		plain
		Headers json.RawMessage `json:"headers"`
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	*w = Webhook(aux.plain)
	w.Headers = nil
	if len(aux.Headers) > 0 && aux.Headers[0] == '{' {
		if err := json.Unmarshal(aux.Headers, &w.Headers); err != nil {
			return err
		}
	}
	return nil
}

// RegisterWebhook creates a webhook with POST …/webhooks as the system (the endpoint carries
// AppApiAdminAccessWithoutUser) and returns it with its id. An event class that is not
// webhook-compatible gives an error for which IsBadRequest is true.
func (c *Client) RegisterWebhook(ctx context.Context, w Webhook) (*Webhook, error) {
	var out Webhook
	if err := c.OCS(ctx, http.MethodPost, pathWebhooks, "", nil, w, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Webhooks lists the registered webhooks with GET …/webhooks, filtered by callback uri when non-empty.
func (c *Client) Webhooks(ctx context.Context, uri string) ([]Webhook, error) {
	var q url.Values
	if uri != "" {
		q = url.Values{"uri": {uri}}
	}
	var out []Webhook
	if err := c.OCS(ctx, http.MethodGet, pathWebhooks, "", q, nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteWebhook removes one webhook with DELETE …/webhooks/{id}.
func (c *Client) DeleteWebhook(ctx context.Context, id int64) error {
	return c.OCS(ctx, http.MethodDelete, pathWebhooks+"/"+strconv.FormatInt(id, 10), "", nil, nil, nil)
}

// DeleteAppWebhooks removes every webhook of this ExApp with DELETE …/webhooks/byappid/{appid} and
// returns how many were removed.
func (c *Client) DeleteAppWebhooks(ctx context.Context) (int, error) {
	var n int
	if err := c.OCS(ctx, http.MethodDelete, pathWebhooks+"/byappid/"+url.PathEscape(c.opts.AppID), "", nil, nil, &n); err != nil {
		return 0, err
	}
	return n, nil
}
