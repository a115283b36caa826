package page

import (
	"strings"
	"unicode/utf8"

	"lms/apperr"
)

// MaxSearch is the longest search text of a list.
const MaxSearch = 100

// ValidateSearch trims a list's search text in place and checks its length:
// VALIDATION_FAILED on field search beyond MaxSearch characters.
func ValidateSearch(search *string) error {
	*search = strings.TrimSpace(*search)
	if utf8.RuneCountInString(*search) > MaxSearch {
		return apperr.Invalid("search", "at most %d characters", MaxSearch)
	}
	return nil
}
