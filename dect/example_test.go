package dect_test

import (
	"errors"
	"fmt"
	"time"

	"lms/dect"
)

// The guide's DECT system (PARI 1FFFFFF9) with the FEATURE lines of SPEC
// DECT-4, exported by its DECT Manager and uploaded to its location.
func ExampleParse() {
	export := dect.WithChecksum([]byte(`# DECT Manager license export
PARI=1FFFFFF9
RELEASE=5
TIMESTAMP=2014-04-16T10:22:31Z
FEATURE=EU917017;50
FEATURE=EU917027;50
FEATURE=EU917028;50
FEATURE=EU917029;50
FEATURE=EU917005;1
`))
	rules := dect.Rules{
		// The caller takes the roles from the catalog's part flags.
		Parts: map[string]dect.Role{
			"EU917017": dect.RoleAPCapacity, "EU917062": dect.RoleAPCapacity, "EU917029": dect.RoleUpgradeAllowance,
			"EU917027": dect.RoleMessaging, "EU917028": dect.RoleLocation, "EU917005": dect.RoleFeature,
		},
		PARI: "1FFFFFF9",
		Now:  time.Date(2014, time.November, 4, 9, 0, 0, 0, time.UTC),
	}
	x, err := dect.Parse(export, rules)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(x.PARI, x.Release, x.Timestamp.Format(time.DateOnly))
	for _, f := range x.Features {
		fmt.Printf("%s × %d\n", f.PartNumber, f.Quantity)
	}

	// The same file for another location's PARI.
	rules.PARI = "1009FFFE"
	_, err = dect.Parse(export, rules)
	var e *dect.Error
	if errors.As(err, &e) {
		fmt.Println(e.Code, e.Line)
		fmt.Println(e.Message)
		fmt.Println(e.WhatToDo())
	}
	// Output:
	// 1FFFFFF9 5 2014-04-16
	// EU917017 × 50
	// EU917027 × 50
	// EU917028 × 50
	// EU917029 × 50
	// EU917005 × 1
	// INVALID_HARDWARE_KEYCODE 2
	// line 2: the file is for PARI 1FFFFFF9, but the location's Hardware Key Code is 1009FFFE: upload the export of this location's DECT system
	// Enter a valid Hardware Key Code, format 8 hex digits starting with 1 (e.g. 1009FFFE)
}
