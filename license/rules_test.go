package license_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"lms/apperr"
	"lms/catalog"
	"lms/db"
	"lms/hwkc"
	"lms/license"
	"lms/location"
)

// The per-system rules are pure functions over a snapshot of the system:
// these tables check them without a database, against the catalog's data.

// snapshot builds the location.System of a location of systemType: a PBX
// of its own, or a child of kind under a root of rootType.
type snapshot struct {
	systemType string
	// rootType and kind make the location a child.
	rootType string
	kind     db.ChildKind
	tempKey  bool
	se       bool
}

func (s snapshot) system(t *testing.T, cat *catalog.Catalog) *location.System {
	t.Helper()
	st := systemType(t, cat, s.systemType)
	loc := &db.Location{ID: uuid.New(), Name: "Site " + st.Code, SystemType: st.Code, HardwareKeyCode: "HW-" + st.Code, HwkcSource: catalog.SourceEntered, SmallEnterprise: s.se}
	if s.tempKey {
		loc.HardwareKeyCode, loc.HwkcSource = hwkc.TempKey(st.HwkcPrefix, time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC), 7), catalog.SourceGeneratedTempKey
	}
	sys := &location.System{Location: loc, Root: loc, Type: st}
	if s.rootType != "" {
		root := &db.Location{ID: uuid.New(), Name: "Root " + s.rootType, SystemType: s.rootType, HardwareKeyCode: "HW-ROOT"}
		loc.ParentID, loc.ChildKind, sys.Root = &root.ID, &s.kind, root
	}
	return sys
}

func systemType(t *testing.T, cat *catalog.Catalog, code string) *catalog.SystemType {
	t.Helper()
	st, ok := cat.SystemType(code)
	require.True(t, ok, "system type %s", code)
	return &st
}

func part(t *testing.T, cat *catalog.Catalog, number string) *catalog.Part {
	t.Helper()
	p, ok := cat.Part(number)
	require.True(t, ok, "part %s", number)
	return &p
}

// plainPart is a part of systemType without flags or limits.
func plainPart(t *testing.T, cat *catalog.Catalog, systemType string) *catalog.Part {
	t.Helper()
	for _, p := range cat.PartsFor(systemType) {
		if len(p.Flags) == 0 && p.MaxPerSystem == nil {
			return &p
		}
	}
	t.Fatalf("no plain part of %s", systemType)
	return nil
}

func defaultCatalog(t *testing.T) *catalog.Catalog {
	t.Helper()
	cat, err := catalog.Default()
	require.NoError(t, err)
	return cat
}

func TestCheckPart(t *testing.T) {
	t.Parallel()
	cat := defaultCatalog(t)
	sv8100, sv9500 := plainPart(t, cat, "SV8100"), plainPart(t, cat, "SV9500")
	for _, tc := range []struct {
		name string
		at   snapshot
		part *catalog.Part
		// code is empty when the part may be attached; message is a part of
		// the message otherwise.
		code    apperr.Code
		message string
	}{
		{name: "PlainPart", at: snapshot{systemType: "SV8100"}, part: sv8100},
		{name: "OtherSystemType", at: snapshot{systemType: "SV8100"}, part: sv9500, code: apperr.PartNotAllowed, message: "cannot be attached to a SV8100 location"},
		{name: "SwaUnit", at: snapshot{systemType: "SV8100"}, part: part(t, cat, "BE112031"), code: apperr.PartNotAllowed, message: "SWA units are assigned through Software Assurance"},
		{name: "SrMgcPartOnTheSV8500", at: snapshot{systemType: "SV8500"}, part: part(t, cat, "EU900074"), code: apperr.WrongLocationForPart, message: "designated SR-MGC child location"},
		// An SR-MGC has a temp key for good: it is not provisional.
		{name: "SrMgcPartOnSrMgc", at: snapshot{systemType: "SR_MGC", rootType: "SV8500", kind: db.ChildSrMgc, tempKey: true}, part: part(t, cat, "EU900074")},
		{name: "RedundantSecondary", at: snapshot{systemType: "BX_OVOC", rootType: "BX_OVOC", kind: db.ChildRedundant}, part: part(t, cat, "ILL-BX9000-HA"), code: apperr.WrongLocationForPart, message: "on the primary location only"},
		{name: "BxPrimary", at: snapshot{systemType: "BX_OVOC"}, part: part(t, cat, "ILL-BX9000-HA")},
		{name: "SupervisorPartOnMaster", at: snapshot{systemType: "MOBICALL_MASTER"}, part: part(t, cat, "ILL-MC-SERVER-M"), code: apperr.WrongLocationForPart, message: "parts ending -M go to the MobiCall Supervisor location"},
		{name: "MasterPartOnSupervisor", at: snapshot{systemType: "MOBICALL_SUPERVISOR", rootType: "MOBICALL_MASTER", kind: db.ChildRedundant}, part: part(t, cat, "ILL-MC-SERVER"), code: apperr.WrongLocationForPart, message: "goes to the master location Root MOBICALL_MASTER"},
		{name: "SupervisorPartOnSupervisor", at: snapshot{systemType: "MOBICALL_SUPERVISOR", rootType: "MOBICALL_MASTER", kind: db.ChildRedundant}, part: part(t, cat, "ILL-MC-SERVER-M")},
		{name: "SupervisorPartOnMobiBox", at: snapshot{systemType: "MOBIBOX"}, part: part(t, cat, "ILL-MC-SERVER-M"), code: apperr.PartNotAllowed, message: "parts ending -M go to a MobiCall Supervisor location only"},
		{name: "MasterPartOnMobiBox", at: snapshot{systemType: "MOBIBOX"}, part: part(t, cat, "ILL-MC-SERVER")},
		{name: "TempKeyTakesOnlyTheVirtualizationOption", at: snapshot{systemType: "SV9500", tempKey: true}, part: sv9500, code: apperr.PartNotAllowed, message: "only the Virtualization Option may be attached"},
		{name: "VirtualizationOptionOnTempKey", at: snapshot{systemType: "SV9500", tempKey: true}, part: part(t, cat, "BE114234")},
		{name: "VirtualizationOptionWithHardwareKeyCode", at: snapshot{systemType: "SV9500"}, part: part(t, cat, "BE114234"), code: apperr.PartNotAllowed, message: "still has its temp key"},
		{name: "SmallEnterpriseTakesSEParts", at: snapshot{systemType: "SV9500", se: true}, part: part(t, cat, "ILL-SV9500SE-CLIENT")},
		{name: "SmallEnterpriseRefusesOthers", at: snapshot{systemType: "SV9500", se: true}, part: sv9500, code: apperr.PartNotAllowed, message: "accepts only SE (V7) parts"},
		{name: "SEPartOnFullSV9500", at: snapshot{systemType: "SV9500"}, part: part(t, cat, "ILL-SV9500SE-CLIENT"), code: apperr.PartNotAllowed, message: "Small Enterprise locations only"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := license.CheckPart(tc.at.system(t, cat), tc.part)
			if tc.code == "" {
				require.Nil(t, err)
				return
			}
			require.NotNil(t, err)
			require.Equal(t, tc.code, err.Code)
			require.Contains(t, err.Message, tc.message)
		})
	}
}

func TestCheckLimits(t *testing.T) {
	t.Parallel()
	cat := defaultCatalog(t)
	option, dmls := part(t, cat, "BE114234"), part(t, cat, "EU910010")
	parts := map[string]*catalog.Part{option.Number: option, dmls.Number: dmls}
	for _, tc := range []struct {
		name    string
		at      snapshot
		usage   license.Usage
		adding  map[string]int
		message string // empty: within the limits
	}{
		{name: "FirstOfMaxOne", at: snapshot{systemType: "SV9500", tempKey: true}, adding: map[string]int{option.Number: 1}},
		{name: "TwoOfMaxOne", at: snapshot{systemType: "SV9500", tempKey: true}, adding: map[string]int{option.Number: 2}, message: "only 1 × SV9500 Lic Virtualization Option (BE114234) is supported per SV9500 system"},
		// The limit counts the whole system: the PBX and its children.
		{name: "MaxOneHeldElsewhereInTheSystem", at: snapshot{systemType: "SV9500", tempKey: true}, usage: license.Usage{System: map[string]int{option.Number: 1}}, adding: map[string]int{option.Number: 1}, message: "it already has 1"},
		{name: "SingleLicense", at: snapshot{systemType: "DECT_NS"}, adding: map[string]int{dmls.Number: 1}},
		{name: "SingleLicenseTwoAtOnce", at: snapshot{systemType: "DECT_NS"}, adding: map[string]int{dmls.Number: 2}, message: "takes exactly one license and cannot be expanded"},
		{name: "SingleLicenseExpanded", at: snapshot{systemType: "DECT_NS"}, usage: license.Usage{System: map[string]int{dmls.Number: 1}, Location: 1}, adding: map[string]int{dmls.Number: 1}, message: "already has 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			u := tc.usage
			if u.System == nil {
				u.System = map[string]int{}
			}
			err := license.CheckLimits(tc.at.system(t, cat), &u, tc.adding, parts)
			if tc.message == "" {
				require.Nil(t, err)
				return
			}
			require.NotNil(t, err)
			require.Equal(t, apperr.LimitExceeded, err.Code)
			require.Contains(t, err.Message, tc.message)
		})
	}
}
