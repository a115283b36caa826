package auth

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun/dialect/pgdialect"

	"lms/actor"
	"lms/db"
)

// ChangedChannel is the PostgreSQL notification channel on which triggers
// (migration 20261206000300) announce, when their transaction commits, every
// change that can make a token act differently or not at all: a token
// revoked, its expiry or owner changed; a user or partner changed, disabled
// or deleted.
const ChangedChannel = "lms_auth_changed"

// CacheTTL bounds how long an authentication is trusted without reading the
// database again, even when no change was announced.
const CacheTTL = 30 * time.Second

// maxCachedActors bounds the cache: more live tokens than this only cost
// more statements.
const maxCachedActors = 10_000

// touchInterval is how often, by default, the last use of tokens answered
// from the cache is written, in one statement for all of them.
const touchInterval = 30 * time.Second

// actorCache remembers, per token hash, the actor Authenticate found, so
// that a request with a token seen moments ago costs no statement (issue
// 14). It answers only while Run listens for ChangedChannel and is emptied
// on every notification, so a change anywhere is seen from the moment this
// process hears of it; a token revoked through this Service is forgotten
// before RevokeToken returns. An answer read from the database before a
// change and stored after it is dropped (the generation moved).
type actorCache struct {
	listening  atomic.Bool
	generation atomic.Uint64

	mu      sync.Mutex
	entries map[string]cachedActor
	used    map[uuid.UUID]time.Time // tokens answered from the cache, for touch
}

type cachedActor struct {
	actor *actor.Actor
	until time.Time
}

// get returns a copy of the actor cached for hash at now.
func (c *actorCache) get(hash []byte, now time.Time) (*actor.Actor, bool) {
	if !c.listening.Load() {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[string(hash)]
	if !ok || !now.Before(e.until) {
		return nil, false
	}
	if c.used == nil {
		c.used = map[uuid.UUID]time.Time{}
	}
	c.used[e.actor.TokenID] = now
	a := *e.actor
	return &a, true
}

// put caches a for hash until the earlier of now+CacheTTL and expires,
// unless the cache was emptied since generation was read.
func (c *actorCache) put(hash []byte, a *actor.Actor, expires *time.Time, generation uint64, now time.Time) {
	if !c.listening.Load() {
		return
	}
	until := now.Add(CacheTTL)
	if expires != nil && expires.Before(until) {
		until = *expires
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.generation.Load() != generation {
		return
	}
	if c.entries == nil || len(c.entries) >= maxCachedActors {
		c.entries = map[string]cachedActor{}
	}
	stored := *a
	c.entries[string(hash)] = cachedActor{actor: &stored, until: until}
}

// invalidate empties the cache; answers being read now are not stored.
func (c *actorCache) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.generation.Add(1)
	clear(c.entries)
}

// takeUsed returns and forgets the tokens used since the last call.
func (c *actorCache) takeUsed() map[uuid.UUID]time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	used := c.used
	c.used = nil
	return used
}

// ListenOn lets Authenticate answer from memory while n listens for
// changes (ChangedChannel); Run records the last use of the tokens so
// answered. Without ListenOn every request reads the database.
func (s *Service) ListenOn(n *db.Notifications) {
	n.Listen(ChangedChannel, db.Listener{
		ListeningFunc: func(context.Context) error {
			s.cache.invalidate()
			s.cache.listening.Store(true)
			return nil
		},
		NotifiedFunc: func(context.Context, string) { s.cache.invalidate() },
		LostFunc: func() {
			s.cache.listening.Store(false)
			s.cache.invalidate()
		},
	})
}

// Run records, every TouchInterval until ctx ends and once more then, the
// last use of the tokens Authenticate answered from memory.
func (s *Service) Run(ctx context.Context, log *slog.Logger) {
	if log == nil {
		log = slog.Default()
	}
	t := time.NewTicker(cmp.Or(s.TouchInterval, touchInterval))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			s.touch(context.WithoutCancel(ctx), log)
			return
		case <-t.C:
			s.touch(ctx, log)
		}
	}
}

// touch records the last use of the tokens answered from the cache, once a
// minute per token at most, like authenticateSQL does for the others.
func (s *Service) touch(ctx context.Context, log *slog.Logger) {
	used := s.cache.takeUsed()
	if len(used) == 0 {
		return
	}
	ids := make([]uuid.UUID, 0, len(used))
	times := make([]time.Time, 0, len(used))
	for id, at := range used {
		ids = append(ids, id)
		times = append(times, at)
	}
	_, err := s.DB.NewRaw(`UPDATE api_tokens AS t SET last_used_at = u.at
		FROM unnest(?::uuid[], ?::timestamptz[]) AS u (id, at)
		WHERE t.id = u.id AND (t.last_used_at IS NULL OR t.last_used_at < u.at - interval '1 minute')`,
		pgdialect.Array(ids), pgdialect.Array(times)).Exec(ctx)
	if err != nil {
		log.Warn("record the last use of API tokens", "tokens", len(ids), "err", fmt.Errorf("touch: %w", err))
	}
}
