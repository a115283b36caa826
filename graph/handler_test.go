package graph

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// uploadSeen is what the operation receives of an upload: where the
// transport put the file and its content.
type uploadSeen struct {
	onDisk  bool
	content []byte
}

// seeUpload is an executor that records the upload in variable in.file and
// executes nothing.
type seeUpload struct {
	t    *testing.T
	seen *uploadSeen
}

func (e seeUpload) CreateOperationContext(_ context.Context, p *graphql.RawParams) (*graphql.OperationContext, gqlerror.List) {
	up, ok := p.Variables["in"].(map[string]any)["file"].(graphql.Upload)
	require.True(e.t, ok, "variables: %v", p.Variables)
	_, onDisk := up.File.(*os.File)
	content, err := io.ReadAll(up.File)
	require.NoError(e.t, err)
	*e.seen = uploadSeen{onDisk: onDisk, content: content}
	return nil, gqlerror.List{gqlerror.Errorf("recorded")}
}

func (e seeUpload) DispatchOperation(context.Context, *graphql.OperationContext) (graphql.ResponseHandler, context.Context) {
	panic("not executed")
}

func (e seeUpload) DispatchError(_ context.Context, list gqlerror.List) *graphql.Response {
	return &graphql.Response{Errors: list}
}

// A file part of an upload request over maxUploadMemory goes to a
// temporary file, not memory, before the operation runs; a smaller one is
// read into memory (SPEC §12). (The server refuses uploads without a
// Content-Length, which gqlgen would keep in memory whatever their size.)
func TestUploadTransportSpoolsLargeFiles(t *testing.T) {
	t.Parallel()
	tr := uploadTransport(0)
	require.Equal(t, int64(DefaultMaxUploadBytes), tr.MaxUploadSize)
	require.Less(t, tr.MaxMemory, tr.MaxUploadSize)

	for _, tc := range []struct {
		name   string
		size   int
		onDisk bool
	}{
		{"small", 1 << 10, false},
		{"over maxUploadMemory", maxUploadMemory + 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			content := make([]byte, tc.size)
			_, _ = rand.Read(content)
			body, ct := uploadRequest(t, content)
			req := httptest.NewRequest("POST", "/graphql", bytes.NewReader(body))
			req.Header.Set("Content-Type", ct)
			var seen uploadSeen
			tr.Do(httptest.NewRecorder(), req, seeUpload{t: t, seen: &seen})
			require.Equal(t, content, seen.content)
			require.Equal(t, tc.onDisk, seen.onDisk)
		})
	}
}

// uploadRequest builds a GraphQL multipart request whose file goes into
// variables.in.file.
func uploadRequest(t *testing.T, content []byte) (body []byte, contentType string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	ops, err := json.Marshal(map[string]any{
		"query":     `mutation($in: UploadProtectDatInput!) { uploadProtectDat(input: $in) { errors { code } } }`,
		"variables": map[string]any{"in": map[string]any{"locationId": "x", "file": nil}},
	})
	require.NoError(t, err)
	require.NoError(t, w.WriteField("operations", string(ops)))
	require.NoError(t, w.WriteField("map", `{"0": ["variables.in.file"]}`))
	part, err := w.CreateFormFile("0", "protect.dat")
	require.NoError(t, err)
	_, err = part.Write(content)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return buf.Bytes(), w.FormDataContentType()
}
