package mail

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"path"
	"reflect"
	"sort"
	"strings"
	texttemplate "text/template"
	"time"
	"unicode/utf8"
)

// Email is one kind of notification: a data struct whose fields the
// templates display. Template names the embedded files
// templates/<name>.subject.tmpl, <name>.txt.tmpl and <name>.html.tmpl.
type Email interface {
	Template() string
}

// Rendered is an email ready to be put into a [Message]: a one-line subject,
// a plain-text body and an HTML body.
type Rendered struct {
	Subject string
	Text    string
	HTML    string
}

// Render executes e's subject, text and HTML templates with e as data.
// The subject is collapsed to a single line so that it can never inject a
// header. It returns an error when e is nil, when no templates exist for
// e.Template(), or when a template fails to execute (e.g. it names a field
// e does not have) or yields an empty subject.
func Render(e Email) (Rendered, error) {
	return render(templates, e)
}

func render(templates map[string]templateSet, e Email) (Rendered, error) {
	if e == nil {
		return Rendered{}, errors.New("render email: nil email")
	}
	name := e.Template()
	set, ok := templates[name]
	if !ok {
		return Rendered{}, fmt.Errorf("render %T: no templates named %q in mail/templates", e, name)
	}

	var subject, text, html bytes.Buffer
	if err := set.subject.Execute(&subject, e); err != nil {
		return Rendered{}, fmt.Errorf("render %s subject: %w", name, err)
	}
	if err := set.text.ExecuteTemplate(&text, textLayout, e); err != nil {
		return Rendered{}, fmt.Errorf("render %s text: %w", name, err)
	}
	if err := set.html.ExecuteTemplate(&html, htmlLayout, e); err != nil {
		return Rendered{}, fmt.Errorf("render %s HTML: %w", name, err)
	}

	r := Rendered{
		Subject: strings.Join(strings.Fields(subject.String()), " "),
		Text:    strings.TrimSpace(text.String()) + "\n",
		HTML:    strings.TrimSpace(html.String()) + "\n",
	}
	if r.Subject == "" {
		return Rendered{}, fmt.Errorf("render %s subject: empty", name)
	}
	return r, nil
}

// Layout files wrap every email body; each email's body template defines
// "content", which the layout calls.
const (
	textLayout = "layout.txt.tmpl"
	htmlLayout = "layout.html.tmpl"
)

const (
	subjectSuffix = ".subject.tmpl"
	textSuffix    = ".txt.tmpl"
	htmlSuffix    = ".html.tmpl"
)

//go:embed templates/*.tmpl
var embedded embed.FS

// templates holds every email's parsed templates by name. The templates are
// part of the program, so a broken one stops it at start-up (and fails every
// test) instead of surfacing when the first such email is sent.
var templates = mustParseTemplates()

func mustParseTemplates() map[string]templateSet {
	sub, err := fs.Sub(embedded, "templates")
	if err != nil {
		panic(err)
	}
	sets, err := parseTemplates(sub)
	if err != nil {
		panic(err)
	}
	return sets
}

type templateSet struct {
	subject *texttemplate.Template
	text    *texttemplate.Template
	html    *htmltemplate.Template
}

var templateFuncs = map[string]any{
	// date shows a day unambiguously for an international audience.
	"date": func(t time.Time) string { return t.UTC().Format("2 January 2006") },
	// day shows a calendar date (an expiry, a term's first or last day) in
	// date's format but as given: such a date has no time of day, and
	// moving midnight in Berlin to UTC would show the day before.
	"day": func(t time.Time) string { return t.Format("2 January 2006") },
	// datetime adds the time of day, and says it is UTC.
	"datetime": func(t time.Time) string { return t.UTC().Format("2 January 2006, 15:04 UTC") },
	"colwidth": colwidth,
}

// colwidth returns how many characters wide a plain-text table column must
// be to hold its header and the named field of every item of the slice
// items, so that text templates can align columns with printf's "%-*s".
// It counts runes, as printf pads by runes.
func colwidth(header string, items any, field string) (int, error) {
	width := utf8.RuneCountInString(header)
	v := reflect.ValueOf(items)
	if v.Kind() != reflect.Slice {
		return 0, fmt.Errorf("colwidth: %T is not a slice", items)
	}
	for i := range v.Len() {
		item := reflect.Indirect(v.Index(i))
		if item.Kind() != reflect.Struct {
			return 0, fmt.Errorf("colwidth: item %d of %T is not a struct", i, items)
		}
		f := item.FieldByName(field)
		if !f.IsValid() || !f.CanInterface() {
			return 0, fmt.Errorf("colwidth: %s has no exported field %s", item.Type(), field)
		}
		width = max(width, utf8.RuneCountInString(fmt.Sprint(f.Interface())))
	}
	return width, nil
}

// parseTemplates parses the layouts and every email's three templates in
// fsys. Every email needs all three files, and its text and HTML files must
// define "content".
func parseTemplates(fsys fs.FS) (map[string]templateSet, error) {
	textBase, err := texttemplate.New(textLayout).Funcs(templateFuncs).Option("missingkey=error").ParseFS(fsys, textLayout)
	if err != nil {
		return nil, fmt.Errorf("parse mail text layout: %w", err)
	}
	htmlBase, err := htmltemplate.New(htmlLayout).Funcs(templateFuncs).Option("missingkey=error").ParseFS(fsys, htmlLayout)
	if err != nil {
		return nil, fmt.Errorf("parse mail HTML layout: %w", err)
	}

	names, err := emailNames(fsys)
	if err != nil {
		return nil, err
	}
	sets := make(map[string]templateSet, len(names))
	for _, name := range names {
		var set templateSet
		set.subject, err = texttemplate.New(name+subjectSuffix).Funcs(templateFuncs).Option("missingkey=error").ParseFS(fsys, name+subjectSuffix)
		if err != nil {
			return nil, fmt.Errorf("parse mail template %s: %w", name, err)
		}
		set.text, err = texttemplate.Must(textBase.Clone()).ParseFS(fsys, name+textSuffix)
		if err != nil {
			return nil, fmt.Errorf("parse mail template %s: %w", name, err)
		}
		set.html, err = htmltemplate.Must(htmlBase.Clone()).ParseFS(fsys, name+htmlSuffix)
		if err != nil {
			return nil, fmt.Errorf("parse mail template %s: %w", name, err)
		}
		if set.text.Lookup("content") == nil || set.html.Lookup("content") == nil {
			return nil, fmt.Errorf("parse mail template %s: text and HTML files must define \"content\"", name)
		}
		sets[name] = set
	}
	return sets, nil
}

// emailNames lists the emails in fsys and checks that each has exactly its
// subject, text and HTML files, so that a misnamed file is caught at parse
// time rather than ignored.
func emailNames(fsys fs.FS) ([]string, error) {
	files, err := fs.Glob(fsys, "*.tmpl")
	if err != nil {
		return nil, fmt.Errorf("list mail templates: %w", err)
	}
	parts := map[string][]string{}
	for _, f := range files {
		if f == textLayout || f == htmlLayout {
			continue
		}
		var name, suffix string
		for _, s := range []string{subjectSuffix, textSuffix, htmlSuffix} {
			if n, ok := strings.CutSuffix(f, s); ok {
				name, suffix = n, s
				break
			}
		}
		if name == "" {
			return nil, fmt.Errorf("mail template %s: name must end in %s, %s or %s", path.Base(f), subjectSuffix, textSuffix, htmlSuffix)
		}
		parts[name] = append(parts[name], suffix)
	}
	names := make([]string, 0, len(parts))
	for name, got := range parts {
		if len(got) != 3 {
			return nil, fmt.Errorf("mail template %s: need %s%s, %s%s and %s%s; found only %v",
				name, name, subjectSuffix, name, textSuffix, name, htmlSuffix, got)
		}
		names = append(names, name)
	}
	sort.Strings(names)
	return names, nil
}
