package graph

import (
	"bufio"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	coderws "github.com/coder/websocket"

	"lms/actor"
	"lms/apperr"
)

// Websocket close codes of the graphql-transport-ws protocol that LMS
// sends (the legacy graphql-ws clients get the same).
const (
	// CloseUnauthorized refuses a connection_init without a token, and ends
	// a socket whose subscriptions' API token is no longer valid (revoked,
	// expired, its user disabled, the impersonation ended): sign in again
	// and subscribe again.
	CloseUnauthorized = 4401
	// CloseForbidden refuses a connection_init whose Authorization is
	// not a valid token.
	CloseForbidden = 4403
)

// DefaultWebsocketInitTimeout is how long a new websocket may take to send
// connection_init before it is closed.
const DefaultWebsocketInitTimeout = 10 * time.Second

// maxWebsocketMessage bounds one message a client sends over a websocket
// (gqlgen's default is 1 MiB): a subscription or an operation is far
// smaller, and messages do not take turns like large HTTP bodies do.
var maxWebsocketMessage int64 = 64 << 10

// websocketTransport is gqlgen's websocket transport (graphql-transport-ws,
// and the legacy graphql-ws of subscriptions-transport-ws) with what a
// server open to anyone needs besides: every socket it accepts is closed
// once gqlgen is done with it, whichever way gqlgen got there; a
// subscription can close its socket with a close code of its own
// (closeSocket); and the sockets held open are counted.
type websocketTransport struct {
	transport.Websocket
	// Accept holds the origin patterns cross-origin sockets may come from.
	Accept  coderws.AcceptOptions
	Sockets *Websockets
}

// Do serves one websocket until it is closed.
func (t websocketTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	s := &socket{accept: t.Accept, cancel: cancel}
	ws := t.Websocket
	ws.Implementation = s
	ws.Do(&countingWriter{ResponseWriter: w, sockets: t.Sockets}, r.WithContext(context.WithValue(ctx, socketKey{}, s)), exec)
	// gqlgen returns without closing the socket on some failed
	// connection_init (a payload that is not an object); a no-op when it
	// has started closing it.
	s.close(transport.WebsocketCloseProtocolError, "connection ended")
}

// socket is one accepted websocket: gqlgen's websocket implementation for
// it, and the handle closeSocket closes it with.
type socket struct {
	accept coderws.AcceptOptions
	// cancel ends the connection's context: gqlgen then ends its
	// operations and closes the socket.
	cancel context.CancelFunc

	mu   sync.Mutex
	conn transport.WebsocketConn // nil until accepted
}

type socketKey struct{}

// Accept accepts the websocket through gqlgen's coder/websocket adapter.
func (s *socket) Accept(w http.ResponseWriter, r *http.Request, o transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	conn, err := transport.CoderWebsocketImplementation{AcceptOptions: s.accept}.Accept(w, r, o)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.conn = conn
	s.mu.Unlock()
	return conn, nil
}

// close starts the close handshake with code, unless one has started
// already (gqlgen's adapter sends only the first close frame), and frees
// the connection when the handshake ends.
func (s *socket) close(code int, reason string) {
	s.mu.Lock()
	conn := s.conn
	s.mu.Unlock()
	if conn == nil {
		return
	}
	_ = conn.WriteClose(code, reason)
	_ = conn.Close()
}

// closeSocket closes the websocket that ctx's operation came over with
// code and reason, and ends its operations. It reports false when the
// operation did not come over a websocket.
func closeSocket(ctx context.Context, code int, reason string) bool {
	s, ok := ctx.Value(socketKey{}).(*socket)
	if !ok {
		return false
	}
	// The close frame first: gqlgen closes with 1000 once the connection
	// context ends, and only the first close frame is sent.
	s.close(code, reason)
	s.cancel()
	return true
}

// websocketInit authenticates a websocket whose upgrade request carried no
// bearer token (browsers cannot set headers on websockets) from the
// connection_init payload's "Authorization": "Bearer <token>". A token that
// is not valid closes the socket with CloseForbidden, no token at all with
// CloseUnauthorized. The acknowledgement
// carries no payload: echoing the init payload would send the token back.
func (r *Resolver) websocketInit(log *slog.Logger) transport.WebsocketInitFunc {
	return func(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
		if actor.From(ctx) != nil {
			return ctx, nil, nil
		}
		h := p.Authorization()
		if h == "" {
			// Nothing can be done over a websocket without a token:
			// refused at once, an anonymous socket holds nothing open.
			return refuseSocket(ctx, CloseUnauthorized, `authentication required: send connection_init with {"Authorization": "Bearer <token>"}`)
		}
		scheme, token, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Bearer") {
			return refuseSocket(ctx, CloseForbidden, "the Authorization of connection_init must be \"Bearer <token>\"")
		}
		a, err := r.Services.Tokens.Authenticate(ctx, strings.TrimSpace(token))
		if e, ok := apperr.As(err); ok {
			return refuseSocket(ctx, CloseForbidden, e.Message)
		}
		if err != nil {
			log.ErrorContext(ctx, "authenticate websocket", "err", err)
			return refuseSocket(ctx, int(coderws.StatusInternalError), "internal server error")
		}
		return actor.With(ctx, a), nil, nil
	}
}

// refuseSocket is what an InitFunc returns to close the socket with code:
// gqlgen sends the reason (as connection_error in graphql-ws) and closes
// with the code the context carries.
func refuseSocket(ctx context.Context, code int, reason string) (context.Context, *transport.InitPayload, error) {
	ctx = transport.WithWebsocketCloseCode(transport.AppendCloseReason(ctx, reason), code)
	return ctx, nil, errors.New(reason)
}

// Websockets counts the websockets the GraphQL handler holds, from the
// upgrade until their network connection is closed.
type Websockets struct {
	mu      sync.Mutex
	open    int
	changed chan struct{} // closed and replaced on every change
}

// Open returns the number of websockets held open.
func (ws *Websockets) Open() int {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	return ws.open
}

// WaitIdle returns once no websocket is open, or ctx's error when ctx ends
// first.
func (ws *Websockets) WaitIdle(ctx context.Context) error {
	for {
		ws.mu.Lock()
		open, changed := ws.open, ws.changedLocked()
		ws.mu.Unlock()
		if open == 0 {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (ws *Websockets) changedLocked() chan struct{} {
	if ws.changed == nil {
		ws.changed = make(chan struct{})
	}
	return ws.changed
}

func (ws *Websockets) add(n int) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	ws.open += n
	close(ws.changedLocked())
	ws.changed = nil
}

// countingWriter counts the connection a websocket upgrade hijacks until
// it is closed.
type countingWriter struct {
	http.ResponseWriter
	sockets *Websockets
}

func (w *countingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *countingWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil || w.sockets == nil {
		return conn, rw, err
	}
	w.sockets.add(1)
	return &countedConn{Conn: conn, sockets: w.sockets}, rw, nil
}

type countedConn struct {
	net.Conn
	sockets *Websockets
	once    sync.Once
}

func (c *countedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.sockets.add(-1) })
	return err
}
