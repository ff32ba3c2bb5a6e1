package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"oauthdeck/client/safe"
)

// opError adds what the client was doing to an error. Its text is
// sanitised, so server-controlled parts cannot inject terminal escapes.
type opError struct {
	op  string
	err error
}

func (e *opError) Error() string { return safe.Line(e.op + ": " + e.err.Error()) }
func (e *opError) Unwrap() error { return e.err }

func wrapOp(op string, err error) error {
	if err == nil {
		return nil
	}
	return &opError{op: op, err: err}
}

// auth says which credential a call sends.
type auth int

const (
	authNone    auth = iota
	authSession      // Coder-Session-Token
	authBearer       // Authorization: Bearer <call.bearer>
)

// call is one typed API request.
type call struct {
	method string
	url    string // absolute, or a path relative to the deployment
	auth   auth
	bearer string
	in     any // JSON body, or nil
	want   int // the one success status
	out    any // decoded on success, unless nil
}

// send performs a request and reads its (bounded) body. It is the single
// place that turns transport failures into the typed errors.
func (c *Client) send(ctx context.Context, method string, u *url.URL, header http.Header, body []byte) (*Response, error) {
	resp, start, err := c.open(ctx, method, u, header, body)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close() // read to the limit; a close error loses nothing
	if err != nil {
		return nil, c.transportError(ctx, method, safe.Redact(u.String()), start, err)
	}
	return &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: data, URL: u.String(), method: method}, nil
}

// open performs a request, waiting out a 429 as the client is set to, and
// returns the response with its body unread (the caller closes it), and
// when the request went out.
func (c *Client) open(ctx context.Context, method string, u *url.URL, header http.Header, body []byte) (*http.Response, time.Time, error) {
	for attempt := 1; ; attempt++ {
		var rd io.Reader
		if body != nil {
			rd = bytes.NewReader(body)
		}
		req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
		if err != nil {
			return nil, time.Time{}, fmt.Errorf("build request: %w", err)
		}
		for k, vs := range header {
			for _, v := range vs {
				req.Header.Add(k, v)
			}
		}
		req.Header.Set("User-Agent", c.opts.UserAgent)
		start := time.Now()
		resp, err := c.http.Do(req)
		if err != nil {
			return nil, start, c.transportError(ctx, method, safe.Redact(u.String()), start, err)
		}
		// Redacted only when a 429 needs it: most responses never do.
		if resp.StatusCode == http.StatusTooManyRequests && c.waitForRetry(ctx, method, safe.Redact(u.String()), resp, attempt) {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // so the connection is reused
			_ = resp.Body.Close()
			continue
		}
		return resp, start, nil
	}
}

func (c *Client) transportError(ctx context.Context, method, safeURL string, start time.Time, err error) error {
	var tooLarge *BodyTooLargeError
	if errors.As(err, &tooLarge) {
		return tooLarge
	}
	if errors.Is(ctx.Err(), context.Canceled) {
		return wrapOp(method+" "+safeURL, context.Canceled)
	}
	var netErr net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()) {
		after := c.opts.Timeout
		if ctx.Err() != nil { // the caller's own deadline came first
			after = time.Since(start).Round(time.Millisecond)
		}
		return &TimeoutError{Method: method, URL: safeURL, After: after}
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err // its text repeats the URL unredacted
	}
	return wrapOp(method+" "+safeURL, err)
}

// do runs a typed call: resolve, encode, send, check the status, decode.
func (c *Client) do(ctx context.Context, k call) error {
	u, header, body, err := c.prepare(k)
	if err != nil {
		return err
	}
	resp, err := c.send(ctx, k.method, u, header, body)
	if err != nil {
		return err
	}
	if resp.StatusCode != k.want {
		return resp.decodeError(k.want, k.auth == authBearer)
	}
	if k.out == nil {
		return nil
	}
	return resp.decodeJSON(k.out)
}

// prepare resolves a call's URL and builds its headers and JSON body.
func (c *Client) prepare(k call) (*url.URL, http.Header, []byte, error) {
	u, err := c.resolve(k.url)
	if err != nil {
		return nil, nil, nil, err
	}
	header := http.Header{"Accept": {"application/json"}}
	var body []byte
	if k.in != nil {
		if body, err = json.Marshal(k.in); err != nil {
			return nil, nil, nil, fmt.Errorf("encode request: %w", err)
		}
		header.Set("Content-Type", "application/json")
	}
	switch k.auth {
	case authSession:
		if c.token != "" {
			if err := c.checkSessionOrigin(u); err != nil {
				return nil, nil, nil, err
			}
			header.Set(SessionTokenHeader, c.token)
		}
	case authBearer:
		header.Set("Authorization", "Bearer "+k.bearer)
	}
	return u, header, body, nil
}

// decodeJSON decodes a success body, refusing anything that is not JSON.
func (r *Response) decodeJSON(out any) error {
	ct := r.Header.Get("Content-Type")
	if len(bytes.TrimSpace(r.Body)) == 0 {
		return r.unexpected("expected a JSON body, got an empty one")
	}
	if !json.Valid(r.Body) {
		reason := "malformed or truncated JSON"
		if ct != "" && !strings.Contains(strings.ToLower(ct), "json") {
			reason = "expected JSON, got " + mediaType(ct)
		}
		return r.unexpected(reason)
	}
	if err := json.Unmarshal(r.Body, out); err != nil {
		return r.unexpected("JSON does not have the expected shape: " + err.Error())
	}
	return nil
}

func (r *Response) unexpected(reason string) *UnexpectedResponseError {
	return &UnexpectedResponseError{
		StatusCode:  r.StatusCode,
		Method:      r.method,
		URL:         safe.Redact(r.URL),
		ContentType: safe.Line(r.Header.Get("Content-Type")),
		Reason:      reason,
		Excerpt:     excerpt(r.Body),
	}
}

// excerptLimit bounds how much of an unexpected body is quoted back.
const excerptLimit = 200

// excerpt is the first characters of body, redacted and made terminal-safe.
func excerpt(body []byte) string {
	s := strings.TrimSpace(string(body))
	if len(s) > 4*excerptLimit {
		s = s[:4*excerptLimit]
	}
	s = safe.Line(safe.Redact(s))
	if utf8.RuneCountInString(s) <= excerptLimit {
		return s
	}
	n := 0
	for i := range s {
		if n == excerptLimit-1 {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

func mediaType(ct string) string {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return safe.Line(strings.TrimSpace(ct))
}

// resolve turns an absolute URL or a deployment-relative path into a URL.
func (c *Client) resolve(ref string) (*url.URL, error) {
	u, err := url.Parse(ref)
	if err != nil {
		return nil, parseError(fmt.Sprintf("invalid URL %q", safe.Redact(ref)), err)
	}
	if u.IsAbs() {
		if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
			return nil, fmt.Errorf("invalid URL %q: need an http or https URL", safe.Line(safe.Redact(ref)))
		}
		return u, nil
	}
	if !strings.HasPrefix(u.Path, "/") || u.Host != "" {
		return nil, fmt.Errorf("invalid URL %q: need an absolute URL or a path starting with /", safe.Line(safe.Redact(ref)))
	}
	out := *c.base
	out.Path = strings.TrimSuffix(c.base.Path, "/") + u.Path
	out.RawPath = ""
	if u.RawPath != "" {
		out.RawPath = strings.TrimSuffix(c.base.EscapedPath(), "/") + u.RawPath
	}
	out.RawQuery = u.RawQuery
	return &out, nil
}

// parseError reports a URL parse failure without url.Error's copy of the
// raw (possibly secret-bearing) URL; the text is sanitised by opError.
func parseError(what string, err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	return wrapOp(what, err)
}
