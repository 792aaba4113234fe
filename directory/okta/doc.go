// Package okta implements directory.Provider for Okta Workforce orgs.
//
// ParseSettings checks the admin's settings form before anything is stored.
// A Provider mints OAuth 2.0 client-credentials tokens with private_key_jwt
// (signed here with jwx, never by the SDK's own private-key mode), caches
// them per app, key and scopes, and lists users, groups, group members and
// app assignments one page at a time with okta-sdk-golang v2. Every failure
// becomes a *directory.Error whose Code is stable and whose Fix tells the
// admin what to change, in the Okta admin console's own words.
//
// Rate limits are not waited out here: a 429 returns a retryable error with
// RetryAfter, and the caller (a Temporal activity) retries durably.
package okta
