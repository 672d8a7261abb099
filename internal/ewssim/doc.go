// Package ewssim is a simulated Microsoft Exchange 2019 (ServerVersionInfo 15.2.1748,
// Version V2017_07_11) speaking Exchange Web Services: SOAP 1.1 over HTTP, POST
// /EWS/Exchange.asmx (https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/ews-operations-in-exchange).
// Tests use it as an http.Handler or with Start on a listener; `ews-connector ews-sim`
// serves it for `make run` and any EWS client.
//
// It parses requests itself, strictly: every request is validated against a content
// model generated from Microsoft's types.xsd and messages.xsd (schemagen, schema_gen.go):
// unknown elements, wrong order, missing required elements, bad enumerations and facets
// (MaxChangesReturned outside 1..512) give a SOAP fault ErrorSchemaValidation in HTTP 500
// with LineNumber, LinePosition and Violation, as Exchange 2013+ answers. DTDs are refused
// and bodies are size-limited. Items are stored as generic XML trees so every property
// round-trips, and kept in schema order.
//
// Operations: GetFolder, FindFolder (Shallow/Deep, IndexedPageFolderView; restrictions
// are not evaluated), CreateFolder, DeleteFolder, SyncFolderItems, GetItem, CreateItem,
// UpdateItem (SetItemField, AppendToItemField, DeleteItemField; FieldURI, IndexedFieldURI,
// ExtendedFieldURI), DeleteItem, MoveItem, CreateAttachment, GetAttachment,
// DeleteAttachment, Subscribe (pull and streaming), GetEvents, GetStreamingEvents and
// Unsubscribe. Other operations the schema knows (FindItem, SyncFolderHierarchy) are
// answered with a fault ErrorInvalidRequest.
//
// Exchange behaviour reproduced: a new ChangeKey per write; stale ChangeKeys refused with
// ErrorIrresolvableConflict under NeverOverwrite, and under AutoResolve when a property
// being written changed since; item ids change on move; calendar writes need
// SendMeetingInvitations, SendMeetingInvitationsOrCancellations or SendMeetingCancellations;
// SyncFolderItems replays exactly the changes since an opaque SyncState, oldest first,
// Create/Update/Delete/ReadFlagChange; recurring masters (daily, weekly, absolute and
// relative monthly and yearly patterns; no-end, end-date and numbered ranges, expanded
// in the series' Windows time zone) with ModifiedOccurrences and DeletedOccurrences,
// addressable by OccurrenceItemId and RecurringMasterItemId; extended properties by
// property set (GUID or distinguished) and name or id, or by tag; Basic and NTLMv2
// authentication (NTLM binds the TCP connection); ExchangeImpersonation.
//
// Options.Version simulates Exchange 2007 SP1, 2010 SP2, 2013, 2016 or 2019: the reported
// ServerVersionInfo, ErrorInvalidServerVersion for a newer RequestServerVersion, and no
// streaming notifications on 2007.
//
// Faults returns switches for throttling (ErrorServerBusy with BackOffMilliseconds as a
// SOAP fault or in a response message), HTTP 503 with Retry-After, dropped connections and
// latency; Count and Counts report requests per operation.
//
// Not simulated: time zone definitions without a known Windows Id (series without one are
// expanded in UTC), elements a requested older schema version lacks, push subscriptions, MIME
// content, search restrictions, meeting messages.
package ewssim
