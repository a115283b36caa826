package format_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"lms/licensefile/format"
)

// For any input Verify never panics, and what it accepts is a fixed point: the zip it returns
// is the input, and it verifies again to the same content.
func FuzzVerify(f *testing.F) {
	svi, err := format.Build(testSigner(), format.LayoutSVI, sv8100())
	require.NoError(f, err)
	pair, err := format.Build(testSigner(), format.LayoutBX, bxPrimary(), bxSecondary())
	require.NoError(f, err)
	demo, err := format.Build(testSigner(), format.LayoutSVI, sv8100Demo())
	require.NoError(f, err)
	f.Add(svi.Zip)
	f.Add(demo.Zip)
	f.Add(pair.Zip)
	f.Add(svi.Zip[:len(svi.Zip)/2])
	f.Add(pair.Zip[:len(pair.Zip)-1])
	f.Add([]byte{})
	f.Add([]byte("PK\x05\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"))

	keys := testKeyring()
	f.Fuzz(func(t *testing.T, input []byte) {
		got, err := format.Verify(input, keys)
		if err != nil {
			require.Nil(t, got)
			return
		}
		require.Equal(t, input, got.Zip)
		again, err := format.Verify(got.Zip, keys)
		require.NoError(t, err)
		require.Equal(t, got.Payloads, again.Payloads)
		require.Equal(t, got, again)
	})
}
