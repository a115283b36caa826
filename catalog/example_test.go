package catalog_test

import (
	"fmt"

	"lms/catalog"
)

func ExampleSystemType_ValidHardwareKeyCode() {
	cat, err := catalog.Default()
	if err != nil {
		panic(err)
	}
	sv9500, _ := cat.SystemType("SV9500")
	fmt.Println(sv9500.ValidHardwareKeyCode("35G00N470108E0S0A8832EF2d3Po"))
	fmt.Println(sv9500.ValidHardwareKeyCode("35-150601035832-610-TEMP-KEY"))
	fmt.Println(sv9500.ValidTempKey("35-150601035832-610-TEMP-KEY"))
	// Output:
	// true
	// false
	// true
}

func ExampleCatalog_ApplicationOf() {
	cat, err := catalog.Default()
	if err != nil {
		panic(err)
	}
	// BCT licenses on an SV9100 count for the BCT agreement, the SV9100's own for the SV9100's.
	for _, number := range []string{"960026172000", "BE114074"} {
		part, _ := cat.Part(number)
		app, _ := cat.ApplicationOf(part, "SV9100_CP20")
		fmt.Printf("%s %s: %s (50%s-…)\n", part.Number, part.Name, app.Name, app.AgreementCode)
	}
	// Output:
	// 960026172000 BCT Operator Lic.: BCT (50BC0-…)
	// BE114074 SV9100 ACD AGENT-01 LIC: SV 9100 (50340-…)
}
