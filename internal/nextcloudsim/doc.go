// Package nextcloudsim is an in-memory fake of a Nextcloud 32 server with
// AppAPI 32, made for tests and for the development mode of the ExApp.
//
// It implements the subset of Nextcloud that the EWS connector talks to, with
// the behaviour recorded from a real Nextcloud 32.0.1 in
// ../shared/nextcloud-transcripts:
//
//   - AppAPI authentication of ExApp requests (AUTHORIZATION-APP-API,
//     EX-APP-ID, EX-APP-VERSION), see
//     https://docs.nextcloud.com/server/latest/developer_manual/exapp_development/tech_details/Authentication.html
//   - the OCS envelope (v1 and v2, JSON and XML) of
//     https://www.freedesktop.org/wiki/Specifications/open-collaboration-services/
//     and the AppAPI OCS endpoints (status, state, UI registration, declarative
//     settings, app config, preferences, notifications, log, users);
//   - the webhook_listeners app (registration, queued delivery as cron does);
//   - CalDAV (RFC 4791) and CardDAV (RFC 6352) under /remote.php/dav, with
//     extended MKCOL (RFC 5689), conditional requests (RFC 7232) and
//     collection synchronization (RFC 6578);
//   - the lifecycle calls Nextcloud makes to an ExApp (heartbeat, init,
//     enabled) and the AppAPI proxy for browser requests.
//
// Everything is kept in memory behind one mutex; a [Server] is an
// [net/http.Handler] and can be used with httptest or served on a listener
// ([Server.Serve], [Server.ListenAndServe]).
//
// Driving the app as Nextcloud does: [Server.Heartbeat], [Server.Init],
// [Server.WaitForProgress], [Server.Register] (heartbeat, init, wait for
// 100 and the enable that follows), [Server.SetEnabled], [Server.Unregister],
// [Server.DeliverWebhooks] (the cron run of queued webhook jobs) and the
// proxy at /index.php/apps/app_api/proxy/<appid>/<path> ([Server.ServeProxyAs]).
//
// Inspecting and editing state: [Server.Status], [Server.TopMenus],
// [Server.Scripts], [Server.Styles], [Server.InitialStates],
// [Server.SettingsForms], [Server.AppConfigValue], [Server.SetAdminSetting],
// [Server.UserPreference], [Server.Notifications], [Server.Logs],
// [Server.Webhooks], [Server.Deliveries], [Server.Collections],
// [Server.Objects], [Server.PutObject], [Server.DeleteObject],
// [Server.RequestCounts] and [Server.SetFaults].
//
// Known differences from Nextcloud: no calendar sharing, subscriptions,
// birthday or system address book; no scheduling (iTIP) side effects, so a
// PUT always stores the body as sent and always answers its ETag; the
// calendar trash bin is never emptied by retention; PROPPATCH bumps the sync
// token without a change row.
package nextcloudsim
