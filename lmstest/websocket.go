package lmstest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/coder/websocket"
)

// The websocket subprotocols of the GraphQL API.
const (
	// GraphQLTransportWS is the protocol of the graphql-ws npm package
	// (v5 and later; Apollo Client's GraphQLWsLink, urql, GraphiQL).
	GraphQLTransportWS = "graphql-transport-ws"
	// GraphQLWS is the legacy protocol of subscriptions-transport-ws,
	// confusingly named "graphql-ws".
	GraphQLWS = "graphql-ws"
)

// The messages real clients send, as they send them (JSON.stringify of
// the client's object, keys in its order), with %s for the JSON values.
const (
	// initFixture is connection_init of both protocols with
	// connectionParams {Authorization: "Bearer <token>"}: graphql-ws v5
	// sends {type, payload}, subscriptions-transport-ws the same.
	initFixture = `{"type":"connection_init","payload":{"Authorization":%s}}`
	// subscribeFixture is graphql-ws v5's client.subscribe({query,
	// variables, operationName}, sink): {id, type, payload} with a UUID v4
	// id.
	subscribeFixture = `{"id":%s,"type":"subscribe","payload":{"query":%s,"variables":%s,"operationName":%s}}`
	// startFixture is subscriptions-transport-ws's GQL_START: ids count
	// from "1".
	startFixture = `{"id":%s,"type":"start","payload":{"query":%s,"variables":%s,"operationName":%s}}`
)

// InitMessage returns connection_init carrying "Authorization: Bearer
// <token>" the way browser clients send it (they cannot set headers on a
// websocket).
func InitMessage(token string) string {
	return fmt.Sprintf(initFixture, jsonText("Bearer "+token))
}

// SubscribeMessage returns the message that starts operation id in the
// subprotocol: subscribe (graphql-transport-ws) or start (graphql-ws).
func SubscribeMessage(subprotocol, id, query, operationName string, vars map[string]any) string {
	if vars == nil {
		vars = map[string]any{}
	}
	format := subscribeFixture
	if subprotocol == GraphQLWS {
		format = startFixture
	}
	return fmt.Sprintf(format, jsonText(id), jsonText(query), jsonText(vars), jsonText(operationName))
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// Socket is a websocket to the GraphQL API, speaking one subprotocol.
type Socket struct {
	Conn        *websocket.Conn
	Subprotocol string
}

// Message is a message of either subprotocol.
type Message struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

func (m Message) String() string { return fmt.Sprintf("{id %q %s %s}", m.ID, m.Type, m.Payload) }

// DialWebsocket opens a websocket to /graphql offering subprotocol, with
// header (e.g. Origin) in the handshake. The handshake response is
// returned also when the server refuses the upgrade. The socket is closed
// when ctx ends at the latest.
func (e *Env) DialWebsocket(ctx context.Context, subprotocol string, header http.Header) (*Socket, *http.Response, error) {
	u := "ws" + strings.TrimPrefix(e.URL, "http") + "/graphql"
	c, resp, err := websocket.Dial(ctx, u, &websocket.DialOptions{Subprotocols: []string{subprotocol}, HTTPHeader: header})
	if err != nil {
		return nil, resp, err
	}
	go func() {
		<-ctx.Done()
		_ = c.CloseNow()
	}()
	return &Socket{Conn: c, Subprotocol: c.Subprotocol()}, resp, nil
}

// Send writes one text message.
func (s *Socket) Send(ctx context.Context, msg string) error {
	return s.Conn.Write(ctx, websocket.MessageText, []byte(msg))
}

// Read returns the next message. Once the server has closed the socket it
// returns an error that websocket.CloseStatus reads the close code from.
func (s *Socket) Read(ctx context.Context) (Message, error) {
	_, b, err := s.Conn.Read(ctx)
	if err != nil {
		return Message{}, err
	}
	var m Message
	if err := json.Unmarshal(b, &m); err != nil {
		return Message{}, fmt.Errorf("message %s: %w", b, err)
	}
	return m, nil
}

// ReadUntilClose reads until the server closes the socket and returns the
// messages read (keep-alives left out) and how the server closed it. It
// returns an error when the socket ends otherwise (e.g. ctx ends first).
func (s *Socket) ReadUntilClose(ctx context.Context) ([]Message, websocket.CloseError, error) {
	var msgs []Message
	for {
		m, err := s.Read(ctx)
		var ce websocket.CloseError
		switch {
		case errors.As(err, &ce):
			return msgs, ce, nil
		case err != nil:
			return msgs, ce, fmt.Errorf("socket not closed by the server (messages so far %+v): %w", msgs, err)
		case m.Type != "ka" && m.Type != "ping" && m.Type != "pong":
			msgs = append(msgs, m)
		}
	}
}
