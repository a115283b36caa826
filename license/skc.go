package license

import (
	"fmt"

	"lms/hwkc"
)

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
	r, err := hwkc.RandomCode(softwareKeyCodeLength - 2)
	if err != nil {
		return "", err
	}
	return r[:2] + prefix + r[2:], nil
}
