package idempotency_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"lms/actor"
	"lms/apperr"
	"lms/db"
	"lms/db/dbtest"
	"lms/idempotency"
)

type testBundle struct {
	db  *bun.DB
	ctx context.Context
	a   *actor.Actor
}

// setup makes a fresh database with one partner and its user, signed in.
func setup(t *testing.T) *testBundle {
	t.Helper()
	d, _ := dbtest.New(t)
	ctx := context.Background()
	p := &db.Partner{Kind: db.PartnerDealer, Name: "Dealer Q", Email: "office@dealer-q.example"}
	_, err := d.Bun.NewInsert().Model(p).Returning("id").Exec(ctx)
	require.NoError(t, err)
	u := &db.User{PartnerID: p.ID, Email: "quinn@dealer-q.example", Name: "Quinn", Roles: []db.Role{}}
	_, err = d.Bun.NewInsert().Model(u).Returning("id").Exec(ctx)
	require.NoError(t, err)
	a := &actor.Actor{User: u, Partner: p}
	return &testBundle{db: d.Bun, ctx: actor.With(ctx, a), a: a}
}

type input struct {
	Quantity int
	Key      *string `json:"-"`
}

func (in input) Validate() error {
	if in.Quantity < 1 {
		return apperr.Invalid("quantity", "at least 1")
	}
	return nil
}

// run is a mutation that counts how often its work ran.
func (b *testBundle) run(ran *atomic.Int32, in input) (int, error) {
	return idempotency.Mutation(b.ctx, b.db, "take", in, in.Key, nil, func(context.Context, bun.Tx, *actor.Actor) (int, error) {
		return int(ran.Add(1)) * 100, nil
	})
}

func TestMutation(t *testing.T) {
	t.Parallel()

	t.Run("RetryGetsTheFirstAnswer", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		var ran atomic.Int32
		key := "k-1"
		first, err := b.run(&ran, input{Quantity: 2, Key: &key})
		require.NoError(t, err)
		again, err := b.run(&ran, input{Quantity: 2, Key: &key})
		require.NoError(t, err)
		require.Equal(t, first, again)
		require.EqualValues(t, 1, ran.Load())
	})

	t.Run("SameKeyOtherInput", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		var ran atomic.Int32
		key := "k-2"
		_, err := b.run(&ran, input{Quantity: 2, Key: &key})
		require.NoError(t, err)
		_, err = b.run(&ran, input{Quantity: 3, Key: &key})
		require.Equal(t, apperr.IdempotencyKeyReused, apperr.CodeOf(err))
		require.EqualValues(t, 1, ran.Load())
	})

	t.Run("WithoutKeyRunsEachTime", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		var ran atomic.Int32
		for range 2 {
			_, err := b.run(&ran, input{Quantity: 2})
			require.NoError(t, err)
		}
		require.EqualValues(t, 2, ran.Load())
	})

	t.Run("InvalidKeyOrInput", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		var ran atomic.Int32
		empty := " "
		_, err := b.run(&ran, input{Quantity: 2, Key: &empty})
		require.Equal(t, apperr.ValidationFailed, apperr.CodeOf(err))
		_, err = b.run(&ran, input{Quantity: 0})
		require.Equal(t, apperr.ValidationFailed, apperr.CodeOf(err))
		_, err = idempotency.Mutation(context.Background(), b.db, "take", input{Quantity: 1}, nil, nil, func(context.Context, bun.Tx, *actor.Actor) (int, error) { return 0, nil })
		require.Equal(t, apperr.Unauthenticated, apperr.CodeOf(err))
		require.EqualValues(t, 0, ran.Load())
	})

	t.Run("FailureIsNotRemembered", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		key := "k-3"
		calls := 0
		do := func(context.Context, bun.Tx, *actor.Actor) (int, error) {
			if calls++; calls == 1 {
				return 0, errors.New("database went away")
			}
			return 7, nil
		}
		_, err := idempotency.Mutation(b.ctx, b.db, "take", input{Quantity: 1}, &key, nil, do)
		require.Error(t, err)
		got, err := idempotency.Mutation(b.ctx, b.db, "take", input{Quantity: 1}, &key, nil, do)
		require.NoError(t, err)
		require.Equal(t, 7, got)
	})

	t.Run("ConcurrentRetriesRunOnce", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		var ran atomic.Int32
		key := "k-4"
		var wg sync.WaitGroup
		answers := make([]int, 8)
		for i := range answers {
			wg.Go(func() {
				var err error
				answers[i], err = b.run(&ran, input{Quantity: 1, Key: &key})
				assert.NoError(t, err)
			})
		}
		wg.Wait()
		require.EqualValues(t, 1, ran.Load())
		for _, got := range answers {
			require.Equal(t, 100, got)
		}
	})
}

func TestPurge(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var ran atomic.Int32
	key := "k-old"
	_, err := b.run(&ran, input{Quantity: 1, Key: &key})
	require.NoError(t, err)

	n, err := idempotency.Purge(b.ctx, b.db, time.Now())
	require.NoError(t, err)
	require.Zero(t, n, "a key within the retention is kept")
	n, err = idempotency.Purge(b.ctx, b.db, time.Now().Add(idempotency.Retention+time.Minute))
	require.NoError(t, err)
	require.Equal(t, 1, n)

	_, err = b.run(&ran, input{Quantity: 1, Key: &key})
	require.NoError(t, err)
	require.EqualValues(t, 2, ran.Load(), "a purged key runs afresh")
}
