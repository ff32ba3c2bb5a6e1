package client

import (
	"net/http"
	"time"
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
	Err            string // transport error, if any
	Phase          string // "discovery", "registration", "authorize", "token", "revoke", "api", ...
}

// Recorder keeps redacted exchanges in memory (bounded ring) and notifies a
// listener of each one. It is safe for concurrent use.
type Recorder struct {
	// filled in by the implementation
}

// NewRecorder keeps at most max exchanges (oldest dropped).
func NewRecorder(max int) *Recorder { return &Recorder{} }

// Wrap returns a RoundTripper that records through r.
func (r *Recorder) Wrap(next http.RoundTripper) http.RoundTripper { return next }

// Exchanges returns a copy of the recorded exchanges, oldest first.
func (r *Recorder) Exchanges() []Exchange { return nil }

// OnExchange sets a callback run after each recorded exchange (e.g. to
// forward it to the TUI with program.Send). It must not block.
func (r *Recorder) OnExchange(fn func(Exchange)) {}

// HAR renders the recorded exchanges as an HTTP Archive 1.2 document.
func (r *Recorder) HAR() ([]byte, error) { return nil, errNotImplemented }

// Curl renders e as a curl command line with secrets left redacted.
func (e Exchange) Curl() string { return "" }

// Redact returns s with every known secret shape replaced (tokens, codes,
// client secrets, verifiers, passwords in form/JSON/query/header text).
func Redact(s string) string { return s }
