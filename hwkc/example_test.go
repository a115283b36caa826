package hwkc_test

import (
	"fmt"

	"lms/catalog"
	"lms/hwkc"
)

func ExampleNormalize() {
	cat, err := catalog.Default()
	if err != nil {
		panic(err)
	}
	sv9500, _ := cat.SystemType("SV9500")
	sv8100, _ := cat.SystemType("SV8100")

	// An SV9500 Appliance QR code is stored without "A_" and dashes (LOC-2).
	fmt.Println(hwkc.Normalize(sv9500, "A_3565-A9C3-0842-67EF-2E44-A473-6DI2"))
	// Lower-case hex is upper-cased for an upper-case-hex format.
	fmt.Println(hwkc.Normalize(sv8100, " 190400324a12\n"))
	// A wrong code is refused; the hint goes into the INVALID_HARDWARE_KEYCODE message.
	if _, ok := hwkc.Normalize(sv8100, "340209224568"); !ok {
		fmt.Println(hwkc.FormatHint(sv8100))
	}
	// Output:
	// 3565A9C3084267EF2E44A4736DI2 true
	// 190400324A12 true
	// expected format ^19[0-9A-F]{10}$, for example 190400324412
}

func ExampleLMC() {
	fmt.Println(hwkc.LMC("22CC538207AFD058020640CD57xO"))
	fmt.Println(hwkc.LMC("aa0014SA2792885418AA"))
	// Output:
	// LM22CC538207AFD058020640CD57xO
	// LMIS0014SA2792885418
}

func ExampleVirtualFromFCN() {
	fcn, ok := hwkc.NormalizeFullComputerName("HVPC030PBX.DEVNLNEC.LOCAL")
	fmt.Println(fcn, ok)
	// The caller tries attempt 1, 2, … while the database reports the code as taken.
	fmt.Println(hwkc.VirtualFromFCN(fcn, 0))
	// Output:
	// hvpc030pbx.devnlnec.local true
	// aa0016HN850614866900AA
}
