// Package audit keeps the audit trail (ACT-7): every state-changing mutation
// records who did what to which objects, on whose behalf, in the same
// transaction as the change.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/db"
	"lms/page"
	"lms/requestid"
)

// Event is what a service records about one change.
type Event struct {
	// Action names the change, e.g. "partner.create".
	Action string
	// PartnerIDs are the tenants whose trail shows the event; the actor's own
	// partner is always added, and the impersonating distributor too.
	PartnerIDs []uuid.UUID
	// Objects are the changed objects as "Type:uuid" references.
	Objects []string
	// Summary describes the change (new values, quantities); never secrets.
	Summary map[string]any
	// Via says how a request without a signed-in user was let in, e.g.
	// ViaEmailedLink: the event then has no actor, as a system event, but is
	// shown as done via that means (Display). It is kept in the summary
	// under "via". Record refuses it on a request with an actor.
	Via string
}

// ViaEmailedLink is the Via of an event done by whoever held a signed link
// from an email (a license file download, LIC-6).
const ViaEmailedLink = "emailed link"

// viaKey is the summary entry that keeps Event.Via.
const viaKey = "via"

// Ref returns the object reference stored in an event for an object of the
// given GraphQL type and id ("Partner:…"); the API turns it into a global id.
func Ref(typ string, id uuid.UUID) string { return typ + ":" + id.String() }

// Record writes e with the actor and request id of ctx through idb, which
// must be the transaction of the change. Without an actor (seed, workers) the
// event is recorded as done by the system, or via e.Via.
func Record(ctx context.Context, idb bun.IDB, e Event) error {
	a := actor.From(ctx)
	if e.Via != "" && a != nil {
		return fmt.Errorf("record audit event %s: via %q is for requests without a signed-in user", e.Action, e.Via)
	}
	row := &db.AuditEvent{
		Action:     e.Action,
		ObjectIDs:  e.Objects,
		Summary:    e.Summary,
		RequestID:  requestid.From(ctx),
		PartnerIDs: slices.Clone(e.PartnerIDs),
	}
	if row.ObjectIDs == nil {
		row.ObjectIDs = []string{}
	}
	if row.Summary == nil {
		row.Summary = map[string]any{}
	}
	if e.Via != "" {
		row.Summary = maps.Clone(row.Summary)
		row.Summary[viaKey] = e.Via
	}
	if a != nil {
		row.ActorID = &a.User.ID
		row.ActorLabel = &db.Identity{Name: a.User.Name, Email: a.User.Email, PartnerName: a.Partner.Name}
		row.PartnerIDs = append(row.PartnerIDs, a.Partner.ID)
		if a.Impersonator != nil {
			row.ImpersonatorID = &a.Impersonator.ID
			row.ImpersonatorPartnerID = &a.ImpersonatorPartner.ID
			row.ImpersonatorLabel = &db.Identity{Name: a.Impersonator.Name, Email: a.Impersonator.Email, PartnerName: a.ImpersonatorPartner.Name}
			row.PartnerIDs = append(row.PartnerIDs, a.ImpersonatorPartner.ID)
		}
	}
	slices.SortFunc(row.PartnerIDs, func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) })
	row.PartnerIDs = slices.Compact(row.PartnerIDs)
	summary, err := json.Marshal(row.Summary)
	if err != nil {
		return fmt.Errorf("record audit event %s: %w", e.Action, err)
	}
	if err := db.Exec(ctx, idb, recordSQL, row.PartnerIDs, row.ActorID, row.ImpersonatorID, row.ImpersonatorPartnerID,
		jsonOrNull(row.ActorLabel), jsonOrNull(row.ImpersonatorLabel), row.Action, row.ObjectIDs, summary, row.RequestID); err != nil {
		return fmt.Errorf("record audit event %s: %w", e.Action, err)
	}
	return nil
}

// recordSQL inserts an audit event with parameters: every mutation runs it,
// and its text is the same every time (issue 14).
const recordSQL = `INSERT INTO audit_events (partner_ids, actor_id, impersonator_id, impersonator_partner_id,
	actor_label, impersonator_label, action, object_ids, summary, request_id)
	VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $8, $9::jsonb, $10)`

// jsonOrNull is id as JSON, or NULL.
func jsonOrNull(id *db.Identity) []byte {
	if id == nil {
		return nil
	}
	b, _ := json.Marshal(id) // strings only: never fails
	return b
}

// Service reads the audit trail.
type Service struct {
	DB bun.IDB
}

// Filter narrows an audit listing.
type Filter struct {
	// Action, when set, keeps only events of this action.
	Action string
	// ObjectRef, when set, keeps only events that touched this object.
	ObjectRef string
}

// List returns audit events newest first: an admin sees all, a partner user
// the events of its own partner (including those a distributor did while
// impersonating it, and a distributor those it did while impersonating).
// Errors: UNAUTHENTICATED, VALIDATION_FAILED (page arguments).
func (s *Service) List(ctx context.Context, f Filter, args page.Args) (*page.Page[db.AuditEvent], error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	q := s.DB.NewSelect().Model((*db.AuditEvent)(nil))
	if !a.IsAdmin() {
		q = q.Where("partner_ids @> ARRAY[?]::uuid[]", a.Partner.ID)
	}
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if f.ObjectRef != "" {
		q = q.Where("? = ANY(object_ids)", f.ObjectRef)
	}
	return page.NewestFirst(ctx, q, args, a.Scope(), "created_at", "id", func(e *db.AuditEvent) (time.Time, uuid.UUID) {
		return e.CreatedAt, e.ID
	})
}

// FindEvents returns the events with the given ids in order, nil where an
// event does not exist or the caller may not see it (see List). node and
// nodes call it with all the ids of a request. Errors: UNAUTHENTICATED.
func (s *Service) FindEvents(ctx context.Context, ids []uuid.UUID) ([]*db.AuditEvent, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	var rows []db.AuditEvent
	q := s.DB.NewSelect().Model(&rows).Where("id IN (?)", bun.In(ids))
	if !a.IsAdmin() {
		q = q.Where("partner_ids @> ARRAY[?]::uuid[]", a.Partner.ID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("find audit events: %w", err)
	}
	return db.InOrder(ids, rows, func(e *db.AuditEvent) uuid.UUID { return e.ID }), nil
}

// Display names who did an event the way the guide shows it: the acting
// user, or "IMP:<impersonator>/<dealer>" when a distributor user acted as a
// dealer user (ACT-5), "via <means>" for a request let in without a user
// (Event.Via, e.g. "via emailed link"), or "system".
func Display(e *db.AuditEvent) string {
	via, _ := e.Summary[viaKey].(string)
	switch {
	case e.ActorLabel == nil && via != "":
		return "via " + via
	case e.ActorLabel == nil:
		return "system"
	case e.ImpersonatorLabel != nil:
		return "IMP:" + e.ImpersonatorLabel.Name + "/" + e.ActorLabel.PartnerName
	default:
		return e.ActorLabel.Name + " (" + e.ActorLabel.PartnerName + ")"
	}
}
