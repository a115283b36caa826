package graph

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"
)

// A websocket that never sends connection_init is closed after the init
// timeout and its connection freed.
func TestWebsocketInitTimeout(t *testing.T) {
	t.Parallel()
	sockets := new(Websockets)
	srv := httptest.NewServer(NewHandler(HandlerOpts{
		Resolver:             &Resolver{},
		Logger:               slog.New(slog.NewTextHandler(io.Discard, nil)),
		WebsocketInitTimeout: 50 * time.Millisecond,
		Websockets:           sockets,
	}))
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	for _, proto := range []string{"graphql-transport-ws", "graphql-ws"} {
		c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), &websocket.DialOptions{Subprotocols: []string{proto}})
		require.NoError(t, err)
		_, _, err = c.Read(ctx)
		require.Equal(t, websocket.StatusCode(transport.WebsocketCloseProtocolError), websocket.CloseStatus(err), "read: %v", err)
	}
	require.NoError(t, sockets.WaitIdle(ctx))
}
