package app

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Error codes. Codes cross the network and are stored with op results, so the
// list is append-only: never rename or reuse a code.
const (
	EINTERNAL = "INTERNAL"  // a fault of the program, not of the input
	EINVALID  = "INVALID"   // malformed or absurd input
	ENOTFOUND = "NOT_FOUND" // the referenced record does not exist
	ECONFLICT = "CONFLICT"  // the record exists already or changed state

	AGE_OUT_OF_RANGE        = "AGE_OUT_OF_RANGE"
	NOT_RESIDENT            = "NOT_RESIDENT"
	PROVIDER_EXCLUDED       = "PROVIDER_EXCLUDED"
	PROVIDER_NOT_ACTIVE     = "PROVIDER_NOT_ACTIVE"
	CERTIFICATE_PERSONAL    = "CERTIFICATE_PERSONAL"
	CERTIFICATE_EXISTS      = "CERTIFICATE_EXISTS"
	CERTIFICATE_IN_USE      = "CERTIFICATE_IN_USE"
	CERTIFICATE_FROZEN      = "CERTIFICATE_FROZEN"
	CERTIFICATE_NOT_FUNDED  = "CERTIFICATE_NOT_FUNDED"
	MODE_ACCOUNTING_ONLY    = "MODE_ACCOUNTING_ONLY"
	NO_PARAMETERS           = "NO_PARAMETERS"
	PROGRAMME_NOT_CERTIFIED = "PROGRAMME_NOT_CERTIFIED"
	PROGRAMME_NOT_LISTED    = "PROGRAMME_NOT_LISTED"
	PROGRAMME_STATUS        = "PROGRAMME_STATUS"
	PRICE_ABOVE_CAP         = "PRICE_ABOVE_CAP"
	PRICE_FROZEN            = "PRICE_FROZEN"
	ENROLMENT_CLOSED        = "ENROLMENT_CLOSED"
	GROUP_FULL              = "GROUP_FULL"
	AGE_NOT_IN_GROUP        = "AGE_NOT_IN_GROUP"
	DUPLICATE_MODULE        = "DUPLICATE_MODULE"
	BALANCE_INSUFFICIENT    = "BALANCE_INSUFFICIENT"
	BALANCE_CHANGED         = "BALANCE_CHANGED"
	DIRECTION_LIMIT         = "DIRECTION_LIMIT"
	MUNICIPAL_PLACES_FULL   = "MUNICIPAL_PLACES_FULL"
	CONTRACT_CLOSED         = "CONTRACT_CLOSED"
	DATE_OUT_OF_PERIOD      = "DATE_OUT_OF_PERIOD"
	MONTH_CLOSED            = "MONTH_CLOSED"
	INVOICE_STATUS          = "INVOICE_STATUS"
	INVOICE_ABOVE_LIMIT     = "INVOICE_ABOVE_LIMIT"
	CONSENT_REQUIRED        = "CONSENT_REQUIRED"
	REQUEST_EXISTS          = "REQUEST_EXISTS"
	PARENT_NOT_CONFIRMED    = "PARENT_NOT_CONFIRMED"
	NOT_ENROLLED            = "NOT_ENROLLED"
	SCOPE_FORBIDDEN         = "SCOPE_FORBIDDEN"
	AUTHORITY_ONLY          = "AUTHORITY_ONLY"
	CERTIFICATE_UNCONFIRMED = "CERTIFICATE_UNCONFIRMED"
	THROTTLED               = "THROTTLED"
	BUDGET_LIMIT            = "BUDGET_LIMIT"
	INVITE_EXPIRED          = "INVITE_EXPIRED"
	CHILD_ERASED            = "CHILD_ERASED"     // the child's personal data was erased (erase_child)
	LESSON_IN_FUTURE        = "LESSON_IN_FUTURE" // a mark for a lesson after the executing database's today

	// Codes of the sync protocol (sync/errors.go maps them to HTTP status).
	UNAUTHORIZED       = "UNAUTHORIZED"
	TOO_LARGE          = "TOO_LARGE"
	SCHEMA_UNSUPPORTED = "SCHEMA_UNSUPPORTED"
	EPOCH_CHANGED      = "EPOCH_CHANGED"
	NEED_FROM          = "NEED_FROM"
	// A node no longer holds own ops the server needs: it trimmed them
	// (store.OutboxKeepDays) before the server lost them.
	OUTBOX_TRIMMED = "OUTBOX_TRIMMED"

	// An invite another node has spent already: the server's join answers
	// it (sync/join.go), so that a person who typed a used code is told so.
	INVITE_USED = "INVITE_USED"
)

// Error is the one error type of the domain: a stable code and a message in
// Russian that a user can act on.
type Error struct {
	Code    string
	Message string
	// Detail carries the machine-readable figures behind a decision, such as
	// "available=1234.00 cert=725275" for BALANCE_CHANGED.
	Detail string
	// Keep are records the authority stores although the op is refused: the
	// refusal itself is a fact the server must remember (a wrong certificate
	// code counts towards THROTTLED; a SCOPE_FORBIDDEN raises an alert). The
	// op's own writes are undone first; nodes ignore Keep.
	Keep []Record
}

func (e *Error) Error() string {
	if e.Detail != "" {
		return e.Code + " " + e.Detail + ": " + e.Message
	}
	return e.Code + ": " + e.Message
}

// MaxQuote is the most characters of a value an error message quotes: a
// message travels to the node, the journal and the logs, and what a node sent
// must not come back unbounded (THREATS.md).
const MaxQuote = 100

// Errorf returns an *Error with the code and a formatted Russian message.
// Every string argument is cut to MaxQuote characters.
func Errorf(code, format string, args ...any) *Error {
	for i, a := range args {
		if s, ok := a.(string); ok {
			args[i] = Clip(s, MaxQuote)
		}
	}
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Clip cuts s to at most n characters (runes), marking a cut with «…»; an
// invalid UTF-8 byte counts as one character and is replaced.
func Clip(s string, n int) string {
	if len(s) <= n && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	i := 0
	for _, r := range s {
		if i == n {
			b.WriteString("…")
			return b.String()
		}
		b.WriteRune(r)
		i++
	}
	return b.String()
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the Russian message of err for a user.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Внутренняя ошибка программы: " + err.Error()
}
