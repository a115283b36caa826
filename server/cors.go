package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// CORS answers of the API. The API authenticates with a bearer header, not
// cookies, so credentials are never allowed.
const (
	corsMethods = "GET, POST, OPTIONS"
	// corsHeaders are the request headers front ends send: the token, the
	// JSON or multipart body, the GraphQL response type, and the request
	// id they may set themselves to trace a call.
	corsHeaders = "Authorization, Content-Type, Accept, X-Request-Id"
	// corsMaxAge is how long a browser may reuse a preflight answer
	// (seconds; Chromium caps it at 2 hours).
	corsMaxAge = 2 * 60 * 60
)

// parseOrigins reads a comma-separated list of exact origins
// (scheme://host[:port], as browsers send them in the Origin header), as
// LMS_CORS_ORIGINS gives them.
func parseOrigins(v string) ([]string, error) {
	var out []string
	for _, o := range strings.Split(v, ",") {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			u.User != nil || u.RawPath != "" || u.Path != "" || u.RawQuery != "" || u.Fragment != "" ||
			strings.ContainsAny(o, "*?[]\\") {
			return nil, fmt.Errorf("%q is not an origin: give scheme://host[:port], e.g. https://app.example.com, exactly as the browser sends it", o)
		}
		out = append(out, strings.ToLower(o))
	}
	return out, nil
}

// cors lets browser front ends served from the given origins call the API
// (Cross-Origin Resource Sharing): a preflight from one of them is answered
// with what it may send, and answers carry Access-Control-Allow-Origin.
// Other origins get no CORS headers, so browsers keep their answers from
// them; same-origin requests need none. The websocket origin check uses the
// same list (graph.HandlerOpts.AllowedOrigins).
//
// About forty lines rather than github.com/rs/cors: exact origins without
// credentials are all LMS allows, and that needs no dependency.
func cors(origins []string, next http.Handler) http.Handler {
	if len(origins) == 0 {
		return next
	}
	allowed := make(map[string]bool, len(origins))
	for _, o := range origins {
		allowed[o] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Add("Vary", "Origin")
		origin := r.Header.Get("Origin")
		ok := origin != "" && allowed[strings.ToLower(origin)]
		if r.Method == http.MethodOptions && origin != "" && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Add("Vary", "Access-Control-Request-Method")
			h.Add("Vary", "Access-Control-Request-Headers")
			if ok {
				h.Set("Access-Control-Allow-Origin", origin)
				h.Set("Access-Control-Allow-Methods", corsMethods)
				h.Set("Access-Control-Allow-Headers", corsHeaders)
				h.Set("Access-Control-Max-Age", strconv.Itoa(corsMaxAge))
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if ok {
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Expose-Headers", "X-Request-Id")
		}
		next.ServeHTTP(w, r)
	})
}
