package store

import (
	"fmt"
	"maps"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
	"gorm.io/gorm/schema"

	"github.com/mailroom/oktasync/models"
)

// Limits of values that live in JSON columns, which have no size of their
// own: a custom attribute's name and value.
const (
	maxAttributeKey   = 100
	maxAttributeValue = 2000
	maxAttributes     = 100
)

// columnSizes maps table and column to the size its model declares, so
// validation follows the models when a size changes.
var columnSizes = sync.OnceValue(func() map[string]int {
	sizes := map[string]int{}
	for _, m := range []any{
		&models.Recipient{}, &models.SSOUser{}, &models.LoginUser{},
		&models.Location{}, &models.Organization{}, &models.DirectoryIntegration{},
		&models.GroupMapping{}, &models.SSOConnection{}, &models.SyncRun{},
		&models.SyncRunPage{}, &models.SyncRunIssue{}, &models.CSVImport{},
		&models.CSVImportIssue{},
	} {
		sch, err := schema.Parse(m, &sync.Map{}, schema.NamingStrategy{})
		if err != nil {
			panic(fmt.Sprintf("store: parse model %T: %v", m, err))
		}
		for _, f := range sch.Fields {
			if f.Size > 0 && f.DBName != "" {
				sizes[sch.Table+"."+f.DBName] = f.Size
			}
		}
	}
	return sizes
})

// columnSize is the declared size of table.column, or 0 when unbounded.
func columnSize(table, column string) int {
	return columnSizes()[table+"."+column]
}

// NormalizeEmail trims an email and lower-cases it: the form recipients,
// SSO users and login users are matched by.
func NormalizeEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

// CleanText trims surrounding white space and composes text to Unicode NFC,
// so that a name typed on two systems compares equal.
func CleanText(s string) string {
	s = strings.TrimSpace(s)
	if norm.NFC.IsNormalString(s) {
		return s
	}
	return norm.NFC.String(s)
}

// checkText reports why value cannot be stored in a column of max
// characters (0: unbounded): invalid UTF-8, a control character, or length.
// PostgreSQL rejects the first and sizes varchar in characters; SQLite
// enforces neither, so the store checks both dialects alike.
func checkText(name, value string, max int) error {
	if !utf8.ValidString(value) {
		return fmt.Errorf("%s is not valid UTF-8: %w", name, ErrInvalid)
	}
	for _, r := range value {
		if unicode.IsControl(r) {
			return fmt.Errorf("%s contains a control character: %w", name, ErrInvalid)
		}
	}
	if max > 0 && utf8.RuneCountInString(value) > max {
		return fmt.Errorf("%s is longer than %d characters: %w", name, max, ErrInvalid)
	}
	return nil
}

// reasonOf is a validation error's message without the sentinel's suffix.
func reasonOf(err error) string {
	return strings.TrimSuffix(err.Error(), ": "+ErrInvalid.Error())
}

// checkColumns checks values against the sizes of table's columns, in
// column order, so a value with several problems always reports the same.
func checkColumns(table string, values map[string]string) error {
	for _, col := range slices.Sorted(maps.Keys(values)) {
		if err := checkText(col, values[col], columnSize(table, col)); err != nil {
			return err
		}
	}
	return nil
}

// validateRecipient checks every text field of r before it is written.
func validateRecipient(r *models.Recipient) error {
	cols := map[string]string{
		"email": r.Email, "email_norm": r.EmailNorm, "first_name": r.FirstName,
		"last_name": r.LastName, "phone": r.Phone, "employee_number": r.EmployeeNumber,
		"department": r.Department, "title": r.Title,
	}
	if r.OktaUserID != nil {
		cols["okta_user_id"] = *r.OktaUserID
	}
	if err := checkColumns("recipients", cols); err != nil {
		return err
	}
	return checkAttributes(r.Attributes)
}

// checkAttributes bounds custom attributes, which live in a JSON column.
func checkAttributes(attrs map[string]string) error {
	if len(attrs) > maxAttributes {
		return fmt.Errorf("there are more than %d custom attributes: %w", maxAttributes,
			ErrInvalid)
	}
	for _, k := range slices.Sorted(maps.Keys(attrs)) {
		v := attrs[k]
		if k == "" {
			return fmt.Errorf("a custom attribute has an empty name: %w", ErrInvalid)
		}
		if err := checkText("a custom attribute's name", k, maxAttributeKey); err != nil {
			return err
		}
		if err := checkText("custom attribute "+k, v, maxAttributeValue); err != nil {
			return err
		}
	}
	return nil
}

// EmailProblem says why email cannot key a recipient, or "" if it can. It
// accepts a bare address with a dotted domain; display names ("Ann
// <ann@example.com>") and lists are not addresses.
func EmailProblem(email string) string {
	if email == "" {
		return "email is missing"
	}
	at := strings.LastIndexByte(email, '@')
	if strings.ContainsAny(email, " \t<>,;") || at <= 0 {
		return "email is not a valid address"
	}
	domain := email[at+1:]
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") ||
		strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return "email is not a valid address"
	}
	if addr, err := mail.ParseAddress(email); err != nil || addr.Address != email {
		return "email is not a valid address"
	}
	return ""
}
