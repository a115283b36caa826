package explorer_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"lms/explorer"
)

// ExampleHandler mounts the explorer under /explorer/ next to the GraphQL API.
func ExampleHandler() {
	mux := http.NewServeMux()
	mux.Handle("/explorer/", http.StripPrefix("/explorer", explorer.Handler(explorer.Opts{
		Endpoint: "/graphql",
		Title:    "LMS GraphQL Explorer",
	})))

	srv := httptest.NewServer(mux)
	defer srv.Close()

	for _, path := range []string{"/explorer/", "/explorer/assets/explorer.js"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			fmt.Println(err)
			return
		}
		resp.Body.Close()
		fmt.Println(path, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	// Output:
	// /explorer/ 200 text/html; charset=utf-8
	// /explorer/assets/explorer.js 200 text/javascript; charset=utf-8
}
