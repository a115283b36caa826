// Package apperr is LMS's application error: a code from SPEC §11, a message
// written for the user, and the input field it concerns. Domain services
// return *Error for every expected failure; anything else is internal and is
// reported to clients without its text.
package apperr

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Code classifies an expected failure. The values are the codes of SPEC §11
// (the vendor guide's codes keep their meaning) plus UNAUTHENTICATED.
type Code string

// Error codes. Keep in sync with enum ErrorCode in graph/schema/errors.graphqls.
const (
	UnknownError             Code = "UNKNOWN_ERROR"
	NotApplicable            Code = "NOT_APPLICABLE"
	InvalidHardwareKeyCode   Code = "INVALID_HARDWARE_KEYCODE"
	InvalidFeatureCodeString Code = "INVALID_FEATURE_CODE_STRING"
	InvalidFeatureCode       Code = "INVALID_FEATURE_CODE"
	InvalidFeatureQuantity   Code = "INVALID_FEATURE_QUANTITY"
	InvalidFeatureTimestamp  Code = "INVALID_FEATURE_TIMESTAMP"
	CannotWriteLicenseFile   Code = "CANNOT_WRITE_LICENSE_FILE"
	NotFound                 Code = "NOT_FOUND"
	Forbidden                Code = "FORBIDDEN"
	Unauthenticated          Code = "UNAUTHENTICATED"
	DuplicateHardwareKeyCode Code = "DUPLICATE_HARDWARE_KEYCODE"
	InsufficientQuantity     Code = "INSUFFICIENT_QUANTITY"
	AgreementNotAccepted     Code = "AGREEMENT_NOT_ACCEPTED"
	WrongLocationForPart     Code = "WRONG_LOCATION_FOR_PART"
	PartNotAllowed           Code = "PART_NOT_ALLOWED"
	LimitExceeded            Code = "LIMIT_EXCEEDED"
	NoDemoLicensesLeft       Code = "NO_DEMO_LICENSES_LEFT"
	POCannotBeSplit          Code = "PO_CANNOT_BE_SPLIT"
	AlreadyActivated         Code = "ALREADY_ACTIVATED"
	UnitsNotAuthorised       Code = "UNITS_NOT_AUTHORISED"
	InsufficientSwaUnits     Code = "INSUFFICIENT_SWA_UNITS"
	QuoteFailed              Code = "QUOTE_FAILED"
	NoShippingAllowance      Code = "NO_SHIPPING_ALLOWANCE"
	ValidationFailed         Code = "VALIDATION_FAILED"
	AlreadyExists            Code = "ALREADY_EXISTS"
	IdempotencyKeyReused     Code = "IDEMPOTENCY_KEY_REUSED"
)

// Error is an expected failure: the request was understood and refused.
type Error struct {
	Code    Code
	Message string
	// Field is the path of the input field the error concerns, e.g.
	// ["input", "email"]; empty when the error concerns the whole request.
	Field []string
}

func (e *Error) Error() string {
	if len(e.Field) > 0 {
		return fmt.Sprintf("%s: %s (%v)", e.Code, e.Message, e.Field)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// New returns an *Error with the given code and message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns a VALIDATION_FAILED error about one input field.
func Invalid(field string, format string, args ...any) *Error {
	return &Error{Code: ValidationFailed, Message: fmt.Sprintf(format, args...), Field: []string{"input", field}}
}

// OnField returns a copy of e that concerns the given input field.
func (e *Error) OnField(field ...string) *Error {
	c := *e
	c.Field = append([]string{"input"}, field...)
	return &c
}

// NotFoundf returns a NOT_FOUND error. Callers use it for missing objects and
// for objects of another tenant alike (ACT-3), so the two cannot be told apart.
func NotFoundf(what string) *Error {
	return &Error{Code: NotFound, Message: what + " not found"}
}

// Unauthenticatedf returns an UNAUTHENTICATED error.
func Unauthenticatedf(format string, args ...any) *Error {
	return New(Unauthenticated, format, args...)
}

// Forbiddenf returns a FORBIDDEN error.
func Forbiddenf(format string, args ...any) *Error {
	return New(Forbidden, format, args...)
}

// As reports whether err is or wraps an *Error and returns it.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// CodeOf returns the code of err, or "" when err is not an application error.
func CodeOf(err error) Code {
	if e, ok := As(err); ok {
		return e.Code
	}
	return ""
}

// List collects several field errors found by one validation pass.
type List []*Error

// Add appends e when it is not nil.
func (l *List) Add(e *Error) {
	if e != nil {
		*l = append(*l, e)
	}
}

// Text trims *v in place and adds VALIDATION_FAILED on field when it is
// empty but required, or longer than max characters.
func (l *List) Text(field string, v *string, required bool, max int) {
	*v = strings.TrimSpace(*v)
	switch {
	case required && *v == "":
		l.Add(Invalid(field, "%s is required", field))
	case utf8.RuneCountInString(*v) > max:
		l.Add(Invalid(field, "at most %d characters", max))
	}
}

// Err returns the list as an error, or nil when it is empty.
func (l List) Err() error {
	if len(l) == 0 {
		return nil
	}
	return &ListError{Errors: l}
}

// ListError carries several expected failures at once (all invalid fields of
// an input), so a client can show every problem in one round trip.
type ListError struct{ Errors List }

func (l *ListError) Error() string {
	s := ""
	for i, e := range l.Errors {
		if i > 0 {
			s += "; "
		}
		s += e.Error()
	}
	return s
}

// All returns every application error carried by err: the list of a
// *ListError, the single *Error, or nil when err is not expected.
func All(err error) []*Error {
	var le *ListError
	if errors.As(err, &le) {
		return le.Errors
	}
	if e, ok := As(err); ok {
		return []*Error{e}
	}
	return nil
}
