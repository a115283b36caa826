package hwkc

import "crypto/rand"

// randomAlphabet is what random codes are written in: digits and capital
// letters, as in the guide's Software Key Code 8G199M9T5DJB7CPN47UJ and
// product key V1D50EAF7FF016S3.
const randomAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

// RandomCode returns n random characters of digits and capital letters,
// each equally likely: the body of Software Key Codes (LIC-3) and product
// keys (LOC-10).
func RandomCode(n int) (string, error) {
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
		out[i] = randomAlphabet[int(b[0])%len(randomAlphabet)]
	}
	return string(out), nil
}

// NewProductKey returns a 16-character product key in the shape of the
// guide's software products (V1D50EAF7FF016S3), which a BX9000/OVOC
// software product gets at its first activation (LOC-10).
func NewProductKey() (string, error) { return RandomCode(16) }
