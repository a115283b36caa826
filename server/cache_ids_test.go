package server_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

// withoutIdentity are the object types without an id, each for a reason a
// normalised cache (Apollo, Relay, urql) accepts: it stores them inside the
// object or field that holds them. Connections, edges and mutation payloads
// are left out by their names.
var withoutIdentity = map[string]string{
	"Query":             "root",
	"Mutation":          "root",
	"Subscription":      "root",
	"PageInfo":          "state of one connection",
	"UserError":         "part of one mutation's answer",
	"Viewer":            "the caller's session: who it is now",
	"Impersonation":     "part of the viewer's session",
	"Catalog":           "the one catalog; its system types, parts and applications have ids",
	"LicenseBin":        "a view of the bin under a filter, not an object",
	"BinPart":           "a part's total in one view of the bin",
	"PartInventory":     "a part's totals in one inventory query",
	"Entitlement":       "a stacked amount computed for one location or file",
	"Address":           "a value inside a customer or location",
	"LocationSwa":       "a location's SWA for one application, computed; its agreements and activations have ids",
	"SwaQuote":          "a quote computed for one location on one day",
	"SwaQuoteTerm":      "a line of one quote",
	"SwaRenewalQuote":   "a renewal quote computed for a customer or location on one day",
	"SwaRenewalLine":    "a line of one renewal quote",
	"SwaUnitBin":        "a view of the SWA unit bin; its orders have ids",
	"SwaReservation":    "a pending assignment as one list shows it; the assignment has its id",
	"SwaEscalation":     "a record inside its assignment, like an audit event's identity",
	"AuditIdentity":     "a value inside an audit event: who acted, as recorded then",
	"LicenseSigningKey": "a public key: immutable, keyId is its fingerprint",

	"FreeOfChargeLicense": "a part a location may attach free of charge today, computed; its part and license have ids",

	"LocationHistoryLicense": "a license as one history snapshot keeps it, immutable inside its entry",
	"DectUploadLine":         "a line inside its DECT upload; its part has an id",
	"DectUploadError":        "a value inside its DECT upload: why it was refused",
}

// Every object type a client can get has an id (and is a Node, so that
// node(id) refetches it), except those with no identity of their own: a
// normalised cache needs no per-type configuration.
func TestObjectTypesHaveIDs(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true, NoWorkers: true})
	type named struct{ Name string }
	type field struct {
		Name string
		Type struct {
			Kind   string
			OfType *named
		}
	}
	var got struct {
		Schema struct {
			Types []struct {
				Name, Kind string
				Fields     []field
				Interfaces []named
			}
		} `json:"__schema"`
	}
	env.Query(t, lmstest.Admin, `{ __schema { types { name kind
  fields { name type { kind ofType { name } } } interfaces { name } } } }`, nil).Decode(t, &got)

	var missing []string
	objects := 0
	for _, typ := range got.Schema.Types {
		if typ.Kind != "OBJECT" || strings.HasPrefix(typ.Name, "__") {
			continue
		}
		objects++
		i := slices.IndexFunc(typ.Fields, func(f field) bool { return f.Name == "id" })
		if i < 0 {
			missing = append(missing, typ.Name)
			continue
		}
		id := typ.Fields[i].Type
		require.Equal(t, "NON_NULL", id.Kind, "%s.id", typ.Name)
		require.Equal(t, "ID", id.OfType.Name, "%s.id", typ.Name)
		require.Contains(t, typ.Interfaces, named{"Node"}, "%s has an id and must implement Node", typ.Name)
	}
	require.Greater(t, objects, 50)

	var unexplained []string
	for _, name := range missing {
		structural := strings.HasSuffix(name, "Connection") || strings.HasSuffix(name, "Edge") || strings.HasSuffix(name, "Payload")
		if _, ok := withoutIdentity[name]; !ok && !structural {
			unexplained = append(unexplained, name)
		}
	}
	require.Empty(t, unexplained, "object types without an id")
	for name := range withoutIdentity {
		require.Contains(t, missing, name, "%s has an id now: take it off withoutIdentity", name)
	}
}
