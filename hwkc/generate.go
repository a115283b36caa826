package hwkc

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// TempKey renders the temporary key of a location that has no HWKC yet: an SR-MGC child of an
// SV8500 (LOC-5, prefix "22") or an SV9500 Standard Server before "Create HKC" (LOC-6, prefix
// "35"). The key is prefix, t in UTC as yymmddhhmmss, and n as three digits, joined by dashes and
// followed by "-TEMP-KEY": TempKey("22", 2012-11-26 06:46:36 UTC, 613) is
// "22-121126064636-613-TEMP-KEY". The caller picks n (e.g. at random) and retries with another
// when the database already holds the key.
//
// TempKey panics when n is outside 0..999, which is a programming error.
func TempKey(prefix string, t time.Time, n int) string {
	if n < 0 || n > 999 {
		panic(fmt.Sprintf("hwkc.TempKey: n = %d, want 0..999", n))
	}
	return fmt.Sprintf("%s-%s-%03d%s", prefix, t.UTC().Format("060102150405"), n, tempKeySuffix)
}

const tempKeySuffix = "-TEMP-KEY"

// IsTempKey reports whether code is a temporary key made by TempKey, or a code derived from one
// (the LMC code "LM" + temp key of an SV9500 Standard Server's LMC child).
func IsTempKey(code string) bool { return strings.HasSuffix(code, tempKeySuffix) }

// Generated SV9500 codes: "35", 24 upper-case hex digits, 2 check letters (28 characters, the
// length of the vendor's SV9500 HWKCs).
const (
	sv9500Prefix    = "35"
	sv9500HexDigits = 24
	generatedLen    = len(sv9500Prefix) + sv9500HexDigits + checkLen
)

// FromIP derives the HWKC of an SV9500 Standard Server from its LAN1 (ACT) IP address and its
// location id (LOC-6). It is "35", 24 upper-case hex digits of
// HMAC-SHA256(key: the location id's 16 bytes, message: "SV9500-SSM\x00" + the IP in its
// canonical text form) and 2 check letters (ValidCheckLetters). An IPv4-mapped IPv6 address
// gives the same code as the IPv4 address. Keying with the location id makes two locations
// behind the same private address get different codes.
//
// FromIP panics when ip is the zero netip.Addr, which is a programming error: parse the user's
// input with netip.ParseAddr first.
func FromIP(ip netip.Addr, locationID uuid.UUID) string {
	if !ip.IsValid() {
		panic("hwkc.FromIP: invalid IP address")
	}
	mac := hmac.New(sha256.New, locationID[:])
	mac.Write([]byte("SV9500-SSM\x00" + ip.Unmap().String()))
	return sv9500Code(mac.Sum(nil))
}

// FromMAC derives the HWKC of an SV9500 Small Enterprise from its MAC address (LOC-7): "35",
// 24 upper-case hex digits of SHA-256("SV9500-SE\x00" + mac) and 2 check letters
// (ValidCheckLetters). It depends on the MAC alone, so re-entering the MAC of the same machine
// gives the same code.
//
// FromMAC panics when mac is not in the form NormalizeMAC returns (12 upper-case hex digits),
// which is a programming error: two spellings of one MAC must not give two codes.
func FromMAC(mac string) string {
	if norm, ok := NormalizeMAC(mac); !ok || norm != mac {
		panic(fmt.Sprintf("hwkc.FromMAC: %q is not a normalised MAC address", mac))
	}
	sum := sha256.Sum256([]byte("SV9500-SE\x00" + mac))
	return sv9500Code(sum[:])
}

func sv9500Code(sum []byte) string {
	body := sv9500Prefix + strings.ToUpper(hex.EncodeToString(sum[:sv9500HexDigits/2]))
	return body + checkLetters(body)
}

// VirtualFromFCN generates the virtual HWKC of a dongle-less iS3000 from its Full Computer
// Name (LOC-8): "aa0016HN", 12 decimal digits and "AA". The digits are the first 8 bytes of
// SHA-256("IS3000-FCN\x00" + fcn + "\x00" + attempt in decimal), read as a big-endian uint64,
// modulo 10^12, zero-padded. fcn should be the output of NormalizeFullComputerName.
//
// FCNs need not be unique, so attempt 0, 1, 2, … gives different codes for the same FCN: the
// caller starts at 0 and retries with the next attempt while the code is taken by another
// location.
func VirtualFromFCN(fcn string, attempt int) string {
	sum := sha256.Sum256([]byte("IS3000-FCN\x00" + fcn + "\x00" + strconv.Itoa(attempt)))
	digits := binary.BigEndian.Uint64(sum[:8]) % 1_000_000_000_000
	return fmt.Sprintf("aa0016HN%012dAA", digits)
}

// FromDomain generates the HWKC of a 3C or 3C CAT2 location from its domain name (LOC-9): "3C"
// and 10 upper-case hex digits of SHA-256("3C-DOMAIN\x00" + domain + "\x00" + attempt in
// decimal). domain should be the output of NormalizeDomainName. Domain names are not unique:
// attempts work as for VirtualFromFCN.
func FromDomain(domain string, attempt int) string {
	sum := sha256.Sum256([]byte("3C-DOMAIN\x00" + domain + "\x00" + strconv.Itoa(attempt)))
	return "3C" + strings.ToUpper(hex.EncodeToString(sum[:5]))
}

// LMC derives the HWKC of the License Manager Client child of a PBX from the parent's HWKC
// (LOC-4). An iS3000-style code "aa<inner>AA" gives "LMIS" + inner
// ("aa0014SA2792885418AA" → "LMIS0014SA2792885418"); any other code c, temporary keys
// included, gives "LM" + c ("22CC538207AFD058020640CD57xO" → "LM22CC538207AFD058020640CD57xO").
// When an SV9500 Standard Server gets its real HWKC (LOC-6) the caller derives the LMC code
// again from the new one.
func LMC(parent string) string {
	if len(parent) >= 4 && strings.HasPrefix(parent, "aa") && strings.HasSuffix(parent, "AA") {
		return "LMIS" + parent[2:len(parent)-2]
	}
	return "LM" + parent
}

// Check letters of generated SV9500 codes.
const (
	checkAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	// codeAlphabet gives each character a generated code may hold a value 0..61.
	codeAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	checkLen     = 2
	// checkModulus is the largest prime below 52*52, so that a checksum fits two check letters.
	// Being a prime larger than every weight and every character value, it makes every single
	// mistyped character and every swap of two neighbouring characters change the checksum.
	checkModulus = 2699
)

// ValidCheckLetters reports whether code is 28 characters from [0-9A-Za-z] whose last 2 are
// the check letters of the 26 before them, as FromIP and FromMAC generate them. When a user
// copies a generated code by hand, the check catches every single mistyped character and every
// swap of two different neighbouring characters among the first 26. Codes the vendor issued (an SV9500 Appliance's HWKC) carry
// no check letters: use this only on codes LMS generated.
func ValidCheckLetters(code string) bool {
	if len(code) != generatedLen {
		return false
	}
	body := code[:generatedLen-checkLen]
	for i := 0; i < len(body); i++ {
		if strings.IndexByte(codeAlphabet, body[i]) < 0 {
			return false
		}
	}
	return code[generatedLen-checkLen:] == checkLetters(body)
}

// checkLetters returns the 2 check letters of body, whose characters must all be in
// codeAlphabet: the sum of each character's value weighted by its position (1, 2, …) modulo
// checkModulus, written in base 52 with checkAlphabet as digits.
func checkLetters(body string) string {
	sum := 0
	for i := 0; i < len(body); i++ {
		sum += (i + 1) * strings.IndexByte(codeAlphabet, body[i])
	}
	sum %= checkModulus
	n := len(checkAlphabet)
	return string([]byte{checkAlphabet[sum/n], checkAlphabet[sum%n]})
}
