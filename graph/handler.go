package graph

import (
	"cmp"
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	coderws "github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/ast"

	"lms/db"
	"lms/graph/generated"
	"lms/licensefile"
)

// HandlerOpts configures the GraphQL HTTP handler.
type HandlerOpts struct {
	Resolver *Resolver
	Logger   *slog.Logger
	// Introspection enables schema introspection (SPEC §12: can be switched off).
	Introspection bool
	// ExposeStatementCount adds extensions.sqlStatements, the number of SQL
	// statements the request ran besides authentication,
	// extensions.authStatements, those of authentication, and extensions.limitVisits, the selections
	// the query limits visited to measure it, to every response (development
	// and tests: it is how tests prove lists have no N+1 and refusals cost
	// little).
	ExposeStatementCount bool
	Limits               Limits
	// MaxUploadBytes bounds a GraphQL multipart request (file uploads, SPEC
	// §12); DefaultMaxUploadBytes when 0.
	MaxUploadBytes int64
	// WebsocketInitTimeout is how long a websocket may take to send
	// connection_init; DefaultWebsocketInitTimeout when 0.
	WebsocketInitTimeout time.Duration
	// Websockets, when set, counts the websockets held open.
	Websockets *Websockets
	// AllowedOrigins are the exact origins (scheme://host[:port]) besides
	// the API's own that websockets may be opened from.
	AllowedOrigins []string
	// ConcurrentOperations bounds the queries and mutations executing at
	// once (subscriptions aside); 0 leaves them unbounded.
	ConcurrentOperations int
}

// DefaultMaxUploadBytes is the size limit of a multipart request (the
// uploaded file with the operation) when none is configured: the same as
// the license service's limit of the files it reads.
const DefaultMaxUploadBytes = licensefile.DefaultMaxUploadBytes

// maxUploadMemory is the size from which gqlgen spools the file parts of a
// multipart request to a temporary file instead of memory, judged by the
// request's Content-Length (the server refuses multipart requests without
// one, which gqlgen would read into memory whatever their size).
const maxUploadMemory = 256 << 10

// NewHandler returns the /graphql endpoint.
func NewHandler(o HandlerOpts) http.Handler {
	srv := handler.New(generated.NewExecutableSchema(generated.Config{Resolvers: o.Resolver}))
	srv.AddTransport(transport.Options{})
	srv.AddTransport(plainHTTP{transport.GET{}})
	// Server-sent events before POST: both take POST, SSE only with
	// Accept: text/event-stream (subscriptions over plain HTTP).
	srv.AddTransport(transport.SSE{})
	// Uploads (SPEC §12: GraphQL multipart requests) before POST, which
	// would refuse their content type.
	srv.AddTransport(plainHTTP{uploadTransport(o.MaxUploadBytes)})
	srv.AddTransport(plainHTTP{transport.POST{}})
	srv.AddTransport(websocketTransport{
		Websocket: transport.Websocket{
			KeepAlivePingInterval: 10 * time.Second,
			InitFunc:              o.Resolver.websocketInit(o.Logger),
			InitTimeout:           cmp.Or(o.WebsocketInitTimeout, DefaultWebsocketInitTimeout),
			PayloadReadLimit:      &maxWebsocketMessage,
		},
		Accept:  coderws.AcceptOptions{OriginPatterns: o.AllowedOrigins},
		Sockets: o.Websockets,
	})
	srv.SetQueryCache(shortQueries[*ast.QueryDocument]{lru.New[*ast.QueryDocument](1000)})
	srv.SetParserTokenLimit(o.Limits.MaxTokens)
	srv.SetValidationRulesFn(validationRules(o.Introspection))
	if o.Introspection {
		srv.Use(extension.Introspection{})
	}
	// Persisted queries first: the limits measure the query they fill in.
	srv.Use(extension.AutomaticPersistedQuery{Cache: shortQueries[string]{lru.New[string](100)}})
	srv.Use(newLimiter(o.Limits))
	srv.Use(tokenGuard{Tokens: o.Resolver.Services.Tokens, Present: ErrorPresenter(o.Logger)})
	if o.ConcurrentOperations > 0 {
		srv.Use(make(turns, o.ConcurrentOperations))
	}
	srv.SetErrorPresenter(ErrorPresenter(o.Logger))
	srv.SetRecoverFunc(Recover(o.Logger))
	if o.ExposeStatementCount {
		srv.AroundResponses(func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
			resp := next(ctx)
			if c := db.StatementCounterFrom(ctx); c != nil && resp != nil {
				if resp.Extensions == nil {
					resp.Extensions = map[string]any{}
				}
				resp.Extensions["sqlStatements"] = c.Count()
				resp.Extensions["authStatements"] = c.Authentication()
			}
			if w := workFrom(ctx); w != nil && resp != nil {
				if resp.Extensions == nil {
					resp.Extensions = map[string]any{}
				}
				resp.Extensions["limitVisits"] = w.Count()
			}
			return resp
		})
	}
	h := o.Resolver.LoaderMiddleware(srv)
	if o.ExposeStatementCount {
		next := h
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(WithLimitWork(r.Context(), new(LimitWork))))
		})
	}
	return h
}

// shortQueries is a cache that keeps no query text over maxCachedQuery
// bytes, as key (parsed documents by query) or value (persisted queries by
// hash): a thousand entries of a megabyte each would hold a gigabyte.
type shortQueries[T any] struct{ graphql.Cache[T] }

func (c shortQueries[T]) Add(ctx context.Context, key string, v T) {
	if s, ok := any(v).(string); ok && len(s) > maxCachedQuery || len(key) > maxCachedQuery {
		return
	}
	c.Cache.Add(ctx, key, v)
}
