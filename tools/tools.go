//go:build tools

// Package tools pins the command-line programs the project builds for its
// tests and demo, apart from the product's own dependency graph.
package tools

import (
	_ "github.com/temporalio/cli/cmd/temporal"
)
