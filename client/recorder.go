package client

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
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
	// Source is what made the request ("flow exchange", a check's id), from
	// its context (WithSource); "" when nothing said. SourceID tells apart
	// two runs with the same label.
	Source   string
	SourceID uint64

	// RequestTruncated and ResponseTruncated say a body was cut at
	// RecordedBodyLimit or (response) was not read to its end.
	RequestTruncated  bool
	ResponseTruncated bool
}

// RecordedBodyLimit bounds each stored request and response body.
const RecordedBodyLimit = 64 << 10

// DefaultRecorderSize is used by NewRecorder when max is not positive.
const DefaultRecorderSize = 256

// Recorder keeps exchanges in memory (bounded ring) and notifies a
// listener of each one. It is safe for concurrent use. Bodies are redacted
// when an exchange is first handed out (to the listener, or by Exchanges),
// once: most exchanges of a run are never looked at, and redacting every
// body as it arrived cost a check run more than its own work.
type Recorder struct {
	mu         sync.Mutex
	max        int
	nextID     int64
	exchanges  []*recorded // oldest first; len <= max
	onExchange func(Exchange)
}

// recorded is an exchange whose bodies may still await redaction. Only
// final touches e's bodies, once; the rest of e is fixed when it is added.
type recorded struct {
	once      sync.Once
	e         Exchange
	req, resp *boundedCapture // dropped once redacted into e
}

// final redacts the bodies into the exchange on first use and returns it.
// It runs outside the recorder's lock: redacting a ring of 64 KB bodies
// must not hold up the responses being recorded meanwhile.
func (r *recorded) final() Exchange {
	r.once.Do(func() {
		if r.req != nil {
			r.e.RequestBody, r.e.RequestTruncated = r.req.redacted()
		}
		if r.resp != nil {
			var cut bool
			r.e.ResponseBody, cut = r.resp.redacted()
			r.e.ResponseTruncated = r.e.ResponseTruncated || cut
		}
		r.req, r.resp = nil, nil
	})
	return r.e
}

// finals hands out the exchanges of a snapshot of the ring, redacted.
func finals(kept []*recorded) []Exchange {
	out := make([]Exchange, len(kept))
	for i, r := range kept {
		out[i] = r.final()
	}
	return out
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
func (r *Recorder) Exchanges() []Exchange { return r.Since(0) }

// LastID is the ID of the latest exchange, 0 before the first.
func (r *Recorder) LastID() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.nextID
}

// Since returns the kept exchanges whose ID is greater than id, oldest
// first: what happened after LastID said id, without copying the rest.
func (r *Recorder) Since(id int64) []Exchange {
	r.mu.Lock()
	i := len(r.exchanges)
	for i > 0 && r.exchanges[i-1].e.ID > id {
		i--
	}
	kept := slices.Clone(r.exchanges[i:])
	r.mu.Unlock()
	return finals(kept)
}

// SinceFrom is Since, keeping only the exchanges of one source (the tag
// WithSource returned): what one step sent, not what another screen sent
// meanwhile.
func (r *Recorder) SinceFrom(id int64, source uint64) []Exchange {
	r.mu.Lock()
	var kept []*recorded
	for i := len(r.exchanges) - 1; i >= 0 && r.exchanges[i].e.ID > id; i-- {
		if r.exchanges[i].e.SourceID == source {
			kept = append(kept, r.exchanges[i])
		}
	}
	r.mu.Unlock()
	slices.Reverse(kept)
	return finals(kept)
}

// IDsSince lists the IDs of the exchanges after id, redacting nothing.
func (r *Recorder) IDsSince(id int64) []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []int64
	for i := len(r.exchanges) - 1; i >= 0 && r.exchanges[i].e.ID > id; i-- {
		out = append(out, r.exchanges[i].e.ID)
	}
	slices.Reverse(out)
	return out
}

// OnExchange sets a callback run after each recorded exchange (e.g. to
// forward it to the TUI with program.Send). It must not block.
func (r *Recorder) OnExchange(fn func(Exchange)) {
	r.mu.Lock()
	r.onExchange = fn
	r.mu.Unlock()
}

// add keeps e with its bodies' captures (redacted on first use).
func (r *Recorder) add(e Exchange, req, resp *boundedCapture) {
	r.mu.Lock()
	r.nextID++
	e.ID = r.nextID
	if len(r.exchanges) == r.max {
		copy(r.exchanges, r.exchanges[1:])
		r.exchanges = r.exchanges[:r.max-1]
	}
	rec := &recorded{e: e, req: req, resp: resp}
	r.exchanges = append(r.exchanges, rec)
	fn := r.onExchange
	r.mu.Unlock()
	if fn != nil {
		fn(rec.final())
	}
}

type sourceKey struct{}

type source struct {
	label string
	id    uint64
}

var sourceIDs atomic.Uint64

// WithSource returns a context whose requests are recorded as made by
// label, and the tag that picks them out again (SinceFrom).
func WithSource(ctx context.Context, label string) (context.Context, uint64) {
	id := sourceIDs.Add(1)
	return context.WithValue(ctx, sourceKey{}, source{label, id}), id
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
	if src, ok := req.Context().Value(sourceKey{}).(source); ok {
		e.Source, e.SourceID = src.label, src.id
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
		e.Err = safe.Line(safe.Redact(err.Error()))
		t.rec.add(e, reqBody, nil)
		return nil, err
	}
	e.StatusCode = resp.StatusCode
	e.ResponseHeader = safe.Header(resp.Header)
	resp.Body = &recordingBody{rc: resp.Body, capture: &boundedCapture{}, finish: func(respBody *boundedCapture, complete bool, readErr error) {
		e.Duration = time.Since(e.Started)
		e.ResponseTruncated = !complete
		if readErr != nil {
			e.Err = safe.Line(safe.Redact(readErr.Error()))
		}
		t.rec.add(e, reqBody, respBody)
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
