// Package dav is a CalDAV and CardDAV client for Nextcloud and other servers.
//
// It implements the client side of WebDAV (RFC 4918), CalDAV (RFC 4791),
// CardDAV (RFC 6352), extended MKCOL (RFC 5689), collection synchronization
// (RFC 6578) and conditional requests (RFC 7232) that a two-way sync needs:
//
//   - discovery: DAV:current-user-principal (RFC 5397), the calendar and
//     address book home sets, and the collections in them;
//   - MKCALENDAR, extended MKCOL and DELETE of collections;
//   - sync-collection REPORTs with result truncation (RFC 6578 section 3.6)
//     and an invalid-token error ([IsInvalidSyncToken]);
//   - calendar-multiget and addressbook-multiget in batches;
//   - GET, and conditional PUT (If-None-Match: * to create, If-Match to
//     update) and DELETE, with a bounded-concurrency [Client.PutMany].
//
// The design follows github.com/emersion/go-webdav (NewClient over a minimal
// HTTPClient, HTTPError with IsNotFound, verb-plus-noun method names), but the
// wire layer is written here: go-webdav's client has no If-Match or
// If-None-Match on PUT (its issue #130), fails a whole multiget when one href
// is missing, decodes every object into go-ical or go-vcard values, and reads
// response bodies without a size limit. This package keeps object bodies as
// bytes, limits every response body (Options.MaxResponseBytes), and refuses
// XML that carries a document type declaration.
//
// Hrefs in this package are absolute, unescaped URL paths, such as
// "/remote.php/dav/calendars/alice/personal/x.ics": what the server reports in
// DAV:href, percent-decoded. ETags are kept as the server sends them, with
// their quotes, ready for If-Match.
//
// Against Nextcloud the HTTPClient adds the AppAPI headers for one user
// (internal/appapi); the endpoint is NEXTCLOUD_URL + "/remote.php/dav".
package dav
