package client

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"time"

	"oauthdeck/client/safe"
)

// defaultTransport is used when Options.Transport is nil. The overall
// deadline comes from http.Client.Timeout; these bound the individual steps
// so a dead host fails early with a clear cause.
func defaultTransport(insecureSkipVerify bool) *http.Transport {
	return &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   10 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           16,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    10 * time.Second,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: 256 << 10,
		TLSClientConfig: &tls.Config{
			MinVersion: tls.VersionTLS12,
			// Only when the user explicitly asked for it (self-signed dev deployments).
			InsecureSkipVerify: insecureSkipVerify, //nolint:gosec
		},
	}
}

// limitTransport caps every response body at limit bytes. A body announced
// larger than the limit fails on its first Read without reading anything, so
// a 50 MB answer costs nothing; an unannounced one fails after limit+1 bytes.
type limitTransport struct {
	next  http.RoundTripper
	limit int64
}

func (t *limitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil || resp.Body == nil {
		return resp, err
	}
	stashUnparsableLocation(req, resp)
	limit := t.limit
	if n, ok := req.Context().Value(bodyLimitKey{}).(int64); ok {
		limit = n
	}
	resp.Body = &limitedBody{
		rc:      resp.Body,
		left:    limit,
		limit:   limit,
		req:     req,
		failNow: resp.ContentLength > limit,
	}
	return resp, nil
}

// unparsableLocation carries a redirect's Location that is not a URL past
// net/http, which would otherwise fail the request with an untyped error
// (and close the body) before the client sees the 3xx it refuses anyway.
const unparsableLocation = "X-Oauthdeck-Unparsable-Location"

func stashUnparsableLocation(req *http.Request, resp *http.Response) {
	resp.Header.Del(unparsableLocation) // only ever ours, never the server's
	switch resp.StatusCode {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
	default:
		return
	}
	loc := resp.Header.Get("Location")
	if loc == "" {
		return
	}
	if _, err := req.URL.Parse(loc); err != nil {
		resp.Header.Del("Location")
		resp.Header.Set(unparsableLocation, loc)
	}
}

type bodyLimitKey struct{}

// withBodyLimit sets the body limit of the requests made with ctx: a
// streamed list is bounded per item by its reader and only loosely here.
func withBodyLimit(ctx context.Context, n int64) context.Context {
	return context.WithValue(ctx, bodyLimitKey{}, n)
}

type limitedBody struct {
	rc      io.ReadCloser
	left    int64 // bytes still allowed
	limit   int64
	req     *http.Request
	failNow bool
}

// tooLarge is built only when it happens: redacting the URL of every
// response would cost more than the rest of the bookkeeping.
func (b *limitedBody) tooLarge() error {
	return &BodyTooLargeError{Method: b.req.Method, URL: safe.Redact(b.req.URL.String()), Limit: b.limit}
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.failNow {
		return 0, b.tooLarge()
	}
	// Allow one byte past the limit so that "exactly limit" and "more than
	// limit" can be told apart.
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		b.failNow = true
		return n + int(b.left), b.tooLarge()
	}
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }
