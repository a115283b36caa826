package page_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"lms/apperr"
	"lms/page"
)

func ptr[T any](v T) *T { return &v }

func TestLimit(t *testing.T) {
	t.Parallel()
	cases := []struct {
		first *int
		want  int
		code  apperr.Code
	}{
		{nil, page.DefaultFirst, ""},
		{ptr(1), 1, ""},
		{ptr(250), 250, ""},
		{ptr(0), 0, apperr.ValidationFailed},
		{ptr(251), 0, apperr.ValidationFailed},
		{ptr(-5), 0, apperr.ValidationFailed},
	}
	for _, tc := range cases {
		got, err := page.Args{First: tc.first}.Limit()
		require.Equal(t, tc.code, apperr.CodeOf(err))
		require.Equal(t, tc.want, got)
	}
}

func TestCursorIsBoundToItsScope(t *testing.T) {
	t.Parallel()
	c := page.Cursor{Scope: "tenant-a", Key: "k", ID: "i"}.Encode()
	got, err := page.Args{After: &c}.Cursor("tenant-a")
	require.NoError(t, err)
	require.Equal(t, "k", got.Key)

	_, err = page.Args{After: &c}.Cursor("tenant-b")
	require.Equal(t, apperr.ValidationFailed, apperr.CodeOf(err))
	for _, bad := range []string{"!!!", "e30", "bm90IGpzb24"} {
		_, err = page.Args{After: &bad}.Cursor("tenant-a")
		require.Equal(t, apperr.ValidationFailed, apperr.CodeOf(err), bad)
	}
}

func TestByKeyPagesInOrder(t *testing.T) {
	t.Parallel()
	items := []string{"a", "b", "c", "d", "e"}
	key := func(s *string) string { return *s }
	var got []string
	var after *string
	for {
		p, err := page.ByKey(items, page.Args{First: ptr(2), After: after}, "s", key)
		require.NoError(t, err)
		got = append(got, p.Items...)
		if !p.HasNextPage {
			break
		}
		after = p.EndCursor()
	}
	require.Equal(t, items, got)
}

func TestByKeyTotalIsTheListLength(t *testing.T) {
	t.Parallel()
	items := []string{"a", "b", "c", "d", "e"}
	key := func(s *string) string { return *s }
	after := (*string)(nil)
	for range 3 {
		p, err := page.ByKey(items, page.Args{First: ptr(2), After: after}, "s", key)
		require.NoError(t, err)
		n, err := p.Total.Count(t.Context())
		require.NoError(t, err)
		require.Equal(t, len(items), n)
		after = p.EndCursor()
	}
}
