package catalog

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
)

var (
	codePattern          = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)
	prefixPattern        = regexp.MustCompile(`^[0-9A-Z]{2}$`)
	agreementCodePattern = regexp.MustCompile(`^[0-9A-Z]{3}$`)
)

// Validate checks the catalog's internal consistency and returns every problem found, joined,
// or nil. Sync validates before writing; an admin tool should validate before saving a change.
func (c *Catalog) Validate() error {
	v := &validator{c: c}
	if c.Version < 1 {
		v.addf("version %d: must be at least 1", c.Version)
	}
	v.systemTypes()
	v.parts()
	v.swaApplications()
	v.migrationPaths()
	v.termFactors()
	return errors.Join(v.errs...)
}

type validator struct {
	c    *Catalog
	errs []error
}

func (v *validator) addf(format string, args ...any) {
	v.errs = append(v.errs, fmt.Errorf(format, args...))
}

func (v *validator) systemTypeExists(code string) bool {
	_, ok := v.c.SystemType(code)
	return ok
}

func (v *validator) applicationExists(code string) bool {
	_, ok := v.c.SwaApplication(code)
	return ok
}

func (v *validator) systemTypes() {
	seen := map[string]bool{}
	for _, st := range v.c.SystemTypes {
		where := "system type " + st.Code
		if !codePattern.MatchString(st.Code) {
			v.addf("%s: code must match %s", where, codePattern)
		}
		if seen[st.Code] {
			v.addf("%s: duplicate code", where)
		}
		seen[st.Code] = true
		if strings.TrimSpace(st.Name) == "" {
			v.addf("%s: name is empty", where)
		}
		if err := checkFormat(st.HwkcFormat); err != nil {
			v.addf("%s: hwkcFormat: %w", where, err)
		} else {
			if len(st.HwkcExamples) == 0 {
				v.addf("%s: no hwkcExamples", where)
			}
			for _, ex := range st.HwkcExamples {
				if !st.ValidHardwareKeyCode(ex) {
					v.addf("%s: example %q does not match %s", where, ex, st.HwkcFormat)
				}
			}
		}
		if st.TempKeyFormat != "" {
			if err := checkFormat(st.TempKeyFormat); err != nil {
				v.addf("%s: tempKeyFormat: %w", where, err)
			}
			if !st.HasSource(SourceGeneratedTempKey) {
				v.addf("%s: tempKeyFormat without source %s", where, SourceGeneratedTempKey)
			}
		}
		if !prefixPattern.MatchString(st.HwkcPrefix) {
			v.addf("%s: hwkcPrefix %q must match %s", where, st.HwkcPrefix, prefixPattern)
		}
		if len(st.HwkcSources) == 0 {
			v.addf("%s: no hwkcSources", where)
		}
		v.known(where, "hwkc source", st.HwkcSources, hwkcSources)
		v.known(where, "flag", st.Flags, systemTypeFlags)
		if st.SwaApplication != "" && !v.applicationExists(st.SwaApplication) {
			v.addf("%s: unknown swaApplication %q", where, st.SwaApplication)
		}
		if st.HasFlag(FlagDemoLicenses) != (st.DemoLicenses > 0 && st.DemoLicenseDays > 0) {
			v.addf("%s: flag %s needs demoLicenses and demoLicenseDays above 0, and only it may have them", where, FlagDemoLicenses)
		}
		if st.DemoLicenses < 0 || st.DemoLicenseDays < 0 {
			v.addf("%s: negative demo license settings", where)
		}
		if st.HasFlag(FlagProductKey) != (st.ProductKeyFormat != "") {
			v.addf("%s: flag %s needs productKeyFormat, and only it may have one", where, FlagProductKey)
		}
		if st.ProductKeyRequiredFor != "" && !st.HasFlag(FlagProductKey) {
			v.addf("%s: productKeyRequiredFor without flag %s", where, FlagProductKey)
		}
		for _, f := range []string{st.ProductKeyFormat, st.ProductKeyRequiredFor} {
			if f == "" {
				continue
			}
			if err := checkFormat(f); err != nil {
				v.addf("%s: product key format: %w", where, err)
			}
		}
		if st.SecondaryType != "" && (!st.HasFlag(FlagRedundantSecondary) || !v.systemTypeExists(st.SecondaryType)) {
			v.addf("%s: secondaryType %q needs flag %s and an existing system type", where, st.SecondaryType, FlagRedundantSecondary)
		}
	}
}

func (v *validator) parts() {
	seen := map[string]bool{}
	for _, p := range v.c.Parts {
		where := "part " + p.Number
		if strings.TrimSpace(p.Number) == "" || strings.TrimSpace(p.Number) != p.Number {
			v.addf("part %q: number is empty or has surrounding spaces", p.Number)
		}
		if seen[p.Number] {
			v.addf("%s: duplicate number", where)
		}
		seen[p.Number] = true
		if strings.TrimSpace(p.Name) == "" {
			v.addf("%s: name is empty", where)
		}
		if len(p.SystemTypes) == 0 && !p.HasFlag(FlagSwaUnit) {
			v.addf("%s: no systemTypes", where)
		}
		for _, code := range p.SystemTypes {
			if !v.systemTypeExists(code) {
				v.addf("%s: unknown system type %q", where, code)
			}
		}
		switch {
		case !slices.Contains(stackingKinds, p.Stacking):
			v.addf("%s: stacking %q is not one of %v", where, p.Stacking, stackingKinds)
		case p.Stacking == StackingVersion && (p.Version == nil || *p.Version < 1):
			v.addf("%s: a %s part needs a version of at least 1", where, StackingVersion)
		case p.Stacking == StackingQuantity && p.Version != nil:
			v.addf("%s: a %s part has no version", where, StackingQuantity)
		}
		if p.SwaWeight < 0 {
			v.addf("%s: negative swaWeight", where)
		}
		if p.MaxPerSystem != nil && *p.MaxPerSystem < 1 {
			v.addf("%s: maxPerSystem must be at least 1", where)
		}
		v.known(where, "flag", p.Flags, partFlags)
		// LOC-11: the guide tells MobiCall supervisor parts by their "-M" suffix.
		if strings.HasSuffix(p.Number, "-M") != p.HasFlag(FlagMobicallSupervisor) {
			v.addf("%s: a part number ends in -M exactly when the part has flag %s", where, FlagMobicallSupervisor)
		}
		if p.SwaApplication != "" && !v.applicationExists(p.SwaApplication) {
			v.addf("%s: unknown swaApplication %q", where, p.SwaApplication)
		}
	}
}

func (v *validator) swaApplications() {
	seen, seenAgreement := map[string]bool{}, map[string]bool{}
	for _, a := range v.c.SwaApplications {
		where := "SWA application " + a.Code
		if !codePattern.MatchString(a.Code) {
			v.addf("%s: code must match %s", where, codePattern)
		}
		if seen[a.Code] {
			v.addf("%s: duplicate code", where)
		}
		seen[a.Code] = true
		if strings.TrimSpace(a.Name) == "" {
			v.addf("%s: name is empty", where)
		}
		if !agreementCodePattern.MatchString(a.AgreementCode) {
			v.addf("%s: agreementCode %q must match %s", where, a.AgreementCode, agreementCodePattern)
		}
		if seenAgreement[a.AgreementCode] {
			v.addf("%s: duplicate agreementCode %q", where, a.AgreementCode)
		}
		seenAgreement[a.AgreementCode] = true
		if len(a.Terms) == 0 {
			v.addf("%s: no terms", where)
		}
		if !slices.IsSorted(a.Terms) || len(slices.Compact(slices.Clone(a.Terms))) != len(a.Terms) {
			v.addf("%s: terms must be ascending without repeats", where)
		}
		for _, m := range a.Terms {
			if _, ok := v.c.TermFactor(m); !ok {
				v.addf("%s: term of %d months has no term factor", where, m)
			}
		}
		if a.MaxRenewalMonths < 1 {
			v.addf("%s: maxRenewalMonths must be at least 1", where)
		}
		for _, code := range a.SystemTypes {
			st, ok := v.c.SystemType(code)
			switch {
			case !ok:
				v.addf("%s: unknown system type %q", where, code)
			case st.SwaApplication != a.Code:
				v.addf("%s: lists system type %s, whose swaApplication is %q", where, code, st.SwaApplication)
			}
		}
	}
	// The mapping is held on both sides (the application lists its system types, a system type
	// names its application); they must agree.
	for _, st := range v.c.SystemTypes {
		if a, ok := v.c.SwaApplication(st.SwaApplication); ok && !slices.Contains(a.SystemTypes, st.Code) {
			v.addf("system type %s: SWA application %s does not list it", st.Code, a.Code)
		}
	}
}

// migrationPaths checks that each path leads from a system type to another
// whose HWKC the user enters (the new board's code, MIG-1), keeps the SWA
// application (the agreements stay with the location, MIG-1), and gives
// every part of the old type a part of the new one, so that no license is
// left behind.
func (v *validator) migrationPaths() {
	seen := map[[2]string]bool{}
	for _, mp := range v.c.MigrationPaths {
		where := fmt.Sprintf("migration path %s → %s", mp.From, mp.To)
		if seen[[2]string{mp.From, mp.To}] {
			v.addf("%s: duplicate", where)
		}
		seen[[2]string{mp.From, mp.To}] = true
		from, okFrom := v.c.SystemType(mp.From)
		to, okTo := v.c.SystemType(mp.To)
		if !okFrom || !okTo || mp.From == mp.To {
			v.addf("%s: from and to must be two existing system types", where)
			continue
		}
		if !to.HasSource(SourceEntered) {
			v.addf("%s: the Hardware Key Code of %s is not entered (hwkcSources %v)", where, mp.To, to.HwkcSources)
		}
		if from.SwaApplication != to.SwaApplication {
			v.addf("%s: the SWA application changes (%q → %q); SWA agreements stay with the location", where, from.SwaApplication, to.SwaApplication)
		}
		for _, old := range slices.Sorted(maps.Keys(mp.Parts)) {
			nu := mp.Parts[old]
			if p, ok := v.c.Part(old); !ok || !p.AllowedOn(mp.From) {
				v.addf("%s: part %s is not a part of %s", where, old, mp.From)
			}
			if p, ok := v.c.Part(nu); !ok || !p.AllowedOn(mp.To) {
				v.addf("%s: part %s is not a part of %s", where, nu, mp.To)
			}
		}
		for _, p := range v.c.PartsFor(mp.From) {
			if _, mapped := mp.Parts[p.Number]; !mapped && !p.AllowedOn(mp.To) {
				v.addf("%s: part %s has no place on %s; map it to a part of %s", where, p.Number, mp.To, mp.To)
			}
		}
	}
}

func (v *validator) termFactors() {
	seen := map[int]bool{}
	for _, f := range v.c.SwaTermFactors {
		if f.Months < 1 {
			v.addf("SWA term factor for %d months: months must be at least 1", f.Months)
		}
		if seen[f.Months] {
			v.addf("SWA term factor for %d months: duplicate", f.Months)
		}
		seen[f.Months] = true
		if f.Factor <= 0 || f.Factor > 1 {
			v.addf("SWA term factor for %d months: factor %v must be in (0, 1]", f.Months, f.Factor)
		}
	}
}

// known reports every value of got that is not in allowed.
func (v *validator) known(where, what string, got, allowed []string) {
	for _, g := range got {
		if !slices.Contains(allowed, g) {
			v.addf("%s: unknown %s %q", where, what, g)
		}
	}
	if len(slices.Compact(slices.Sorted(slices.Values(got)))) != len(got) {
		v.addf("%s: repeated %s", where, what)
	}
}

// checkFormat checks that format compiles and matches whole strings only (starts with ^ and
// ends with $ at the top level, so `^a|b$` is refused).
func checkFormat(format string) error {
	if _, err := regexp.Compile(format); err != nil {
		return err
	}
	re, err := syntax.Parse(format, syntax.Perl)
	if err != nil {
		return err
	}
	if re.Op != syntax.OpConcat || len(re.Sub) < 2 ||
		re.Sub[0].Op != syntax.OpBeginText || re.Sub[len(re.Sub)-1].Op != syntax.OpEndText {
		return fmt.Errorf("%q is not anchored: it must start with ^ and end with $", format)
	}
	return nil
}
