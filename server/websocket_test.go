package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	"lms/lmstest"
)

var subprotocols = []string{lmstest.GraphQLTransportWS, lmstest.GraphQLWS}

// dial opens a websocket to env's API; it is closed when t ends.
func dial(ctx context.Context, t *testing.T, env *lmstest.Env, subprotocol string) *lmstest.Socket {
	t.Helper()
	s, _, err := env.DialWebsocket(ctx, subprotocol, nil)
	require.NoError(t, err)
	require.Equal(t, subprotocol, s.Subprotocol)
	t.Cleanup(func() { _ = s.Conn.CloseNow() })
	return s
}

// A connection_init with a bad token is closed with 4403, one without a
// token with 4401, and neither is acknowledged; a good one is acknowledged without echoing its payload
// (the token) and authenticates the socket. In both subprotocols, with the
// messages the clients send.
func TestWebsocketInit(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true, NoWorkers: true})
	for _, proto := range subprotocols {
		t.Run(proto, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()

			for _, bad := range []string{
				lmstest.InitMessage("lms_not-a-token"),
				`{"type":"connection_init","payload":{"Authorization":"Basic YWRtaW46YWRtaW4="}}`,
			} {
				s := dial(ctx, t, env, proto)
				require.NoError(t, s.Send(ctx, bad))
				msgs, closed, err := s.ReadUntilClose(ctx)
				require.NoError(t, err)
				require.Equal(t, websocket.StatusCode(4403), closed.Code, "close reason %q", closed.Reason)
				for _, m := range msgs {
					require.NotEqual(t, "connection_ack", m.Type, "messages %+v", msgs)
				}
			}
			for _, anonymous := range []string{`{"type":"connection_init"}`, `{"type":"connection_init","payload":{}}`} {
				s := dial(ctx, t, env, proto)
				require.NoError(t, s.Send(ctx, anonymous))
				msgs, closed, err := s.ReadUntilClose(ctx)
				require.NoError(t, err)
				require.Equal(t, websocket.StatusCode(4401), closed.Code, "close reason %q", closed.Reason)
				require.Contains(t, closed.Reason, "authentication required")
				for _, m := range msgs {
					require.NotEqual(t, "connection_ack", m.Type, "messages %+v", msgs)
				}
			}

			token := env.Tokens[lmstest.DealerY]
			s := dial(ctx, t, env, proto)
			require.NoError(t, s.Send(ctx, lmstest.InitMessage(token)))
			ack, err := s.Read(ctx)
			require.NoError(t, err)
			require.Equal(t, "connection_ack", ack.Type)
			require.NotContains(t, string(ack.Payload), token)
			require.NotContains(t, string(ack.Payload), "Authorization")

			require.NoError(t, s.Send(ctx, lmstest.SubscribeMessage(proto, "1", `query Me { viewer { user { email } } }`, "Me", nil)))
			var data struct {
				Data struct {
					Viewer struct{ User struct{ Email string } }
				}
			}
			for {
				m, err := s.Read(ctx)
				require.NoError(t, err)
				if m.Type == "next" || m.Type == "data" {
					require.NoError(t, json.Unmarshal(m.Payload, &data))
					break
				}
				require.Equal(t, "ka", m.Type, "message %+v", m)
			}
			require.Equal(t, lmstest.DealerY, data.Data.Viewer.User.Email)
		})
	}
}

// Sockets refused at connection_init are closed and their connections
// freed: after 50 of them the server holds no websocket.
func TestRefusedWebsocketsAreFreed(t *testing.T) {
	t.Parallel()
	env := lmstest.New(t, lmstest.Opts{NoSMTP: true, NoWorkers: true})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	const n = 50
	errs := lmstest.Together(n, func(i int) error {
		proto := subprotocols[i%2]
		s, _, err := env.DialWebsocket(ctx, proto, nil)
		if err != nil {
			return err
		}
		defer s.Conn.CloseNow()
		init := lmstest.InitMessage(fmt.Sprintf("lms_bad-%d", i))
		if i%5 == 0 {
			init = `{"type":"connection_init","payload":"not an object"}`
		}
		if err := s.Send(ctx, init); err != nil {
			return err
		}
		msgs, closed, err := s.ReadUntilClose(ctx)
		if err != nil {
			return err
		}
		for _, m := range msgs {
			if m.Type == "connection_ack" {
				return fmt.Errorf("socket %d (%s): acknowledged", i, proto)
			}
		}
		if want := websocket.StatusCode(4403); i%5 != 0 && closed.Code != want {
			return fmt.Errorf("socket %d (%s): closed with %v, want %v", i, proto, closed, want)
		}
		return nil
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	require.NoError(t, env.Server.Websockets.WaitIdle(ctx), "websockets still open: %d", env.Server.Websockets.Open())
}
