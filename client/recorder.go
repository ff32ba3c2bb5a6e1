package client

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"oauthdeck/client/safe"
)

// Exchange is one recorded HTTP request/response, already redacted: no
// token, secret, code, verifier, password or session header survives in it.
// A redacted value is replaced by a marker carrying a short salted hash, so
// the same secret can be recognised across exchanges without being shown.
type Exchange struct {
	ID             int64
	Started        time.Time
	Duration       time.Duration
	Method         string
	URL            string // query redacted
	RequestHeader  http.Header
	RequestBody    []byte // redacted, truncated to a bounded size
	StatusCode     int    // 0 when no response
	ResponseHeader http.Header
	ResponseBody   []byte // redacted, truncated to a bounded size
	Err            string // transport error, if any (redacted and sanitised)
	Phase          string // "discovery", "registration", "authorize", "token", "revoke", "api", ...

	// RequestTruncated and ResponseTruncated say a body was cut at
	// RecordedBodyLimit or (response) was not read to its end.
	RequestTruncated  bool
	ResponseTruncated bool
}

// RecordedBodyLimit bounds each stored request and response body.
const RecordedBodyLimit = 64 << 10

// DefaultRecorderSize is used by NewRecorder when max is not positive.
const DefaultRecorderSize = 256

// Recorder keeps redacted exchanges in memory (bounded ring) and notifies a
// listener of each one. It is safe for concurrent use.
type Recorder struct {
	mu         sync.Mutex
	max        int
	nextID     int64
	exchanges  []Exchange // oldest first; len <= max
	onExchange func(Exchange)
}

// NewRecorder keeps at most max exchanges (oldest dropped).
func NewRecorder(max int) *Recorder {
	if max <= 0 {
		max = DefaultRecorderSize
	}
	return &Recorder{max: max}
}

// Wrap returns a RoundTripper that records through r.
func (r *Recorder) Wrap(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return &recordingTransport{rec: r, next: next}
}

// Exchanges returns a copy of the recorded exchanges, oldest first.
func (r *Recorder) Exchanges() []Exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Exchange, len(r.exchanges))
	copy(out, r.exchanges)
	return out
}

// OnExchange sets a callback run after each recorded exchange (e.g. to
// forward it to the TUI with program.Send). It must not block.
func (r *Recorder) OnExchange(fn func(Exchange)) {
	r.mu.Lock()
	r.onExchange = fn
	r.mu.Unlock()
}

func (r *Recorder) add(e Exchange) {
	r.mu.Lock()
	r.nextID++
	e.ID = r.nextID
	if len(r.exchanges) == r.max {
		copy(r.exchanges, r.exchanges[1:])
		r.exchanges = r.exchanges[:r.max-1]
	}
	r.exchanges = append(r.exchanges, e)
	fn := r.onExchange
	r.mu.Unlock()
	if fn != nil {
		fn(e)
	}
}

type recordingTransport struct {
	rec  *Recorder
	next http.RoundTripper
}

func (t *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	e := Exchange{
		Started:       time.Now(),
		Method:        req.Method,
		URL:           safe.Redact(req.URL.String()),
		RequestHeader: safe.Header(req.Header),
		Phase:         PhaseOf(req.URL.Path),
	}
	reqBody := &boundedCapture{}
	if req.Body != nil && req.Body != http.NoBody {
		// Tee the body as the transport sends it: GetBody may be absent
		// and must not be consumed twice.
		cp := *req
		cp.Body = &teeBody{rc: req.Body, capture: reqBody}
		req = &cp
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		e.Duration = time.Since(e.Started)
		e.RequestBody, e.RequestTruncated = reqBody.redacted()
		e.Err = safe.Line(safe.Redact(err.Error()))
		t.rec.add(e)
		return nil, err
	}
	e.StatusCode = resp.StatusCode
	e.ResponseHeader = safe.Header(resp.Header)
	resp.Body = &recordingBody{rc: resp.Body, capture: &boundedCapture{}, finish: func(respBody *boundedCapture, complete bool, readErr error) {
		e.Duration = time.Since(e.Started)
		e.RequestBody, e.RequestTruncated = reqBody.redacted()
		e.ResponseBody, e.ResponseTruncated = respBody.redacted()
		e.ResponseTruncated = e.ResponseTruncated || !complete
		if readErr != nil {
			e.Err = safe.Line(safe.Redact(readErr.Error()))
		}
		t.rec.add(e)
	}}
	return resp, nil
}

// boundedCapture keeps the first RecordedBodyLimit bytes written to it.
type boundedCapture struct {
	mu        sync.Mutex
	buf       bytes.Buffer
	truncated bool
}

func (c *boundedCapture) write(p []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	room := RecordedBodyLimit - c.buf.Len()
	if len(p) > room {
		p = p[:room]
		c.truncated = true
	}
	c.buf.Write(p)
}

func (c *boundedCapture) redacted() ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.buf.Len() == 0 {
		return nil, c.truncated
	}
	return []byte(safe.Redact(c.buf.String())), c.truncated
}

type teeBody struct {
	rc      io.ReadCloser
	capture *boundedCapture
}

func (b *teeBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.capture.write(p[:n])
	return n, err
}

func (b *teeBody) Close() error { return b.rc.Close() }

// recordingBody records the exchange once: at EOF, at a read error, or at
// Close, whichever comes first. It copies only what the reader consumes, so
// the size limit applied above it still decides how much is read.
type recordingBody struct {
	rc      io.ReadCloser
	capture *boundedCapture
	once    sync.Once
	finish  func(capture *boundedCapture, complete bool, readErr error)
}

func (b *recordingBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.capture.write(p[:n])
	switch {
	case err == io.EOF:
		b.once.Do(func() { b.finish(b.capture, true, nil) })
	case err != nil:
		b.once.Do(func() { b.finish(b.capture, false, err) })
	}
	return n, err
}

func (b *recordingBody) Close() error {
	err := b.rc.Close()
	b.once.Do(func() { b.finish(b.capture, false, nil) })
	return err
}

// PhaseOf labels a request path with the step of an OAuth2 session it belongs to.
func PhaseOf(path string) string {
	switch {
	case strings.Contains(path, "/.well-known/"):
		return "discovery"
	case strings.HasSuffix(path, "/oauth2/register") || strings.Contains(path, "/oauth2/clients/"):
		return "registration"
	case strings.HasSuffix(path, "/oauth2/authorize"):
		return "authorize"
	case strings.HasSuffix(path, "/oauth2/tokens") || strings.HasSuffix(path, "/oauth2/token"):
		return "token"
	case strings.HasSuffix(path, "/oauth2/revoke"):
		return "revoke"
	case strings.Contains(path, "/oauth2/device"):
		return "device"
	case strings.HasSuffix(path, "/api/v2/users/login"):
		return "login"
	case strings.Contains(path, "/api/v2/oauth2-provider/"):
		return "apps"
	case strings.Contains(path, "/mcp"):
		return "mcp"
	case strings.Contains(path, "/api/"):
		return "api"
	}
	return "other"
}
