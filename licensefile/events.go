package licensefile

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"lms/actor"
	"lms/apperr"
	"lms/db"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Events fans the FileReadyChannel notifications of PostgreSQL out to the
// subscribers of this process, by location. The file worker may run in any
// process: the notification is sent in its transaction, so it arrives once
// the file is committed (LIC-5 "poll or subscribe").
type Events struct {
	mu   sync.Mutex
	subs map[uuid.UUID]map[chan FileReadyEvent]struct{}
	// listening is closed once LISTEN is in effect.
	listening chan struct{}
	once      sync.Once
}

func (e *Events) init() {
	e.once.Do(func() {
		e.subs = map[uuid.UUID]map[chan FileReadyEvent]struct{}{}
		e.listening = make(chan struct{})
	})
}

// Listening is closed once the first LISTEN is in effect.
func (e *Events) Listening() <-chan struct{} {
	e.init()
	return e.listening
}

// Subscribe returns a channel of the files that become ready for a location
// from now on, and a function that ends the subscription. A subscriber that
// does not keep up misses events rather than blocking the others; it can
// always read the location's files.
func (e *Events) Subscribe(locationID uuid.UUID) (<-chan FileReadyEvent, func()) {
	e.init()
	ch := make(chan FileReadyEvent, 16)
	e.mu.Lock()
	if e.subs[locationID] == nil {
		e.subs[locationID] = map[chan FileReadyEvent]struct{}{}
	}
	e.subs[locationID][ch] = struct{}{}
	e.mu.Unlock()
	return ch, func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		if _, ok := e.subs[locationID][ch]; ok {
			delete(e.subs[locationID], ch)
			if len(e.subs[locationID]) == 0 {
				delete(e.subs, locationID)
			}
			close(ch)
		}
	}
}

// Subscribers returns how many subscriptions the location has in this
// process. Tests wait on it to know that a subscription is in effect.
func (e *Events) Subscribers(locationID uuid.UUID) int {
	e.init()
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.subs[locationID])
}

func (e *Events) publish(ev FileReadyEvent) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for ch := range e.subs[ev.LocationID] {
		select {
		case ch <- ev:
		default:
		}
	}
}

// ListenOn makes n deliver the FileReadyChannel notifications to the
// subscribers; Listening is closed once n first listens.
func (e *Events) ListenOn(n *db.Notifications) {
	e.init()
	n.Listen(FileReadyChannel, db.Listener{
		ListeningFunc: func(context.Context) error {
			select {
			case <-e.listening:
			default:
				close(e.listening)
			}
			return nil
		},
		NotifiedFunc: func(_ context.Context, payload string) {
			var ev FileReadyEvent
			if err := json.Unmarshal([]byte(payload), &ev); err == nil {
				e.publish(ev)
			}
		},
	})
}

// WatchFiles streams the license file generations of a location that reach
// their final status (READY, or FAILED) from now on, until ctx ends (LIC-5:
// the client can subscribe until the file is ready). With fileID, that
// generation is sent at once if it is final already, so a client that
// subscribes after activating cannot miss it. The location must be one the
// caller may see. Errors: UNAUTHENTICATED, NOT_FOUND.
func (s *Service) WatchFiles(ctx context.Context, locationID uuid.UUID, fileID *uuid.UUID) (<-chan *db.LicenseFile, error) {
	sent := map[uuid.UUID]bool{}
	return watchLocation(ctx, s, locationID, fileID, func(ev FileReadyEvent) uuid.UUID { return ev.FileID }, func(id uuid.UUID) *db.LicenseFile {
		if sent[id] {
			return nil
		}
		fs, err := s.FindFiles(ctx, []uuid.UUID{id})
		if err != nil || fs[0] == nil || fs[0].LocationID != locationID || fs[0].Status == db.LicenseFilePending {
			return nil
		}
		sent[id] = true
		return fs[0]
	})
}

// watchLocation streams, until ctx ends, what next finds for the ids pick
// takes from a location's events (uuid.Nil: none), starting with first
// when it is set; next answers nil for what is not to be sent (not final
// yet, or sent already) and is called from one goroutine only. The
// location must be one the caller may see: subscribed first, then
// checked, so a change in between is announced on the events and one
// before is found by next. Errors: UNAUTHENTICATED, NOT_FOUND.
func watchLocation[T any](ctx context.Context, s *Service, locationID uuid.UUID, first *uuid.UUID,
	pick func(FileReadyEvent) uuid.UUID, next func(uuid.UUID) *T,
) (<-chan *T, error) {
	a, err := actor.Require(ctx)
	if err != nil {
		return nil, err
	}
	visible, err := a.Restrict(s.DB.NewSelect().Model((*db.Location)(nil)), "l.partner_id").
		Where("l.id = ?", locationID).Where("l.deleted_at IS NULL").Exists(ctx)
	if err != nil {
		return nil, fmt.Errorf("find location %s: %w", locationID, err)
	}
	if !visible {
		return nil, apperr.NotFoundf("location").OnField("locationId")
	}
	events, cancel := s.Events.Subscribe(locationID)
	out := make(chan *T, 1)
	send := func(id uuid.UUID) bool {
		v := next(id)
		if v == nil {
			return true
		}
		select {
		case out <- v:
			return true
		case <-ctx.Done():
			return false
		}
	}
	go func() {
		defer close(out)
		defer cancel()
		if first != nil && !send(*first) {
			return
		}
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-events:
				if !ok {
					return
				}
				if id := pick(ev); id != uuid.Nil && !send(id) {
					return
				}
			}
		}
	}()
	return out, nil
}

// notifyEvent sends ev on FileReadyChannel when tx commits, to the
// Events of every API process (a license file's final status, a DECT
// upload's new one).
func notifyEvent(ctx context.Context, tx bun.Tx, ev FileReadyEvent) error {
	payload, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "SELECT pg_notify(?, ?)", FileReadyChannel, string(payload)); err != nil {
		return fmt.Errorf("announce on %s: %w", FileReadyChannel, err)
	}
	return nil
}
