package mail

import (
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"
)

func TestParseTemplates(t *testing.T) {
	t.Parallel()

	layouts := fstest.MapFS{
		textLayout: {Data: []byte(`{{template "content" .}}`)},
		htmlLayout: {Data: []byte(`<p>{{template "content" .}}</p>`)},
	}
	with := func(files map[string]string) fstest.MapFS {
		fsys := fstest.MapFS{}
		for name, f := range layouts {
			fsys[name] = f
		}
		for name, data := range files {
			fsys[name] = &fstest.MapFile{Data: []byte(data)}
		}
		return fsys
	}

	tests := []struct {
		name    string
		fsys    fstest.MapFS
		wantErr string
	}{
		{
			name: "Complete",
			fsys: with(map[string]string{
				"hello.subject.tmpl": "Hi",
				"hello.txt.tmpl":     `{{define "content"}}Hi{{end}}`,
				"hello.html.tmpl":    `{{define "content"}}Hi{{end}}`,
			}),
		},
		{
			name: "MissingHTML",
			fsys: with(map[string]string{
				"hello.subject.tmpl": "Hi",
				"hello.txt.tmpl":     `{{define "content"}}Hi{{end}}`,
			}),
			wantErr: "mail template hello: need hello.subject.tmpl, hello.txt.tmpl and hello.html.tmpl",
		},
		{
			name: "UnknownSuffix",
			fsys: with(map[string]string{
				"hello.htm.tmpl": `{{define "content"}}Hi{{end}}`,
			}),
			wantErr: "mail template hello.htm.tmpl: name must end in",
		},
		{
			name: "NoContent",
			fsys: with(map[string]string{
				"hello.subject.tmpl": "Hi",
				"hello.txt.tmpl":     "Hi",
				"hello.html.tmpl":    `{{define "content"}}Hi{{end}}`,
			}),
			wantErr: `must define "content"`,
		},
		{
			name: "SyntaxError",
			fsys: with(map[string]string{
				"hello.subject.tmpl": "Hi {{.Name",
				"hello.txt.tmpl":     `{{define "content"}}Hi{{end}}`,
				"hello.html.tmpl":    `{{define "content"}}Hi{{end}}`,
			}),
			wantErr: "parse mail template hello",
		},
		{
			name:    "NoLayout",
			fsys:    fstest.MapFS{},
			wantErr: "parse mail text layout",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			sets, err := parseTemplates(tt.fsys)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Contains(t, sets, "hello")
		})
	}
}

type namedEmail struct{ Name string }

func (namedEmail) Template() string { return "hello" }

func TestRender_SubjectIsOneLine(t *testing.T) {
	t.Parallel()

	sets, err := parseTemplates(fstest.MapFS{
		textLayout:           {Data: []byte(`{{template "content" .}}`)},
		htmlLayout:           {Data: []byte(`{{template "content" .}}`)},
		"hello.subject.tmpl": {Data: []byte("\n  Hello\r\n{{.Name}}\t !\n")},
		"hello.txt.tmpl":     {Data: []byte(`{{define "content"}}Hi {{.Name}}{{end}}`)},
		"hello.html.tmpl":    {Data: []byte(`{{define "content"}}<b>{{.Name}}</b>{{end}}`)},
	})
	require.NoError(t, err)

	got, err := render(sets, namedEmail{Name: "Bcc: x@example.com\nEve"})
	require.NoError(t, err)
	require.Equal(t, Rendered{
		Subject: "Hello Bcc: x@example.com Eve !",
		Text:    "Hi Bcc: x@example.com\nEve\n",
		HTML:    "<b>Bcc: x@example.com\nEve</b>\n",
	}, got)

	_, err = render(sets, namedEmail{Name: ""})
	require.NoError(t, err, "the subject still has text without a name")
}

func TestRender_EmptySubject(t *testing.T) {
	t.Parallel()

	sets, err := parseTemplates(fstest.MapFS{
		textLayout:           {Data: []byte(`{{template "content" .}}`)},
		htmlLayout:           {Data: []byte(`{{template "content" .}}`)},
		"hello.subject.tmpl": {Data: []byte("{{.Name}}")},
		"hello.txt.tmpl":     {Data: []byte(`{{define "content"}}Hi{{end}}`)},
		"hello.html.tmpl":    {Data: []byte(`{{define "content"}}Hi{{end}}`)},
	})
	require.NoError(t, err)

	_, err = render(sets, namedEmail{Name: " \n "})
	require.ErrorContains(t, err, "render hello subject: empty")
}

func TestColwidth(t *testing.T) {
	t.Parallel()

	type row struct {
		Name  string
		Count int
		note  string
	}
	rows := []row{{Name: "Büro", Count: 7, note: "a longer unexported note"}, {Name: "ab", Count: 1200}}

	got, err := colwidth("N", rows, "Name")
	require.NoError(t, err)
	require.Equal(t, 4, got, "runes, not bytes")
	got, err = colwidth("Quantity", rows, "Count")
	require.NoError(t, err)
	require.Equal(t, 8, got, "the header is wider than every value")
	got, err = colwidth("Name", []*row{{Name: "longer name"}}, "Name")
	require.NoError(t, err)
	require.Equal(t, 11, got)
	got, err = colwidth("Name", []row(nil), "Name")
	require.NoError(t, err)
	require.Equal(t, 4, got)

	_, err = colwidth("Name", rows, "Missing")
	require.ErrorContains(t, err, "has no exported field Missing")
	_, err = colwidth("Name", rows, "note")
	require.ErrorContains(t, err, "has no exported field note")
	_, err = colwidth("Name", row{}, "Name")
	require.ErrorContains(t, err, "is not a slice")
	_, err = colwidth("Name", []string{"a"}, "Name")
	require.ErrorContains(t, err, "is not a struct")
}
