package auth

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"lms/db"
)

// usable restricts a query of the db.APIToken model to the tokens that may
// still act: not revoked, not expired, and neither their user nor their
// impersonator disabled. It is the one statement of that rule.
func usable(q *bun.SelectQuery) *bun.SelectQuery {
	return q.Where("?TableAlias.revoked_at IS NULL").
		Where("?TableAlias.expires_at IS NULL OR ?TableAlias.expires_at > now()").
		Where("NOT EXISTS (SELECT 1 FROM users u WHERE u.id IN (?TableAlias.user_id, ?TableAlias.impersonator_id) AND u.disabled_at IS NOT NULL)")
}

// StillValid reports whether the token a request authenticated with may
// still act (not revoked, not expired, its user and impersonator not
// disabled). Long-lived streams (subscriptions) call it before each event,
// so its answer is cached for RecheckAfter; a token revoked through this
// Service is invalid at once, a change made elsewhere (another process, a
// user disabled in the database) is seen within RecheckAfter. Anyone may
// call it. Errors: none expected; database errors are internal.
func (s *Service) StillValid(ctx context.Context, tokenID uuid.UUID) (bool, error) {
	now := time.Now()
	if valid, ok := s.validity.get(tokenID, now); ok {
		return valid, nil
	}
	valid, err := usable(s.DB.NewSelect().Model((*db.APIToken)(nil))).Where("?TableAlias.id = ?", tokenID).Exists(ctx)
	if err != nil {
		return false, fmt.Errorf("check token %s: %w", tokenID, err)
	}
	s.validity.put(tokenID, valid, now, s.RecheckAfter)
	return valid, nil
}

// maxCachedTokens bounds the validity cache: more live tokens than this
// only cost more queries.
const maxCachedTokens = 10_000

// validityCache remembers StillValid's answers for a while.
type validityCache struct {
	mu      sync.Mutex
	entries map[uuid.UUID]validity
}

type validity struct {
	valid bool
	until time.Time
}

// get returns the answer for id cached at now, if there is one.
func (c *validityCache) get(id uuid.UUID, now time.Time) (valid, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.entries[id]
	if !ok || !now.Before(v.until) {
		return false, false
	}
	return v.valid, true
}

// put caches the answer for id from now for ttl; nothing when ttl is 0.
// When the cache is full, the expired answers go, and all of them when
// none has expired.
func (c *validityCache) put(id uuid.UUID, valid bool, now time.Time, ttl time.Duration) {
	if ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[uuid.UUID]validity{}
	}
	if _, ok := c.entries[id]; !ok && len(c.entries) >= maxCachedTokens {
		for k, v := range c.entries {
			if !now.Before(v.until) {
				delete(c.entries, k)
			}
		}
		if len(c.entries) >= maxCachedTokens {
			clear(c.entries)
		}
	}
	c.entries[id] = validity{valid: valid, until: now.Add(ttl)}
}

// forget drops the answer for id.
func (c *validityCache) forget(id uuid.UUID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, id)
}
