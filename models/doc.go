// Package models holds the GORM models of the mailroom's directory-sync data
// and the migrations that create them. It imports nothing of this module, so
// every other layer can depend on it.
//
// Identifiers of tenants, locations, integrations and runs are UUID strings;
// high-volume rows (recipients, SSO users, run pages) use integer keys.
package models
