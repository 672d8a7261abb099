package appapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// Form is a declarative settings form scheme (Nextcloud ≥ 29,
// https://docs.nextcloud.com/server/latest/developer_manual/digging_deeper/settings.html#declarative-settings;
// server lib/private/Settings/DeclarativeManager.php::validateSchema). AppAPI stores it with
// storage_type "external"; admin values land in the ExApp config, personal values in user preferences.
type Form struct {
	ID          string      `json:"id"`
	Priority    int         `json:"priority"`
	SectionType string      `json:"section_type"` // "personal" | "admin"
	SectionID   string      `json:"section_id"`   // must exist, e.g. "declarative_settings"
	Title       string      `json:"title"`
	Description string      `json:"description,omitempty"`
	DocURL      string      `json:"doc_url,omitempty"`
	Fields      []FormField `json:"fields"`
}

// FormField is one field of a Form. Options are plain strings for select and multi-select, and
// {"name","value"} objects for radio and multi-checkbox.
type FormField struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	Type        string `json:"type"`
	Default     any    `json:"default"`
	Placeholder string `json:"placeholder,omitempty"`
	Label       string `json:"label,omitempty"`
	Options     any    `json:"options,omitempty"`
	Sensitive   bool   `json:"sensitive,omitempty"`
}

// FormOption is a {"name","value"} option of a radio or multi-checkbox field.
type FormOption struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// ErrInvalidForm means a form scheme Nextcloud would reject while rendering the settings page.
var ErrInvalidForm = errors.New("appapi: invalid settings form")

var fieldTypes = map[string]bool{"text": true, "password": true, "email": true, "tel": true, "url": true,
	"number": true, "checkbox": true, "multi-checkbox": true, "radio": true, "select": true, "multi-select": true}

// Validate checks the scheme as DeclarativeManager::validateSchema does, because an invalid scheme
// breaks the whole settings page instead of failing the registration.
func (f *Form) Validate() error {
	if f.ID == "" || f.SectionID == "" || f.Title == "" {
		return fmt.Errorf("%w: id, section_id and title are required", ErrInvalidForm)
	}
	if f.SectionType != "personal" && f.SectionType != "admin" {
		return fmt.Errorf("%w: %s: section_type %q", ErrInvalidForm, f.ID, f.SectionType)
	}
	seen := map[string]bool{}
	for _, fl := range f.Fields {
		if fl.ID == "" || fl.Title == "" || !fieldTypes[fl.Type] {
			return fmt.Errorf("%w: %s: field %q needs id, title and a known type (got %q)", ErrInvalidForm, f.ID, fl.ID, fl.Type)
		}
		if seen[fl.ID] {
			return fmt.Errorf("%w: %s: duplicate field id %q", ErrInvalidForm, f.ID, fl.ID)
		}
		seen[fl.ID] = true
		switch fl.Type {
		case "select", "multi-select", "radio", "multi-checkbox":
			if fl.Options == nil {
				return fmt.Errorf("%w: %s: field %q of type %s needs options", ErrInvalidForm, f.ID, fl.ID, fl.Type)
			}
		}
		if fl.Sensitive && fl.Type != "text" && fl.Type != "password" {
			return fmt.Errorf("%w: %s: field %q: sensitive only on text and password", ErrInvalidForm, f.ID, fl.ID)
		}
	}
	return nil
}

// RegisterForm validates and upserts a form with POST …/api/v1/ui/settings {"formScheme":…}.
func (c *Client) RegisterForm(ctx context.Context, f Form) error {
	if err := f.Validate(); err != nil {
		return err
	}
	return c.OCS(ctx, http.MethodPost, pathAPIv1+"/ui/settings", "", nil, map[string]any{"formScheme": f}, nil)
}

// UnregisterForm removes a form with DELETE …/api/v1/ui/settings {"formId":…}; Nextcloud answers 404
// when it does not exist (see IsNotFound).
func (c *Client) UnregisterForm(ctx context.Context, formID string) error {
	return c.OCS(ctx, http.MethodDelete, pathAPIv1+"/ui/settings", "", nil, map[string]string{"formId": formID}, nil)
}

// Form reads a registered form back with GET …/api/v1/ui/settings?formId=….
func (c *Client) Form(ctx context.Context, formID string) (*Form, error) {
	var f Form
	if err := c.OCS(ctx, http.MethodGet, pathAPIv1+"/ui/settings", "", url.Values{"formId": {formID}}, nil, &f); err != nil {
		return nil, err
	}
	return &f, nil
}
