package oktastandin

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// The filter language is the subset of Okta's list filters (and of the
// SCIM-like search expressions) that directory syncs use:
//
//	expr   = term { "or" term }
//	term   = factor { "and" factor }
//	factor = "(" expr ")" | attr op value | attr "pr"
//
// Values are double-quoted strings (with \" and \\ escapes) or bare
// numbers and booleans. Keywords are case-insensitive.

// errBadFilter makes a listing answer 400 E0000031.
var errBadFilter = errors.New("invalid search criteria")

// fieldKind says how a filterable attribute compares.
type fieldKind int

const (
	kindString fieldKind = iota
	kindTime
)

// filterSchema lists the attributes a listing filters on. profilePrefix
// admits every "profile.*" attribute as a string.
type filterSchema struct {
	fields        map[string]fieldKind
	profilePrefix bool
	// search admits the operators Okta allows only in search expressions:
	// sw (starts with), pr (present) and ne.
	search bool
}

// attrSource looks up an attribute's value on a record: a string, a
// time.Time, another JSON value, or ok=false when absent.
type attrSource interface {
	attr(name string) (value any, ok bool)
}

type expr interface {
	eval(attrSource) bool
}

type andExpr struct{ left, right expr }

func (e andExpr) eval(r attrSource) bool { return e.left.eval(r) && e.right.eval(r) }

type orExpr struct{ left, right expr }

func (e orExpr) eval(r attrSource) bool { return e.left.eval(r) || e.right.eval(r) }

// cmpExpr compares one attribute with a literal.
type cmpExpr struct {
	attr string
	op   string
	kind fieldKind
	text string
	when time.Time
}

func (e cmpExpr) eval(r attrSource) bool {
	v, ok := r.attr(e.attr)
	if e.op == "pr" {
		return ok && v != nil
	}
	if !ok || v == nil {
		return e.op == "ne"
	}
	if e.kind == kindTime {
		return compareTime(v, e.op, e.when)
	}
	return compareText(fmt.Sprint(v), e.op, e.text)
}

func compareTime(v any, op string, want time.Time) bool {
	t, ok := v.(time.Time)
	if !ok || t.IsZero() {
		return false
	}
	c := t.Compare(want)
	switch op {
	case "eq":
		return c == 0
	case "ne":
		return c != 0
	case "gt":
		return c > 0
	case "ge":
		return c >= 0
	case "lt":
		return c < 0
	case "le":
		return c <= 0
	}
	return false
}

func compareText(got, op, want string) bool {
	switch op {
	case "eq":
		return got == want
	case "ne":
		return got != want
	case "sw":
		// Okta's search matches prefixes without regard to case.
		return strings.HasPrefix(strings.ToLower(got), strings.ToLower(want))
	}
	return false
}

// parseFilter compiles a filter or search expression against schema.
func parseFilter(src string, schema filterSchema) (expr, error) {
	toks, err := lexFilter(src)
	if err != nil {
		return nil, err
	}
	p := &filterParser{toks: toks, schema: schema}
	e, err := p.expr()
	if err != nil {
		return nil, err
	}
	if p.pos != len(p.toks) {
		return nil, fmt.Errorf("%w: unexpected %q", errBadFilter, p.toks[p.pos].text)
	}
	return e, nil
}

type token struct {
	text   string
	quoted bool
}

// lexFilter splits src into words, quoted strings and parentheses.
func lexFilter(src string) ([]token, error) {
	var toks []token
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')':
			toks = append(toks, token{text: string(c)})
			i++
		case c == '"':
			s, n, err := lexString(src[i:])
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{text: s, quoted: true})
			i += n
		default:
			j := i
			for j < len(src) && !strings.ContainsRune(" \t\n\r()\"", rune(src[j])) {
				j++
			}
			toks = append(toks, token{text: src[i:j]})
			i = j
		}
	}
	return toks, nil
}

// lexString reads a double-quoted string at the start of src and returns
// its value and length.
func lexString(src string) (string, int, error) {
	var b strings.Builder
	for i := 1; i < len(src); i++ {
		switch src[i] {
		case '\\':
			if i+1 == len(src) {
				return "", 0, fmt.Errorf("%w: dangling escape", errBadFilter)
			}
			i++
			b.WriteByte(src[i])
		case '"':
			return b.String(), i + 1, nil
		default:
			b.WriteByte(src[i])
		}
	}
	return "", 0, fmt.Errorf("%w: unterminated string", errBadFilter)
}

type filterParser struct {
	toks   []token
	pos    int
	schema filterSchema
}

func (p *filterParser) keyword(word string) bool {
	if p.pos < len(p.toks) && !p.toks[p.pos].quoted &&
		strings.EqualFold(p.toks[p.pos].text, word) {
		p.pos++
		return true
	}
	return false
}

func (p *filterParser) next() (token, error) {
	if p.pos == len(p.toks) {
		return token{}, fmt.Errorf("%w: unexpected end", errBadFilter)
	}
	p.pos++
	return p.toks[p.pos-1], nil
}

func (p *filterParser) expr() (expr, error) {
	left, err := p.term()
	for err == nil && p.keyword("or") {
		var right expr
		right, err = p.term()
		left = orExpr{left, right}
	}
	return left, err
}

func (p *filterParser) term() (expr, error) {
	left, err := p.factor()
	for err == nil && p.keyword("and") {
		var right expr
		right, err = p.factor()
		left = andExpr{left, right}
	}
	return left, err
}

func (p *filterParser) factor() (expr, error) {
	if p.keyword("(") {
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		if !p.keyword(")") {
			return nil, fmt.Errorf("%w: missing )", errBadFilter)
		}
		return e, nil
	}
	return p.comparison()
}

// comparison parses `attr op value` and checks it against the schema.
func (p *filterParser) comparison() (expr, error) {
	attr, err := p.next()
	if err != nil {
		return nil, err
	}
	kind, ok := p.schema.kindOf(attr.text)
	if attr.quoted || !ok {
		return nil, fmt.Errorf("%w: attribute %q", errBadFilter, attr.text)
	}
	opTok, err := p.next()
	if err != nil {
		return nil, err
	}
	op := strings.ToLower(opTok.text)
	if !p.schema.allows(op, kind) || opTok.quoted {
		return nil, fmt.Errorf("%w: operator %q", errBadFilter, opTok.text)
	}
	e := cmpExpr{attr: attr.text, op: op, kind: kind}
	if op == "pr" {
		return e, nil
	}
	return p.literal(e)
}

func (p *filterParser) literal(e cmpExpr) (expr, error) {
	val, err := p.next()
	if err != nil {
		return nil, err
	}
	if val.text == "(" || val.text == ")" {
		return nil, fmt.Errorf("%w: value %q", errBadFilter, val.text)
	}
	e.text = val.text
	if e.kind == kindTime {
		e.when, err = time.Parse(time.RFC3339Nano, val.text)
		if err != nil || !val.quoted {
			return nil, fmt.Errorf("%w: timestamp %q", errBadFilter, val.text)
		}
		return e, nil
	}
	if !val.quoted && !isBareLiteral(val.text) {
		return nil, fmt.Errorf("%w: value %q", errBadFilter, val.text)
	}
	return e, nil
}

// isBareLiteral accepts unquoted numbers and booleans, as in
// `profile.floor eq 3`.
func isBareLiteral(s string) bool {
	if s == "true" || s == "false" {
		return true
	}
	for i, c := range s {
		if (c < '0' || c > '9') && c != '.' && !(i == 0 && c == '-') {
			return false
		}
	}
	return s != ""
}

func (s filterSchema) kindOf(attr string) (fieldKind, bool) {
	if k, ok := s.fields[attr]; ok {
		return k, true
	}
	if s.profilePrefix && strings.HasPrefix(attr, "profile.") && len(attr) > len("profile.") {
		return kindString, true
	}
	return 0, false
}

// allows reports whether op may be used on an attribute of kind. Okta's
// filter parameter takes eq on strings and the ordering operators on
// timestamps; search expressions add ne, sw and pr.
func (s filterSchema) allows(op string, kind fieldKind) bool {
	switch op {
	case "eq":
		return true
	case "gt", "ge", "lt", "le":
		return kind == kindTime
	case "ne", "pr":
		return s.search
	case "sw":
		return s.search && kind == kindString
	}
	return false
}

// Filter schemas of the listings. Okta's user filter takes only these
// attributes; search takes every attribute, custom profile ones included.
var (
	userFilterSchema = filterSchema{
		fields: map[string]fieldKind{
			"id": kindString, "status": kindString, "type.id": kindString,
			"lastUpdated": kindTime, "profile.login": kindString,
			"profile.email": kindString, "profile.firstName": kindString,
			"profile.lastName": kindString,
		},
	}
	userSearchSchema = filterSchema{
		fields: map[string]fieldKind{
			"id": kindString, "status": kindString, "type.id": kindString,
			"created": kindTime, "lastUpdated": kindTime, "activated": kindTime,
			"statusChanged": kindTime, "lastLogin": kindTime, "passwordChanged": kindTime,
		},
		profilePrefix: true,
		search:        true,
	}
	groupFilterSchema = filterSchema{
		fields: map[string]fieldKind{
			"id": kindString, "type": kindString, "lastUpdated": kindTime,
			"lastMembershipUpdated": kindTime,
		},
	}
	groupSearchSchema = filterSchema{
		fields: map[string]fieldKind{
			"id": kindString, "type": kindString, "profile.name": kindString,
			"profile.description": kindString, "created": kindTime,
			"lastUpdated": kindTime, "lastMembershipUpdated": kindTime,
		},
		search: true,
	}
)
