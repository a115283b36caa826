package db

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Notifications is the one connection of a process that listens for
// PostgreSQL notifications (LISTEN/NOTIFY), shared by every part of the
// process that needs some: file-ready events, catalog and authentication
// changes. One connection per process, whatever the number of channels.
type Notifications struct {
	Pool   *pgxpool.Pool
	Logger *slog.Logger

	mu        sync.Mutex
	listeners map[string][]Listener
}

// Listener is told of the notifications of one channel. Its functions run
// on Run's goroutine, one at a time, and must not block for long.
type Listener struct {
	// ListeningFunc, if set, is called each time the channel is listened
	// to: at start and after every reconnection, when changes announced
	// meanwhile were missed.
	ListeningFunc func(ctx context.Context) error
	// NotifiedFunc is called with the payload of each notification.
	NotifiedFunc func(ctx context.Context, payload string)
	// LostFunc, if set, is called when the connection is lost: until
	// ListeningFunc is called again, nothing is heard.
	LostFunc func()
}

// Listen adds l to the listeners of channel. Call it before Run.
func (n *Notifications) Listen(channel string, l Listener) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.listeners == nil {
		n.listeners = map[string][]Listener{}
	}
	n.listeners[channel] = append(n.listeners[channel], l)
}

// Run listens until ctx ends, reconnecting after a lost connection with a
// growing pause (up to 10 s).
func (n *Notifications) Run(ctx context.Context) {
	log := n.Logger
	if log == nil {
		log = slog.Default()
	}
	n.mu.Lock()
	listeners := n.listeners
	n.mu.Unlock()
	if len(listeners) == 0 {
		return
	}
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := n.listen(ctx, listeners)
		for _, ls := range listeners {
			for _, l := range ls {
				if l.LostFunc != nil {
					l.LostFunc()
				}
			}
		}
		if ctx.Err() != nil {
			return
		}
		log.Warn("PostgreSQL notifications: connection lost; reconnecting", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 10*time.Second)
	}
}

// listen takes a connection out of the pool for good (it carries LISTEN
// state, so it is closed at the end rather than returned), listens on every
// channel and dispatches notifications until the connection or a listener
// fails.
func (n *Notifications) listen(ctx context.Context, listeners map[string][]Listener) error {
	conn, err := n.Pool.Acquire(ctx)
	if err != nil {
		return err
	}
	pc := conn.Hijack()
	defer pc.Close(context.Background())
	for channel := range listeners {
		if _, err := pc.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
			return err
		}
	}
	for _, ls := range listeners {
		for _, l := range ls {
			if l.ListeningFunc != nil {
				if err := l.ListeningFunc(ctx); err != nil {
					return err
				}
			}
		}
	}
	for {
		note, err := pc.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		for _, l := range listeners[note.Channel] {
			l.NotifiedFunc(ctx, note.Payload)
		}
	}
}
