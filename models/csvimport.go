package models

import "time"

// CSV import modes.
const (
	// ImportMerge creates and updates recipients only.
	ImportMerge = "merge"
	// ImportOverwrite also deactivates CSV-created recipients of the
	// location that the file does not list; it never touches directory ones.
	ImportOverwrite = "overwrite"
)

// CSV import statuses.
const (
	ImportRunning   = "running"
	ImportSucceeded = "succeeded"
	ImportFailed    = "failed"
)

// CSVImport is one CSV file imported into one location.
type CSVImport struct {
	ID         string `gorm:"primaryKey;size:36"`
	OrgID      string `gorm:"size:36;not null;index"`
	LocationID string `gorm:"size:36;not null"`
	Mode       string `gorm:"size:16;not null"`
	// Status is ImportRunning, ImportSucceeded or ImportFailed.
	Status string       `gorm:"size:16;not null"`
	Counts ImportCounts `gorm:"serializer:json"`
	// Error says why a failed import changed nothing.
	Error      string `gorm:"size:2000"`
	StartedAt  time.Time
	FinishedAt *time.Time
}

// ImportCounts summarises a CSV import.
type ImportCounts struct {
	Rows        int            `json:"rows"`
	Created     int            `json:"created"`
	Updated     int            `json:"updated"`
	Unchanged   int            `json:"unchanged"`
	Reactivated int            `json:"reactivated"`
	Deactivated int            `json:"deactivated"`
	Duplicates  int            `json:"duplicates"`
	Errors      int            `json:"errors"`
	Skipped     map[string]int `json:"skipped,omitempty"`
}

// CSVImportIssue is one row of a CSV import that was rejected or left alone,
// with the row number as the file counts it (the header is row 1).
type CSVImportIssue struct {
	ID       int64  `gorm:"primaryKey"`
	ImportID string `gorm:"size:36;not null;index"`
	Row      int    `gorm:"not null"`
	Reason   string `gorm:"size:500;not null"`
}

// CSVImportSeen records the recipients an import's file listed, so an
// overwrite import can find the ones it did not.
type CSVImportSeen struct {
	ImportID    string `gorm:"primaryKey;size:36"`
	RecipientID int64  `gorm:"primaryKey"`
}
