// Package contact maps Nextcloud's vCards (RFC 2426 vCard 3.0, RFC 6350
// vCard 4.0, read through github.com/emersion/go-vcard) to and from EWS
// Contact items (ContactItemType,
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/contact)
// and merges a change of one side into what the other side holds.
//
// The package is pure: no I/O, no clock, no randomness. Every function takes
// plain values and returns plain values, so the harmonization engine decides
// when to read and write.
//
// The shape of the mapping:
//
//   - Parse and Encode read and write vCard text. Parse keeps each value as
//     its escaped wire text, so properties the mapping never touches are
//     written back byte for byte; Encode is deterministic.
//   - Canonical is the normalized form of the mapped fields, built from either
//     side (CanonicalVCard, CanonicalEWS). Its Hash tells a real change from
//     churn, its Bytes are what the engine stores as the merge base.
//   - FromVCard builds the EWS contact to create; Updates builds the minimal
//     SetItemField/DeleteItemField list between two EWS states.
//   - MergeIntoVCard applies a remote state to the local card as a three-way
//     merge against the base, touching only mapped slots.
//
// docs/mapping-contacts.md holds the full table, the limits and the overflow
// rules.
package contact
