package dect

import (
	"fmt"

	"lms/apperr"
)

// Error is why Parse refused an export: one of the guide's codes (Codes),
// the line it concerns (0: the file as a whole) and a message that names
// the line. WhatToDo is the guide's advice for the code.
type Error struct {
	Code apperr.Code
	Line int
	// Message is for the user, starting "line N: " when Line is set.
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// WhatToDo is what the guide's error table tells the user to do.
func (e *Error) WhatToDo() string { return WhatToDo(e.Code) }

// fail returns an *Error on line no (0: none) with a formatted message.
func fail(code apperr.Code, no int, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	if no > 0 {
		msg = fmt.Sprintf("line %d: %s", no, msg)
	}
	return &Error{Code: code, Line: no, Message: msg}
}

// Codes are the codes an *Error of Parse carries: the DECT codes of the
// guide's error table (SPEC DECT-4) and, for a file over MaxFileBytes,
// VALIDATION_FAILED as every upload has.
var Codes = []apperr.Code{
	apperr.NotApplicable,
	apperr.InvalidHardwareKeyCode,
	apperr.InvalidFeatureCodeString,
	apperr.InvalidFeatureCode,
	apperr.InvalidFeatureQuantity,
	apperr.InvalidFeatureTimestamp,
	apperr.ValidationFailed,
}

// contactAdministrator is the guide's advice for most codes.
const contactAdministrator = "Contact the LMS Administrator"

// whatToDo is the guide's error table: "Error messages and what should I
// do?" of its DECT chapter, word for word; VALIDATION_FAILED (the file's
// size) is not in it.
var whatToDo = map[apperr.Code]string{
	apperr.UnknownError:             contactAdministrator,
	apperr.NotApplicable:            contactAdministrator,
	apperr.InvalidHardwareKeyCode:   "Enter a valid Hardware Key Code, format 8 hex digits starting with 1 (e.g. 1009FFFE)",
	apperr.InvalidFeatureCodeString: "Check if minimal 1 x IPDECT 1 AP Cap Lic (EU917062) is included.",
	apperr.InvalidFeatureCode:       contactAdministrator,
	apperr.InvalidFeatureQuantity: "1. Check if minimal 1 x IPDECT 1 AP Cap Lic (EU917062) is included.\n" +
		"2. Check if number of DSWU (upgrade feature) licenses is equal to the number of DAP licenses.\n" +
		"3. Check if the number of Messaging and/or Location licenses is equal or higher than the number of DAP licenses.",
	apperr.InvalidFeatureTimestamp: contactAdministrator,
	apperr.CannotWriteLicenseFile:  contactAdministrator,
	apperr.ValidationFailed:        fmt.Sprintf("Upload the license file exactly as the DECT Manager exported it (at most %d bytes).", MaxFileBytes),
}

// WhatToDo returns the guide's advice for a DECT error code (its error
// table); for a code not in it, to contact the LMS Administrator.
func WhatToDo(code apperr.Code) string {
	if s, ok := whatToDo[code]; ok {
		return s
	}
	return contactAdministrator
}
