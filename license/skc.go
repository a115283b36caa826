package license

import (
	"crypto/rand"
	"fmt"
)

// skcAlphabet is what Software Key Codes are written in: digits and capital
// letters, as in the guide's 8G199M9T5DJB7CPN47UJ.
const skcAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

// softwareKeyCodeLength is the length of every Software Key Code (LIC-3).
const softwareKeyCodeLength = 20

// newSoftwareKeyCode returns a random 20-character Software Key Code whose
// characters 3-4 are the system type's HWKC prefix (LIC-3: `19` on an
// SV8100). The 18 random characters carry 93 bits, so codes do not collide
// in practice; the unique index catches it if one ever does.
func newSoftwareKeyCode(prefix string) (string, error) {
	if len(prefix) != 2 {
		return "", fmt.Errorf("HWKC prefix %q is not 2 characters", prefix)
	}
	r, err := randomCode(softwareKeyCodeLength - 2)
	if err != nil {
		return "", err
	}
	return r[:2] + prefix + r[2:], nil
}

// randomCode returns n random characters of skcAlphabet, each equally
// likely.
func randomCode(n int) (string, error) {
	out := make([]byte, n)
	var b [1]byte
	for i := range out {
		// 252 = 7·36: rejecting the top 4 byte values keeps every
		// character equally likely.
		for b[0] = 255; b[0] >= 252; {
			if _, err := rand.Read(b[:]); err != nil {
				return "", err
			}
		}
		out[i] = skcAlphabet[int(b[0])%len(skcAlphabet)]
	}
	return string(out), nil
}
