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
	read    int64 // bytes read of the body in all
	eof     bool  // the body was read to its end
}

// oauth2BodyLimit is how much of a token response x/oauth2 reads: a longer
// body is cut there and then fails to parse, which would read as "not JSON".
const oauth2BodyLimit = 1 << 20

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
	c.status, c.header, c.readErr, c.read, c.eof = resp.StatusCode, resp.Header.Clone(), nil, 0, false
	c.body.Reset()
	c.mu.Unlock()
	resp.Body = &captureBody{rc: resp.Body, c: c}
	return resp, nil
}

// cutShort reports a body that x/oauth2 stopped reading at its limit.
func (c *responseCapture) cutShort() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.readErr == nil && !c.eof && c.read >= oauth2BodyLimit
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
	b.c.read += int64(n)
	if err == io.EOF {
		b.c.eof = true
	} else if err != nil {
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
