package directory

import (
	"errors"
	"fmt"
	"time"
)

// Code is a stable identifier of a failure an admin or operator can act on.
// Codes appear in the API, the run history and the README's troubleshooting
// table; never rename one.
type Code string

// Codes for the admin's input, found before anything is stored.
const (
	CodeDomainRequired    Code = "domain_required"
	CodeDomainInvalid     Code = "domain_invalid"
	CodeDomainAdmin       Code = "domain_admin"
	CodeDomainNotOkta     Code = "domain_not_okta"
	CodeAppIDRequired     Code = "app_id_required"
	CodeAppIDInvalid      Code = "app_id_invalid"
	CodeClientIDRequired  Code = "client_id_required"
	CodeClientIDInvalid   Code = "client_id_invalid"
	CodeIDsIdentical      Code = "ids_identical"
	CodeKeyRequired       Code = "key_required"
	CodeKeyNotJSON        Code = "key_not_json"
	CodeKeyPEM            Code = "key_pem"
	CodeKeyPublicOnly     Code = "key_public_only"
	CodeKeyMissingKID     Code = "key_missing_kid"
	CodeKeySetSize        Code = "key_set_size"
	CodeKeyUnsupported    Code = "key_unsupported"
	CodeKeyInvalid        Code = "key_invalid"
	CodeSSONotEnabled     Code = "sso_not_enabled"
	CodePreferenceInvalid Code = "preference_invalid"
)

// Codes for what the directory tenant said during validation or a sync.
const (
	CodeUnreachable       Code = "okta_unreachable"
	CodeWrongDomain       Code = "okta_wrong_domain"
	CodeClientUnknown     Code = "client_unknown"
	CodeIDsSwapped        Code = "ids_swapped"
	CodeKeyUnknown        Code = "key_unknown"
	CodeKeyMismatch       Code = "key_mismatch"
	CodeAssertionRejected Code = "assertion_rejected"
	CodeDPoPRequired      Code = "dpop_required"
	CodeScopeNotGranted   Code = "scope_not_granted"
	CodeTokenMissingScope Code = "token_missing_scope"
	CodeNoAdminRole       Code = "no_admin_role"
	CodeAppNotFound       Code = "app_not_found"
	CodeAppIsAPIClient    Code = "app_is_api_client"
	CodeAppNotSAML        Code = "app_not_saml"
	CodeGroupNotFound     Code = "group_not_found"
	CodeRateLimited       Code = "okta_rate_limited"
	CodeTokenRejected     Code = "token_rejected"
	CodeServerError       Code = "okta_server_error"
	CodeRepeatedCursor    Code = "okta_repeated_cursor"
	CodeUnexpected        Code = "okta_unexpected"
)

// Error is a failure with a stable Code, a Message saying what is wrong and
// a Fix saying what to do, in the Okta admin console's own words.
type Error struct {
	Code Code
	// Field names the settings-form field at fault ("okta_domain",
	// "saml_app_id", "client_id", "private_jwk"), or is empty.
	Field   string
	Message string
	Fix     string
	// Retryable says whether trying again later may succeed (network
	// failures, rate limits, server errors); configuration errors are not.
	Retryable bool
	// RetryAfter, when set, is how long the tenant asked callers to wait.
	RetryAfter time.Duration
	// Err is the underlying error, if any. It never holds a secret.
	Err error
}

// Error returns the code and message.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// AsError returns the *Error in err's chain, or nil.
func AsError(err error) *Error {
	var de *Error
	if errors.As(err, &de) {
		return de
	}
	return nil
}

// InputError lists every problem found in the admin's settings, so a form
// can show them all at once.
type InputError struct {
	Problems []*Error
}

// Error joins the problems' messages.
func (e *InputError) Error() string {
	msg := "invalid settings"
	for _, p := range e.Problems {
		msg += "; " + p.Error()
	}
	return msg
}
