package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"oauthdeck/client/safe"
)

// HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/), only the parts
// a reader of an exported trace needs.
type harLog struct {
	Log struct {
		Version string     `json:"version"`
		Creator harCreator `json:"creator"`
		Entries []harEntry `json:"entries"`
	} `json:"log"`
}

type harCreator struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type harEntry struct {
	StartedDateTime string      `json:"startedDateTime"`
	Time            float64     `json:"time"`
	Request         harRequest  `json:"request"`
	Response        harResponse `json:"response"`
	Cache           struct{}    `json:"cache"`
	Timings         harTimings  `json:"timings"`
	Comment         string      `json:"comment,omitempty"`
	Phase           string      `json:"_phase,omitempty"`
	Error           string      `json:"_error,omitempty"`
}

type harNameValue struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type harRequest struct {
	Method      string         `json:"method"`
	URL         string         `json:"url"`
	HTTPVersion string         `json:"httpVersion"`
	Cookies     []harNameValue `json:"cookies"`
	Headers     []harNameValue `json:"headers"`
	QueryString []harNameValue `json:"queryString"`
	PostData    *harPostData   `json:"postData,omitempty"`
	HeadersSize int            `json:"headersSize"`
	BodySize    int            `json:"bodySize"`
}

type harPostData struct {
	MimeType string `json:"mimeType"`
	Text     string `json:"text"`
}

type harResponse struct {
	Status      int            `json:"status"`
	StatusText  string         `json:"statusText"`
	HTTPVersion string         `json:"httpVersion"`
	Cookies     []harNameValue `json:"cookies"`
	Headers     []harNameValue `json:"headers"`
	Content     harContent     `json:"content"`
	RedirectURL string         `json:"redirectURL"`
	HeadersSize int            `json:"headersSize"`
	BodySize    int            `json:"bodySize"`
}

type harContent struct {
	Size     int    `json:"size"`
	MimeType string `json:"mimeType"`
	Text     string `json:"text,omitempty"`
	Encoding string `json:"encoding,omitempty"`
	Comment  string `json:"comment,omitempty"`
}

type harTimings struct {
	Send    float64 `json:"send"`
	Wait    float64 `json:"wait"`
	Receive float64 `json:"receive"`
}

// HAR renders the recorded exchanges as an HTTP Archive 1.2 document.
func (r *Recorder) HAR() ([]byte, error) {
	var doc harLog
	doc.Log.Version = "1.2"
	doc.Log.Creator = harCreator{Name: "oauthdeck", Version: Version}
	doc.Log.Entries = []harEntry{}
	for _, e := range r.Exchanges() {
		doc.Log.Entries = append(doc.Log.Entries, harEntryOf(e))
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep "&" readable in URLs and form bodies
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func harEntryOf(e Exchange) harEntry {
	ms := float64(e.Duration) / float64(time.Millisecond)
	entry := harEntry{
		StartedDateTime: e.Started.UTC().Format(time.RFC3339Nano),
		Time:            ms,
		Timings:         harTimings{Send: 0, Wait: ms, Receive: 0},
		Phase:           e.Phase,
		Error:           e.Err,
		Request: harRequest{
			Method:      e.Method,
			URL:         e.URL,
			HTTPVersion: "HTTP/1.1",
			Cookies:     []harNameValue{},
			Headers:     harHeaders(e.RequestHeader),
			QueryString: harQuery(e.URL),
			HeadersSize: -1,
			BodySize:    len(e.RequestBody),
		},
		Response: harResponse{
			Status:      e.StatusCode,
			StatusText:  http.StatusText(e.StatusCode),
			HTTPVersion: "HTTP/1.1",
			Cookies:     []harNameValue{},
			Headers:     harHeaders(e.ResponseHeader),
			RedirectURL: e.ResponseHeader.Get("Location"),
			HeadersSize: -1,
			BodySize:    len(e.ResponseBody),
			Content: harContent{
				Size:     len(e.ResponseBody),
				MimeType: e.ResponseHeader.Get("Content-Type"),
			},
		},
	}
	if e.RequestBody != nil {
		entry.Request.PostData = &harPostData{MimeType: e.RequestHeader.Get("Content-Type"), Text: bodyText(e.RequestBody)}
	}
	if e.ResponseBody != nil {
		entry.Response.Content.Text = bodyText(e.ResponseBody)
	}
	if e.ResponseTruncated {
		entry.Response.Content.Comment = fmt.Sprintf("body truncated (recorded at most %d bytes, or not read to the end)", RecordedBodyLimit)
	}
	if e.RequestTruncated {
		entry.Comment = fmt.Sprintf("request body truncated at %d bytes", RecordedBodyLimit)
	}
	return entry
}

// bodyText keeps HAR valid UTF-8 text: binary bytes become U+FFFD.
func bodyText(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

func harHeaders(h http.Header) []harNameValue {
	out := []harNameValue{}
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, v := range h[name] {
			out = append(out, harNameValue{Name: name, Value: v})
		}
	}
	return out
}

// harQuery splits the (already redacted) URL's query without re-encoding,
// so markers stay readable.
func harQuery(raw string) []harNameValue {
	out := []harNameValue{}
	_, query, ok := strings.Cut(raw, "?")
	if !ok {
		return out
	}
	query, _, _ = strings.Cut(query, "#")
	for _, pair := range strings.Split(query, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		if dk, err := url.QueryUnescape(k); err == nil {
			k = dk
		}
		if !safe.IsMarked(v) {
			if dv, err := url.QueryUnescape(v); err == nil {
				v = dv
			}
		}
		out = append(out, harNameValue{Name: k, Value: v})
	}
	return out
}

// Curl renders e as a curl command line that runs: each redacted secret
// becomes a shell variable ("$CODER_SESSION_TOKEN", "$CLIENT_SECRET", …)
// for the user to set, listed in a trailing comment, and nothing secret is
// written. Every literal is shell-quoted, with control characters as
// escapes, so the command is safe to print on a terminal.
func (e Exchange) Curl() string {
	var b strings.Builder
	vars := &curlVars{}
	b.WriteString("curl -sS")
	if e.Method != "" && e.Method != http.MethodGet {
		b.WriteString(" -X " + safe.ShellQuote(e.Method))
	}
	b.WriteString(" " + safe.ShellQuote(e.URL))
	names := make([]string, 0, len(e.RequestHeader))
	for name := range e.RequestHeader {
		switch http.CanonicalHeaderKey(name) {
		case "Content-Length", "Accept-Encoding", "Host", "Connection":
			continue // curl sets these itself
		}
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, v := range e.RequestHeader[name] {
			b.WriteString(" " + vars.header(name, v))
		}
	}
	if len(e.RequestBody) > 0 {
		b.WriteString(" --data-raw " + vars.body(bodyText(e.RequestBody)))
		if e.RequestTruncated {
			b.WriteString(" # request body truncated")
		}
	}
	if len(vars.names) > 0 {
		b.WriteString("  # set first: " + strings.Join(vars.names, " "))
	}
	return b.String()
}

// curlVars turns redaction markers into shell variables, once per name.
type curlVars struct{ names []string }

func (c *curlVars) use(name string) string {
	if !slices.Contains(c.names, name) {
		c.names = append(c.names, name)
	}
	return `"$` + name + `"`
}

// headerVars name the variable for a header whose value was redacted.
var headerVars = map[string]string{"Coder-Session-Token": "CODER_SESSION_TOKEN", "Cookie": "COOKIE"}

func (c *curlVars) header(name, v string) string {
	canon := http.CanonicalHeaderKey(name)
	switch {
	case !strings.Contains(v, "‹redacted"):
		return "-H " + safe.ShellQuote(name+": "+v)
	case canon == "Authorization" && strings.HasPrefix(strings.ToLower(v), "basic "):
		return "-u " + c.use("CLIENT_ID") + `:` + c.use("CLIENT_SECRET")
	case canon == "Authorization":
		scheme, _, _ := strings.Cut(v, " ")
		return "-H " + safe.ShellQuote(name+": "+scheme+" ") + c.use("ACCESS_TOKEN")
	case headerVars[canon] != "":
		return "-H " + safe.ShellQuote(name+": ") + c.use(headerVars[canon])
	}
	return "-H " + safe.ShellQuote(name+": "+v) // a marker curl cannot fill in
}

// body writes a form body with each redacted value as a variable named
// after its key (client_secret → $CLIENT_SECRET); other bodies as they are.
func (c *curlVars) body(text string) string {
	if !strings.Contains(text, "‹redacted") || strings.HasPrefix(strings.TrimSpace(text), "{") {
		return safe.ShellQuote(text)
	}
	var b strings.Builder
	for i, pair := range strings.Split(text, "&") {
		sep := ""
		if i > 0 {
			sep = "&"
		}
		k, v, ok := strings.Cut(pair, "=")
		if !ok || !safe.IsMarked(v) {
			b.WriteString(safe.ShellQuote(sep + pair))
			continue
		}
		b.WriteString(safe.ShellQuote(sep+k+"=") + c.use(strings.ToUpper(strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
				return r
			}
			return '_'
		}, k))))
	}
	return b.String()
}
