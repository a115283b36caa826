package license

import (
	"crypto/rand"
	"fmt"
)

// skcAlphabet is what Software Key Codes are written in: digits and capital
// letters, as in the guide's 8G199M9T5DJB7CPN47UJ.
const skcAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

// newSoftwareKeyCode returns a random 20-character Software Key Code whose
// characters 3-4 are the system type's HWKC prefix (LIC-3: `19` on an
// SV8100). The 18 random characters carry 93 bits, so codes do not collide
// in practice; the unique index catches it if one ever does.
func newSoftwareKeyCode(prefix string) (string, error) {
	if len(prefix) != 2 {
		return "", fmt.Errorf("HWKC prefix %q is not 2 characters", prefix)
	}
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	out := make([]byte, 0, 20)
	for i, c := range b {
		if i == 2 {
			out = append(out, prefix...)
		}
		// 252 = 7·36: rejecting the top 4 values keeps every character
		// equally likely.
		for c >= 252 {
			var r [1]byte
			if _, err := rand.Read(r[:]); err != nil {
				return "", err
			}
			c = r[0]
		}
		out = append(out, skcAlphabet[int(c)%len(skcAlphabet)])
	}
	return string(out), nil
}
