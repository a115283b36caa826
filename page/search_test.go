package page_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"lms/apperr"
	"lms/page"
)

func TestValidateSearch(t *testing.T) {
	t.Parallel()
	s := "  Harbour  "
	require.NoError(t, page.ValidateSearch(&s))
	require.Equal(t, "Harbour", s, "trimmed in place")
	long := strings.Repeat("é", page.MaxSearch) // characters, not bytes
	require.NoError(t, page.ValidateSearch(&long))
	tooLong := long + "x"
	err := page.ValidateSearch(&tooLong)
	require.Equal(t, apperr.ValidationFailed, apperr.CodeOf(err))
	e, _ := apperr.As(err)
	require.Equal(t, []string{"input", "search"}, e.Field)
}
