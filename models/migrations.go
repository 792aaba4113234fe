package models

import (
	"fmt"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// Migrations lists the schema changes in the order they apply. Append new
// ones; never edit a migration that has shipped.
func Migrations() []*gormigrate.Migration {
	return []*gormigrate.Migration{
		{
			ID: "202612030001_initial",
			Migrate: func(tx *gorm.DB) error {
				return tx.AutoMigrate(
					&Organization{}, &Location{}, &LoginUser{}, &SSOConnection{},
					&DirectoryIntegration{}, &GroupMapping{}, &SSOUser{},
					&Recipient{}, &SyncRun{}, &SyncRunPage{}, &SyncRunSeen{},
					&SyncRunScope{}, &CSVImport{}, &CSVImportIssue{}, &CSVImportSeen{},
				)
			},
		},
	}
}

// Migrate brings the schema of db up to date.
func Migrate(db *gorm.DB) error {
	m := gormigrate.New(db, gormigrate.DefaultOptions, Migrations())
	if err := m.Migrate(); err != nil {
		return fmt.Errorf("models: migrate: %w", err)
	}
	return nil
}
