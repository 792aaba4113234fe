package preferences

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/text/unicode/norm"

	"github.com/mailroom/oktasync/directory"
)

// Recipient fields an attribute mapping can fill. Any other key of a
// mapping names a custom attribute kept in the recipient's Attributes.
const (
	FieldFirstName      = "first_name"
	FieldLastName       = "last_name"
	FieldEmail          = "email"
	FieldPhone          = "phone"
	FieldEmployeeNumber = "employee_number"
	FieldDepartment     = "department"
	FieldTitle          = "title"
)

// DefaultMapping maps recipient fields to Okta profile attributes. A value
// may list fallbacks separated by "|": the first non-empty attribute wins,
// so the phone is the mobile phone, else the primary phone.
func DefaultMapping() map[string]string {
	return map[string]string{
		FieldFirstName:      "firstName",
		FieldLastName:       "lastName",
		FieldEmail:          "email",
		FieldPhone:          "mobilePhone|primaryPhone",
		FieldEmployeeNumber: "employeeNumber",
		FieldDepartment:     "department",
		FieldTitle:          "title",
	}
}

// maxCustomAttributes bounds what a mapping may add to each recipient row.
const maxCustomAttributes = 20

var (
	fieldRE     = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
	attributeRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,99}$`)
)

// checkMapping checks an override mapping: known or well-formed custom
// field names, and profile attribute names Okta allows.
func checkMapping(m map[string]string) []*directory.Error {
	var out []*directory.Error
	custom := 0
	for field, source := range m {
		if !fieldRE.MatchString(field) {
			out = append(out, problem("attribute_mapping",
				fmt.Sprintf("%q is not a valid field name", field),
				"use lower-case letters, digits and underscores, starting with a letter"))
			continue
		}
		if _, standard := DefaultMapping()[field]; !standard {
			custom++
		}
		for _, attr := range splitSource(source) {
			if !attributeRE.MatchString(attr) {
				out = append(out, problem("attribute_mapping",
					fmt.Sprintf("%q for %s is not an Okta profile attribute name", attr, field),
					"use the attribute's variable name from the Okta Profile Editor, "+
						`such as "mobilePhone" or "costCenter"; separate fallbacks with "|"`))
			}
		}
	}
	if custom > maxCustomAttributes {
		out = append(out, problem("attribute_mapping",
			fmt.Sprintf("%d custom attributes mapped", custom),
			fmt.Sprintf("map at most %d custom attributes", maxCustomAttributes)))
	}
	return out
}

// splitSource splits "mobilePhone|profile.primaryPhone" into attribute
// names, dropping an optional "profile." prefix.
func splitSource(source string) []string {
	var out []string
	for _, part := range strings.Split(source, "|") {
		part = strings.TrimPrefix(strings.TrimSpace(part), "profile.")
		out = append(out, part)
	}
	return out
}

// Mapped is a directory user's recipient fields after mapping.
type Mapped struct {
	Fields     map[string]string
	Attributes map[string]string
}

// Apply maps profile through the default mapping overridden by overrides.
// Values are trimmed and Unicode-normalised (NFC), so "José" typed with a
// combining accent and "José" precomposed are the same name.
func Apply(profile map[string]any, overrides map[string]string) Mapped {
	defaults := DefaultMapping()
	mapping := DefaultMapping()
	for k, v := range overrides {
		mapping[k] = v
	}
	out := Mapped{Fields: map[string]string{}, Attributes: map[string]string{}}
	for field, source := range mapping {
		value := firstValue(profile, splitSource(source))
		if _, standard := defaults[field]; standard {
			out.Fields[field] = value
		} else if value != "" {
			out.Attributes[field] = value
		}
	}
	return out
}

// firstValue returns the first non-empty attribute of names in profile.
func firstValue(profile map[string]any, names []string) string {
	for _, name := range names {
		if s := stringify(profile[name]); s != "" {
			return norm.NFC.String(s)
		}
	}
	return ""
}

// stringify renders a profile value: strings as they are, numbers and
// booleans in their JSON form, lists joined by ", ".
func stringify(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return strings.TrimSpace(x)
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			if s := stringify(e); s != "" {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, ", ")
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return strings.TrimSpace(fmt.Sprint(x))
	}
}
