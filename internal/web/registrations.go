package web

import (
	"context"
	"errors"

	"github.com/ewsconnector/ews_connector/internal/appapi"
)

// Names of what the app registers in Nextcloud.
const (
	TopMenuName    = "main"
	PersonalFormID = "ews_connector_personal"
	AdminFormID    = "ews_connector_admin"
)

// TopMenuRegistration registers the top-menu entry m (AppAPI ui/top-menu).
func TopMenuRegistration(nc *appapi.Client, m appapi.TopMenu) Registration {
	return Registration{
		Name:     "top-menu " + m.Name,
		Register: func(ctx context.Context) error { return nc.RegisterTopMenu(ctx, m) },
		Unregister: func(ctx context.Context) error {
			return ignoreNotFound(nc.UnregisterTopMenu(ctx, m.Name))
		},
	}
}

// FormRegistration registers the declarative settings form f (AppAPI ui/settings).
func FormRegistration(nc *appapi.Client, f appapi.Form) Registration {
	return Registration{
		Name:       "settings form " + f.ID,
		Register:   func(ctx context.Context) error { return nc.RegisterForm(ctx, f) },
		Unregister: func(ctx context.Context) error { return ignoreNotFound(nc.UnregisterForm(ctx, f.ID)) },
	}
}

func ignoreNotFound(err error) error {
	if appapi.IsNotFound(err) {
		return nil
	}
	return err
}

// DefaultRegistrations is what the app puts into Nextcloud: the "EWS Connector" top-menu entry (its
// page lists and edits the user's EWS accounts) and the personal and admin declarative forms. Later
// features append to this list (webhooks).
func DefaultRegistrations(nc *appapi.Client) []Registration {
	return []Registration{
		TopMenuRegistration(nc, appapi.TopMenu{Name: TopMenuName, DisplayName: "EWS Connector", Icon: "img/app.svg"}),
		PageAssetsRegistration(nc),
		FormRegistration(nc, PersonalForm(nc.AppID(), nc.BaseURL())),
		FormRegistration(nc, AdminForm()),
	}
}

// PersonalForm is the user's form in "ExApps Settings". The accounts themselves (with their passwords)
// are managed on the app's own page, linked by doc_url: declarative sensitive fields are not readable
// back by the app.
func PersonalForm(appID, nextcloudURL string) appapi.Form {
	return appapi.Form{
		ID:          PersonalFormID,
		Priority:    50,
		SectionType: "personal",
		SectionID:   "declarative_settings",
		Title:       "EWS Connector",
		Description: "Synchronise your Exchange (EWS) calendars and contacts with Nextcloud. Connect, link folders and see the status on the EWS Connector page (the link below); your connection state is shown here.",
		DocURL:      nextcloudURL + "/index.php/apps/app_api/embedded/" + appID + "/" + TopMenuName,
		Fields: append([]appapi.FormField{
			ConnectionStateField(),
			{ID: "ews_sync_enabled", Title: "Synchronisation", Type: "checkbox", Label: "Synchronise my Exchange accounts", Default: true},
		}, SchedulerPersonalFields()...),
	}
}

// AdminForm is the administrator's form: defaults offered to users.
func AdminForm() appapi.Form {
	return appapi.Form{
		ID:          AdminFormID,
		Priority:    50,
		SectionType: "admin",
		SectionID:   "declarative_settings",
		Title:       "EWS Connector",
		Description: "Defaults for users who connect Exchange (EWS) accounts.",
		Fields: append([]appapi.FormField{
			{ID: "ews_default_endpoint", Title: "Default EWS URL", Type: "url", Default: "",
				Placeholder: "https://mail.example.com/EWS/Exchange.asmx"},
		}, SchedulerAdminFields()...),
	}
}

// WebhookRegistration registers w with webhook_listeners idempotently: an existing webhook with the
// same uri and event is kept, so re-enabling creates no duplicate. Unregister deletes every webhook
// with that uri and event. (Nextcloud also removes an ExApp's webhooks on unregister.)
func WebhookRegistration(nc *appapi.Client, w appapi.Webhook) Registration {
	find := func(ctx context.Context) ([]int64, error) {
		list, err := nc.Webhooks(ctx, w.URI)
		if err != nil {
			return nil, err
		}
		var ids []int64
		for _, h := range list {
			if h.URI == w.URI && h.Event == w.Event && (h.AppID == "" || h.AppID == nc.AppID()) {
				ids = append(ids, h.ID)
			}
		}
		return ids, nil
	}
	return Registration{
		Name: "webhook " + w.Event + " " + w.URI,
		Register: func(ctx context.Context) error {
			ids, err := find(ctx)
			if err != nil || len(ids) > 0 {
				return err
			}
			_, err = nc.RegisterWebhook(ctx, w)
			return err
		},
		Unregister: func(ctx context.Context) error {
			ids, err := find(ctx)
			if err != nil {
				return err
			}
			var errs []error
			for _, id := range ids {
				if err := ignoreNotFound(nc.DeleteWebhook(ctx, id)); err != nil {
					errs = append(errs, err)
				}
			}
			return errors.Join(errs...)
		},
	}
}
