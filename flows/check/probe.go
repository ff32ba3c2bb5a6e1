package check

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"

	"oauthdeck/client"
	"oauthdeck/client/safe"
)

// verdict is what a check function concludes.
type verdict struct {
	status Status
	detail string
}

// probe is the per-check context: it sends requests, collects the evidence
// and turns findings into verdicts at the check's level.
type probe struct {
	s       *suite
	level   Level
	startID int64            // last recorder exchange before the check began
	source  uint64           // the tag on this check's requests (client.WithSource)
	notes   map[int64]string // recorder exchange id -> why it was sent
	ownEv   []Evidence       // evidence built from raw probes when there is no recorder
	cited   []Evidence       // evidence taken over from an earlier check
}

// cite reuses an earlier check's evidence whose note starts with prefix,
// for verdicts drawn from an exchange another check already made.
func (p *probe) cite(id, prefix string) {
	p.s.mu.Lock()
	r, ok := p.s.finished[id]
	p.s.mu.Unlock()
	if ok {
		for _, ev := range r.Evidence {
			if strings.HasPrefix(ev.Note, prefix) {
				c := ev
				c.Note = "(from " + id + ") " + ev.Note
				p.cited = append(p.cited, c)
			}
		}
	}
}

func (p *probe) pass(format string, args ...any) verdict {
	return verdict{Pass, fmt.Sprintf(format, args...)}
}

// violated reports a broken rule: a failure for a MUST, a warning for a SHOULD.
func (p *probe) violated(format string, args ...any) verdict {
	st := Fail
	if p.level == Should {
		st = Warn
	}
	return verdict{st, fmt.Sprintf(format, args...)}
}

func (p *probe) warn(format string, args ...any) verdict {
	return verdict{Warn, fmt.Sprintf(format, args...)}
}

func (p *probe) skip(format string, args ...any) verdict {
	return verdict{Skip, fmt.Sprintf(format, args...)}
}

// broken is a check that could not be carried out (transport error, missing
// prerequisite). It fails: an unverifiable server is not a passing one.
func (p *probe) broken(what string, err error) verdict {
	return verdict{Fail, fmt.Sprintf("could not %s: %s", what, safe.Line(err.Error()))}
}

// do sends a raw request through the admin client, noting why.
func (p *probe) do(ctx context.Context, note string, req client.Request) (*client.Response, error) {
	var resp *client.Response
	err := p.call(note, func() error {
		var err error
		resp, err = p.s.c.Do(ctx, req)
		if p.s.rec == nil {
			p.ownEv = append(p.ownEv, p.s.rawEvidence(note, req, resp, err))
		}
		return err
	})
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		// A 429 is neither an acceptance nor a refusal of what was probed;
		// judging it would turn a rate limit into a passing check.
		return resp, rateLimitedError{retryAfter: resp.Header.Get("Retry-After")}
	}
	return resp, err
}

type rateLimitedError struct{ retryAfter string }

func (e rateLimitedError) Error() string {
	s := "the server is rate limiting (429), so this probe's answer says nothing; run the suite again later"
	if e.retryAfter != "" {
		s += " (Retry-After: " + safe.Line(e.retryAfter) + ")"
	}
	return s
}

// call runs fn and labels every exchange the recorder saw meanwhile with note.
func (p *probe) call(note string, fn func() error) error {
	if p.s.rec == nil {
		return fn()
	}
	before := p.s.lastExchangeID()
	err := fn()
	for _, id := range p.s.rec.IDsSince(before) {
		if _, seen := p.notes[id]; !seen {
			p.notes[id] = note
		}
	}
	return err
}

// evidence is what the check produced: the recorder's exchanges since the
// check began (in order, noted), or the suite's own raw records.
func (p *probe) evidence() []Evidence {
	out := append([]Evidence(nil), p.cited...) // cleaned when first reported
	if p.s.rec == nil {
		for _, ev := range p.ownEv {
			out = append(out, p.s.cleanEvidence(ev))
		}
		return out
	}
	// Only this check's own requests: the console may be loading other
	// screens from the same deployment meanwhile.
	for _, ex := range p.s.rec.SinceFrom(p.startID, p.source) {
		out = append(out, p.s.cleanEvidence(exchangeEvidence(p.notes[ex.ID], ex)))
	}
	return out
}

func (s *suite) lastExchangeID() int64 {
	if s.rec == nil {
		return 0
	}
	return s.rec.LastID()
}

// A request's headers worth showing as evidence (the rest is the client's
// own: User-Agent, Accept-Encoding). A response keeps every header, since
// what a server sent is the evidence; verdictHeaders are the ones verdicts
// turn on, which the text and JUnit reports list.
var (
	shownRequestHeaders = []string{"Content-Type", "Authorization", "Coder-Session-Token"}
	verdictHeaders      = []string{"Content-Type", "Location", "WWW-Authenticate", "Cache-Control", "Pragma", "Allow"}
)

const maxEvidenceBody = 4096

func exchangeEvidence(note string, ex client.Exchange) Evidence {
	return Evidence{
		Note:           note,
		Method:         ex.Method,
		URL:            ex.URL,
		RequestHeader:  pickHeaders(ex.RequestHeader, shownRequestHeaders),
		RequestBody:    string(ex.RequestBody),
		Status:         ex.StatusCode,
		ResponseHeader: allHeaders(ex.ResponseHeader),
		ResponseBody:   string(ex.ResponseBody),
		Error:          ex.Err,
		reqCut:         ex.RequestTruncated,
		respCut:        ex.ResponseTruncated,
	}
}

// rawEvidence records a probe without a recorder, redacted with
// safe.Redact; cleanEvidence adds the suite's own scrubbing later.
func (s *suite) rawEvidence(note string, req client.Request, resp *client.Response, err error) Evidence {
	ev := Evidence{Note: note, Method: req.Method, URL: safe.Redact(s.absURL(req))}
	if ev.Method == "" {
		ev.Method = http.MethodGet
	}
	hdr := http.Header{}
	for k, v := range req.Header {
		hdr[k] = v
	}
	if req.WithSession {
		hdr.Set(client.SessionTokenHeader, safe.Marker(s.cfg.Client.SessionToken()))
	}
	hdr = safe.Header(hdr) // Authorization keeps its scheme; the one marker style

	switch {
	case req.Form != nil:
		hdr.Set("Content-Type", "application/x-www-form-urlencoded")
		ev.RequestBody = req.Form.Encode()
	case req.JSON != nil:
		hdr.Set("Content-Type", "application/json")
		if b, err := json.Marshal(req.JSON); err == nil {
			ev.RequestBody = string(b)
		}
	case len(req.Body) > 0:
		ev.RequestBody = string(preBoundBytes(req.Body)) // not a copy of a 1.25 MiB probe only to cut it
	}
	ev.RequestHeader = pickHeaders(hdr, shownRequestHeaders)
	ev.RequestBody = safe.Redact(preBound(ev.RequestBody))
	if resp != nil {
		ev.Status = resp.StatusCode
		ev.ResponseHeader = allHeaders(resp.Header)
		ev.ResponseBody = safe.Redact(preBound(string(preBoundBytes(resp.Body))))
	}
	if err != nil {
		ev.Error = err.Error()
	}
	return ev
}

// cleanEvidence scrubs every secret the suite has handled by the end of the
// check (defence in depth on top of the recorder's redaction; a secret may
// first be learnt from the very response being recorded), bounds the
// bodies and makes every field inert for a terminal.
func (s *suite) cleanEvidence(ev Evidence) Evidence {
	ev.Note, ev.Method, ev.URL, ev.Error = s.clean(ev.Note, true), s.clean(ev.Method, true), s.clean(ev.URL, true), s.clean(ev.Error, true)
	ev.RequestBody = s.clean(s.boundedBody(ev.RequestBody, ev.reqCut), false)
	ev.ResponseBody = s.clean(s.boundedBody(ev.ResponseBody, ev.respCut), false)
	ev.RequestHeader, ev.ResponseHeader = s.cleanHeaders(ev.RequestHeader), s.cleanHeaders(ev.ResponseHeader)
	return ev
}

// cleanHeaders cleans names too: a response's header names are the server's.
func (s *suite) cleanHeaders(h map[string]string) map[string]string {
	if h == nil {
		return nil
	}
	out := make(map[string]string, len(h))
	for k, v := range h {
		out[s.clean(k, true)] = s.clean(v, true)
	}
	return out
}

func (s *suite) absURL(req client.Request) string {
	u, err := url.Parse(req.URL)
	if err != nil {
		return req.URL
	}
	if !u.IsAbs() {
		if base, err := url.Parse(s.base); err == nil {
			u = base.ResolveReference(u)
		}
	}
	if len(req.Query) > 0 {
		q := u.Query()
		for k, vs := range req.Query {
			for _, v := range vs {
				q.Add(k, v)
			}
		}
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// allHeaders is every header of h, redacted by package safe (Set-Cookie's
// value, Authorization's credentials, secrets in a Location), values of
// one name joined; verdictHeaders keep their usual spelling (WWW-Authenticate).
func allHeaders(h http.Header) map[string]string {
	if len(h) == 0 {
		return nil
	}
	out := make(map[string]string, len(h))
	for k, vs := range safe.Header(h) {
		for _, n := range verdictHeaders {
			if strings.EqualFold(n, k) {
				k = n
			}
		}
		out[k] = strings.Join(vs, ", ")
	}
	return out
}

// verdictHeaderNames are the names in an evidence's response headers that
// verdicts turn on, sorted: what a summary of the evidence lists.
func verdictHeaderNames(h map[string]string) []string {
	var out []string
	for k := range h {
		if slices.ContainsFunc(verdictHeaders, func(n string) bool { return strings.EqualFold(n, k) }) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

func pickHeaders(h http.Header, names []string) map[string]string {
	out := map[string]string{}
	for _, n := range names {
		if vs := h.Values(n); len(vs) > 0 {
			out[n] = strings.Join(vs, ", ")
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// clean scrubs every secret the suite has handled (defence in depth on top
// of the recorder's redaction) and makes the text inert for a terminal.
func (s *suite) clean(text string, oneLine bool) string {
	text = s.scrub(text)
	if oneLine {
		return safe.Line(text)
	}
	return safe.Text(text)
}

// remember adds values the suite must never show (secrets, codes, tokens,
// verifiers). Short values are ignored: they cannot be secrets and would
// mangle ordinary text.
func (s *suite) remember(values ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range values {
		if _, known := s.secrets[v]; len(v) < 8 || known {
			continue
		}
		// Each marker is made once: the replacer is rebuilt whenever a
		// secret comes, and an HMAC per secret per rebuild was a tenth of
		// the run.
		s.secrets[v] = safe.Marker(v)
		for _, enc := range []string{url.QueryEscape(v), url.PathEscape(v)} {
			if enc != v {
				s.secrets[enc] = safe.Marker(enc)
			}
		}
		s.replacer = nil // rebuilt when next needed, only if something new came
	}
}

func (s *suite) scrub(text string) string {
	if text == "" {
		return text
	}
	s.mu.Lock()
	if len(s.secrets) == 0 {
		s.mu.Unlock()
		return text
	}
	if s.replacer == nil {
		// Longest first, so a secret containing another is replaced whole.
		keys := make([]string, 0, len(s.secrets))
		for k := range s.secrets {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return len(keys[i]) > len(keys[j]) })
		pairs := make([]string, 0, 2*len(keys))
		for _, k := range keys {
			pairs = append(pairs, k, s.secrets[k])
		}
		s.replacer = strings.NewReplacer(pairs...)
	}
	r := s.replacer
	s.mu.Unlock()
	return r.Replace(text)
}

// preBound cuts a body far past what evidence shows (maxEvidenceBody)
// before it is redacted, so redaction costs little on a 1.25 MiB probe. A
// run of token characters at the cut is dropped whole: a token cut in two
// would match no pattern, and redaction shrinking the text before it could
// bring its first half into view.
func preBound(s string) string { return preBoundTo(s, preBoundLimit) }

const preBoundLimit = 64 << 10

// preBoundBytes is as much of b as preBound looks at: the same cut is made
// from it without converting all of b to a string first.
func preBoundBytes(b []byte) []byte { return b[:min(len(b), preBoundLimit+1)] }

func preBoundTo(s string, bound int) string {
	if len(s) <= bound {
		return s
	}
	return strings.TrimRightFunc(s[:bound], isTokenRune)
}

// evidenceBound is what boundedBody scrubs before truncating to
// maxEvidenceBody: room for markers to shrink the text, and no more (the
// scrub of a whole 64 KB capture cost more than the probe).
const evidenceBound = 4 * maxEvidenceBody

func isTokenRune(r rune) bool {
	return r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-._~+/=%", r))
}

// boundedBody is a body as evidence shows it: cut, scrubbed and
// truncated, saying how long the whole body was.
// recorderCut says the recorder kept only the body's first bytes.
func (s *suite) boundedBody(body string, recorderCut bool) string {
	cut := preBoundTo(body, evidenceBound)
	shown := truncate(s.scrub(cut))
	if len(cut) < len(body) || recorderCut { // truncate counted only what was kept
		if i := strings.LastIndex(shown, "… ["); i >= 0 {
			shown = shown[:i]
		}
		if recorderCut {
			shown += fmt.Sprintf("… [more than %d bytes]", len(body))
		} else {
			shown += fmt.Sprintf("… [%d bytes in all]", len(body))
		}
	}
	return shown
}

func truncate(s string) string {
	if len(s) <= maxEvidenceBody {
		return s
	}
	cut := maxEvidenceBody
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf("… [%d more bytes]", len(s)-cut)
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// isCancel tells a cancelled run from a server failure.
func isCancel(ctx context.Context, err error) bool {
	return ctx.Err() != nil || errors.Is(err, context.Canceled)
}
