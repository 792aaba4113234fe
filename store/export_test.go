package store

import "gorm.io/gorm"

// DB exposes the connection to the tests' assertions.
func (s *Store) DB() *gorm.DB { return s.db }

// PgTextArray exposes the array encoder to the tests.
type PgTextArray = pgTextArray
