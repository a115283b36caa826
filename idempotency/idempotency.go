// Package idempotency makes a mutation safe to retry (SPEC §12): a client
// key claims the request, a retry with the same key and input gets the
// first answer back without running it again, and the same key with another
// input is refused. Attach, activation, reship, return, demo licenses and
// uploads use it; SWA will too.
package idempotency

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"lms/actor"
	"lms/apperr"
	"lms/db"
)

// Retention is how long an idempotency key answers retries (SPEC §12 asks
// for at least 24 hours).
const Retention = 48 * time.Hour

// Once runs do in tx once per client key. Without a key it just runs do.
// With a key it first claims the key: a retry with the same key and the
// same operation and input gets the first answer back, and do does not run
// again; the same key with another input is IDEMPOTENCY_KEY_REUSED (on
// field idempotencyKey, as is a key that is empty or over 200 characters:
// VALIDATION_FAILED). Only successful answers are kept: a failed request
// rolls its claim back with everything else, so a retry runs afresh. Two
// concurrent requests with one key queue on the key's primary key, and the
// second answers with the first's result. Keys belong to the actor's
// partner; input is hashed as JSON, so fields tagged `json:"-"` (the key
// itself) do not count.
func Once[T any](ctx context.Context, tx bun.Tx, a *actor.Actor, key *string, op string, input any, do func() (T, error)) (T, error) {
	var zero T
	if key == nil {
		return do()
	}
	k := strings.TrimSpace(*key)
	if k == "" || len(k) > 200 {
		return zero, apperr.Invalid("idempotencyKey", "an idempotency key has 1 to 200 characters")
	}
	raw, err := json.Marshal(input)
	if err != nil {
		return zero, fmt.Errorf("hash %s input: %w", op, err)
	}
	sum := sha256.Sum256(append([]byte(op+"\x00"), raw...))
	row := &db.IdempotencyKey{PartnerID: a.Partner.ID, Key: k, Operation: op, RequestHash: sum[:], UserID: &a.User.ID}
	res, err := tx.NewInsert().Model(row).On("CONFLICT DO NOTHING").Exec(ctx)
	if err != nil {
		return zero, fmt.Errorf("claim idempotency key: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		first := new(db.IdempotencyKey)
		if err := tx.NewSelect().Model(first).Where("partner_id = ?", row.PartnerID).Where("key = ?", k).Scan(ctx); err != nil {
			return zero, fmt.Errorf("read idempotency key: %w", err)
		}
		if first.Operation != op || !bytes.Equal(first.RequestHash, row.RequestHash) {
			return zero, apperr.New(apperr.IdempotencyKeyReused, "idempotency key %q was used for another request; use a new key for a new request", k).OnField("idempotencyKey")
		}
		var out T
		if err := json.Unmarshal(first.Response, &out); err != nil {
			return zero, fmt.Errorf("decode remembered answer: %w", err)
		}
		return out, nil
	}
	out, err := do()
	if err != nil {
		return zero, err
	}
	if row.Response, err = json.Marshal(out); err != nil {
		return zero, fmt.Errorf("encode answer: %w", err)
	}
	if _, err := tx.NewUpdate().Model(row).Column("response").WherePK().Exec(ctx); err != nil {
		return zero, fmt.Errorf("remember answer: %w", err)
	}
	return out, nil
}

// Mutation runs a mutation the SPEC §12 way: the caller must be signed in
// and, when allow is set, allowed; in must be valid; then do runs in one
// transaction of idb, once per idempotency key (Once). Errors:
// UNAUTHENTICATED, what allow and in.Validate return, what Once returns,
// and do's.
func Mutation[T any](ctx context.Context, idb *bun.DB, op string, in interface{ Validate() error }, key *string,
	allow func(*actor.Actor) error, do func(context.Context, bun.Tx, *actor.Actor) (T, error),
) (T, error) {
	var out T
	a, err := actor.Require(ctx)
	if err != nil {
		return out, err
	}
	if allow != nil {
		if err := allow(a); err != nil {
			return out, err
		}
	}
	if err := in.Validate(); err != nil {
		return out, err
	}
	err = idb.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		out, err = Once(ctx, tx, a, key, op, in, func() (T, error) { return do(ctx, tx, a) })
		return err
	})
	return out, err
}

// Purge deletes the keys older than Retention at now; a periodic job
// (PurgeArgs) calls it. It returns how many it deleted.
func Purge(ctx context.Context, idb bun.IDB, now time.Time) (int, error) {
	res, err := idb.NewDelete().Model((*db.IdempotencyKey)(nil)).
		Where("created_at < ?", now.Add(-Retention)).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("purge idempotency keys: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// PurgeArgs is the periodic River job that deletes expired idempotency
// keys.
type PurgeArgs struct{}

// Kind implements river.JobArgs. The kind is the one jobs were enqueued
// with before this package existed, so queued jobs keep working.
func (PurgeArgs) Kind() string { return "purge_idempotency_keys" }
