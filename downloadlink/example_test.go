package downloadlink_test

import (
	"bytes"
	"fmt"
	"net/url"
	"time"

	"github.com/google/uuid"

	"lms/downloadlink"
)

// A mail carries a link to one license file generation; the server checks
// it when the recipient clicks it.
func Example() {
	key, err := downloadlink.NewKey(bytes.Repeat([]byte{42}, 32)) // derived from the license signing key in LMS
	if err != nil {
		panic(err)
	}
	fileID := uuid.MustParse("0b6f1f5e-2c1d-4b7e-9a39-5d1f0e3c2a11")
	mailed := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	link := key.Sign(downloadlink.LicenseFile, fileID, mailed.Add(downloadlink.Validity))
	u := "https://lms.example.com/license-files/" + fileID.String() + "?" + link.Query()

	clicked, _ := url.Parse(u)
	got, err := downloadlink.Parse(clicked.Query())
	if err != nil {
		panic(err)
	}
	fmt.Println("next day:", key.Verify(downloadlink.LicenseFile, fileID, got, mailed.AddDate(0, 0, 1)))
	fmt.Println("another file:", key.Verify(downloadlink.LicenseFile, uuid.New(), got, mailed.AddDate(0, 0, 1)))
	fmt.Println("a month later:", key.Verify(downloadlink.LicenseFile, fileID, got, mailed.AddDate(0, 1, 0)))
	// Output:
	// next day: <nil>
	// another file: FORBIDDEN: this download link is not valid
	// a month later: FORBIDDEN: this download link has expired
}
