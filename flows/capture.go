package flows

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
)

// responseCapture remembers the status, headers, first bytes and read error
// of the last response through it, so failures that x/oauth2 reports as
// plain strings can still be typed.
type responseCapture struct {
	next http.RoundTripper

	mu      sync.Mutex
	status  int
	header  http.Header
	body    bytes.Buffer
	readErr error
}

const captureBytes = 1024

// capturingClient is base with its transport wrapped (same timeout, redirect
// policy, recorder and size limit).
func capturingClient(base *http.Client) (*http.Client, *responseCapture) {
	next := base.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	c := &responseCapture{next: next}
	hc := *base
	hc.Transport = c
	return &hc, c
}

func (c *responseCapture) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	c.mu.Lock()
	c.status, c.header, c.readErr = resp.StatusCode, resp.Header.Clone(), nil
	c.body.Reset()
	c.mu.Unlock()
	resp.Body = &captureBody{rc: resp.Body, c: c}
	return resp, nil
}

func (c *responseCapture) get() (int, http.Header, []byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.header == nil {
		c.header = http.Header{}
	}
	return c.status, c.header, bytes.Clone(c.body.Bytes()), c.readErr
}

type captureBody struct {
	rc io.ReadCloser
	c  *responseCapture
}

func (b *captureBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.c.mu.Lock()
	if room := captureBytes - b.c.body.Len(); room > 0 {
		b.c.body.Write(p[:min(n, room)])
	}
	if err != nil && err != io.EOF {
		b.c.readErr = err
	}
	b.c.mu.Unlock()
	return n, err
}

func (b *captureBody) Close() error { return b.rc.Close() }

func isTimeout(err error) bool {
	var ne net.Error
	return err != nil && errors.As(err, &ne) && ne.Timeout()
}
