package models

import "time"

// KeyCheck is a canary sealed with the service's secret key by the first
// process that started. Every later process opens it with its own key: one
// started with another key fails to open it and refuses to run, instead of
// sealing integration keys that the other processes cannot open.
type KeyCheck struct {
	ID string `gorm:"primaryKey;size:64"`
	// Sealed is the canary's ciphertext; its plain text is never stored.
	Sealed    []byte `gorm:"not null"`
	CreatedAt time.Time
}
