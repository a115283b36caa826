package graph

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"lms/apperr"
)

func TestOnArguments(t *testing.T) {
	t.Parallel()
	internal := errors.New("boom")
	var list apperr.List
	list.Add(apperr.Invalid("first", "bad"))
	list.Add(apperr.NotFoundf("location"))

	require.NoError(t, onArguments(nil))
	require.Same(t, internal, onArguments(internal))

	got := onArguments(fmt.Errorf("watch: %w", apperr.NotFoundf("location").OnField("locationId")))
	e, ok := apperr.As(got)
	require.True(t, ok)
	require.Equal(t, []string{"locationId"}, e.Field)
	require.Equal(t, apperr.NotFound, e.Code)

	all := apperr.All(onArguments(list.Err()))
	require.Len(t, all, 2)
	require.Equal(t, []string{"first"}, all[0].Field)
	require.Empty(t, all[1].Field)
	require.Equal(t, []string{"input", "first"}, list[0].Field, "the original is left as it was")
}
