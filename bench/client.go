package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
)

// client talks GraphQL over HTTP to the server, as any client would, on a
// transport that keeps a connection per concurrent client.
type client struct {
	url  string
	http *http.Client
}

// maxClients bounds the idle connections kept: above every scenario's
// concurrency, so that no request pays for a new connection.
const maxClients = 1024

func newClient(base string) *client {
	t := &http.Transport{
		MaxIdleConns:        maxClients,
		MaxIdleConnsPerHost: maxClients,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
	return &client{url: base + "/graphql", http: &http.Client{Transport: t}}
}

// request is a GraphQL request body, marshalled once.
func request(query string, vars map[string]any) []byte {
	b, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		panic(err) // maps of strings, numbers and bools always marshal
	}
	return b
}

// response is a GraphQL answer.
type response struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string `json:"message"`
		Extensions struct {
			Code string `json:"code"`
		} `json:"extensions"`
	} `json:"errors"`
	Extensions struct {
		// SQLStatements are the statements of the operation and
		// AuthStatements those of authentication (none for a token the
		// server holds in memory).
		SQLStatements  int `json:"sqlStatements"`
		AuthStatements int `json:"authStatements"`
	} `json:"extensions"`
}

// statements is what the request cost PostgreSQL in statements, with its
// authentication.
func (r *response) statements() int { return r.Extensions.SQLStatements + r.Extensions.AuthStatements }

// post sends body with token ("" for none) and returns the answer; an HTTP
// status other than 200 or a top-level GraphQL error is an error.
func (c *client) post(ctx context.Context, token string, body []byte) (*response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	out := new(response)
	if err := json.Unmarshal(raw, out); err != nil {
		return nil, fmt.Errorf("answer (HTTP %d) is not JSON: %w: %.200s", resp.StatusCode, err, raw)
	}
	if resp.StatusCode != http.StatusOK || len(out.Errors) > 0 {
		return nil, fmt.Errorf("HTTP %d: %.300s", resp.StatusCode, raw)
	}
	return out, nil
}

// mutate posts a mutation and decodes the payload of field into payload
// (when not nil); the payload's user errors are an error.
func (c *client) mutate(ctx context.Context, token string, body []byte, field string, payload any) (*response, error) {
	resp, err := c.post(ctx, token, body)
	if err != nil {
		return nil, err
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal(resp.Data, &got); err != nil {
		return nil, fmt.Errorf("%s: %w", field, err)
	}
	var errs struct {
		Errors []struct{ Code, Message string }
	}
	if err := json.Unmarshal(got[field], &errs); err != nil {
		return nil, fmt.Errorf("%s: %w", field, err)
	}
	if len(errs.Errors) > 0 {
		return nil, fmt.Errorf("%s: %s: %s", field, errs.Errors[0].Code, errs.Errors[0].Message)
	}
	if payload != nil {
		if err := json.Unmarshal(got[field], payload); err != nil {
			return nil, fmt.Errorf("%s: %w", field, err)
		}
	}
	return resp, nil
}

// event is a server-sent event's data and when it arrived.
type event struct {
	data json.RawMessage
	at   time.Time
}

// subscribe runs a subscription over server-sent events (POST with Accept:
// text/event-stream) and returns its events; the channel closes when the
// stream ends or ctx is done.
func (c *client) subscribe(ctx context.Context, token string, body []byte) (<-chan event, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("subscribe: HTTP %d", resp.StatusCode)
	}
	out := make(chan event, 64)
	go func() {
		defer resp.Body.Close()
		defer close(out)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				select {
				case out <- event{data: json.RawMessage(data), at: time.Now()}:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out, nil
}

// globalID is the API's id of a stored object: base64url("Type:uuid").
func globalID(typ string, id uuid.UUID) string {
	return base64.RawURLEncoding.EncodeToString([]byte(typ + ":" + id.String()))
}
