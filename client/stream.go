package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"

	"oauthdeck/client/safe"
)

// MaxListBytes bounds one response of a streamed list (about 600,000 of
// Coder's apps), so a server that never ends its list cannot keep the
// client reading; each item is bounded by Options.MaxBodyBytes.
const MaxListBytes int64 = 256 << 20

// DefaultMaxListApps bounds the apps a listing hands on, over every page:
// far past any real deployment, and what keeps a hostile server's stream
// of tiny items from filling memory (a caller such as Apps keeps them all).
const DefaultMaxListApps = 500_000

// listPage is what one response of a list said besides its items.
type listPage struct {
	paged bool // {"apps": [...], "count": N} rather than a bare array
	count int
}

// streamApps runs GET path and hands each app of the list to fn as it is
// decoded, so memory does not grow with the list. The body is a JSON array,
// null, or the paged object; anything else is an UnexpectedResponseError
// quoting the body's first bytes.
func (c *Client) streamApps(ctx context.Context, path string, fn func(App) error) (listPage, error) {
	k := call{method: http.MethodGet, url: path, auth: authSession, want: http.StatusOK}
	u, header, _, err := c.prepare(k)
	if err != nil {
		return listPage{}, err
	}
	resp, start, err := c.open(withBodyLimit(ctx, MaxListBytes), k.method, u, header, nil)
	if err != nil {
		return listPage{}, err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != k.want {
		// An error body is small: read it with the usual bound.
		data, err := io.ReadAll(io.LimitReader(resp.Body, c.opts.MaxBodyBytes+1))
		if err != nil {
			return listPage{}, c.transportError(ctx, k.method, safe.Redact(u.String()), start, err)
		}
		if int64(len(data)) > c.opts.MaxBodyBytes {
			return listPage{}, &BodyTooLargeError{Method: k.method, URL: safe.Redact(u.String()), Limit: c.opts.MaxBodyBytes}
		}
		r := &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: data, URL: u.String(), method: k.method}
		return listPage{}, r.decodeError(k.want, false)
	}
	head := &prefix{max: 4 * excerptLimit}
	items := &itemLimiter{r: io.TeeReader(resp.Body, head), limit: c.opts.MaxBodyBytes}
	items.reset()
	dec := jsontext.NewDecoder(items, listOptions)
	page, err := decodeAppList(dec, items, fn)
	if err == nil {
		if _, end := dec.ReadToken(); !errors.Is(end, io.EOF) {
			err = errors.New("data after the list")
		}
	}
	if err == nil {
		return page, nil
	}
	var tooLarge *BodyTooLargeError
	var stop stopError
	switch {
	case errors.As(err, &stop):
		return page, stop.err
	case errors.As(items.readErr, &tooLarge):
		return page, tooLarge
	case items.readErr != nil:
		return page, c.transportError(ctx, k.method, safe.Redact(u.String()), start, items.readErr)
	}
	r := &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: head.b, URL: u.String(), method: k.method}
	if items.exceeded {
		return page, r.unexpected(fmt.Sprintf("an item of the list is larger than %d bytes", c.opts.MaxBodyBytes))
	}
	reason := "malformed or truncated JSON in the list of apps: " + err.Error()
	if ct := resp.Header.Get("Content-Type"); ct != "" && !strings.Contains(strings.ToLower(ct), "json") {
		reason = "expected JSON, got " + mediaType(ct)
	}
	return page, r.unexpected(reason)
}

// stopError carries an error of the caller's fn out of the decoder.
type stopError struct{ err error }

func (e stopError) Error() string { return e.err.Error() }

// listOptions decode a list as encoding/json (v1) would, with the json v2
// engine, about twice as fast on a long list: names matched case-folded,
// duplicate names and invalid UTF-8 let through (what the list means is
// judged here, and every string is made safe where it is shown).
var listOptions = jsonv1.DefaultOptionsV1()

// decodeAppList reads [app, …], null or {"apps": [app, …], "count": N, …}.
func decodeAppList(dec *jsontext.Decoder, items *itemLimiter, fn func(App) error) (listPage, error) {
	var page listPage
	tok, err := dec.ReadToken()
	if err != nil {
		return page, err
	}
	switch tok.Kind() {
	case 'n':
		return page, nil
	case '[':
		return page, decodeApps(dec, items, fn)
	case '{':
	default:
		return page, fmt.Errorf("a list of apps was expected, got %s", kindName(tok.Kind()))
	}
	page.paged = true
	sawApps := false
	for {
		key, err := dec.ReadToken()
		if err != nil {
			return page, err
		}
		if key.Kind() == '}' {
			break
		}
		items.reset()
		switch key.String() {
		case "apps":
			if sawApps {
				return page, errors.New(`"apps" twice in one page`)
			}
			sawApps = true
			t, err := dec.ReadToken()
			if err != nil {
				return page, err
			}
			switch t.Kind() {
			case 'n':
				continue
			case '[':
			default:
				return page, fmt.Errorf(`"apps" is %s, not a list`, kindName(t.Kind()))
			}
			if err := decodeApps(dec, items, fn); err != nil {
				return page, err
			}
		case "count":
			if err := jsonv2.UnmarshalDecode(dec, &page.count, listOptions); err != nil {
				return page, err
			}
		default:
			if err := dec.SkipValue(); err != nil {
				return page, err
			}
		}
	}
	if !sawApps {
		return page, errors.New("an object without apps where a list of apps was expected")
	}
	return page, nil
}

// decodeApps reads the elements of an array whose '[' was read, and its ']'.
func decodeApps(dec *jsontext.Decoder, items *itemLimiter, fn func(App) error) error {
	for {
		items.reset()
		if dec.PeekKind() == ']' {
			_, err := dec.ReadToken()
			return err
		}
		var a App // a PeekKind of 0 is an error, which decoding reports
		if err := jsonv2.UnmarshalDecode(dec, &a, listOptions); err != nil {
			return err
		}
		if err := fn(a); err != nil {
			return stopError{err}
		}
	}
}

func kindName(k jsontext.Kind) string {
	switch k {
	case '"':
		return "a string"
	case '0':
		return "a number"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return fmt.Sprintf("%q", rune(k)) // '{', as encoding/json's errors said
}

// itemLimiter bounds the bytes read since the last reset: one item of a
// list, give or take the decoder's read-ahead.
type itemLimiter struct {
	r        io.Reader
	left     int64
	limit    int64
	exceeded bool
	readErr  error // the body's own read error (not EOF), if any
}

var errItemTooLarge = errors.New("list item too large")

func (l *itemLimiter) reset() { l.left = l.limit + 64<<10 } // room for the decoder's read-ahead

func (l *itemLimiter) Read(p []byte) (int, error) {
	if l.left <= 0 {
		l.exceeded = true
		return 0, errItemTooLarge
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if err != nil && !errors.Is(err, io.EOF) {
		l.readErr = err
	}
	return n, err
}

// prefix keeps the first max bytes written to it, for an error's excerpt.
type prefix struct {
	b   []byte
	max int
}

func (p *prefix) Write(b []byte) (int, error) {
	if room := p.max - len(p.b); room > 0 {
		p.b = append(p.b, b[:min(room, len(b))]...)
	}
	return len(b), nil
}
