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
		{
			ID: "202612040001_run_applied_deactivations",
			Migrate: func(tx *gorm.DB) error {
				return addColumns(tx, &SyncRun{}, "AppliedDeactivations")
			},
		},
		{
			ID: "202612040002_csv_import_error",
			Migrate: func(tx *gorm.DB) error {
				return addColumns(tx, &CSVImport{}, "Error")
			},
		},
		{
			ID: "202612040003_sync_run_seens_user",
			Migrate: func(tx *gorm.DB) error {
				return addIndex(tx, &SyncRunSeen{}, "idx_sync_run_seens_user")
			},
		},
		{
			ID: "202612050001_key_checks",
			Migrate: func(tx *gorm.DB) error {
				return tx.AutoMigrate(&KeyCheck{})
			},
		},
		{
			ID: "202612050002_sync_run_issues",
			Migrate: func(tx *gorm.DB) error {
				return tx.AutoMigrate(&SyncRunIssue{})
			},
		},
	}
}

// addIndex creates the named index of model unless it exists already.
func addIndex(tx *gorm.DB, model any, name string) error {
	if m := tx.Migrator(); !m.HasIndex(model, name) {
		if err := m.CreateIndex(model, name); err != nil {
			return fmt.Errorf("create index %s: %w", name, err)
		}
	}
	return nil
}

// addColumns adds the named fields of model as columns unless a database
// created by an earlier migration (which migrates the current structs)
// already has them.
func addColumns(tx *gorm.DB, model any, fields ...string) error {
	m := tx.Migrator()
	for _, f := range fields {
		if m.HasColumn(model, f) {
			continue
		}
		if err := m.AddColumn(model, f); err != nil {
			return fmt.Errorf("add column %s: %w", f, err)
		}
	}
	return nil
}

// Migrate brings the schema of db up to date.
func Migrate(db *gorm.DB) error {
	m := gormigrate.New(db, gormigrate.DefaultOptions, Migrations())
	if err := m.Migrate(); err != nil {
		return fmt.Errorf("models: migrate: %w", err)
	}
	return nil
}
