package flows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"oauthdeck/client"
	"oauthdeck/client/safe"
	"oauthdeck/flows/internal/randtext"
)

// SavedFormat names the saved-flow file format.
const SavedFormat = "oauthdeck-flow/1"

// SavedFlow is a flow as it was run, without a secret: the setup, then every
// step in the order it ran with the edits made to its request (as changes
// to the default request, so they apply on any deployment) and the outcome
// it had. Replay runs it again and reports each step whose outcome differs:
// a flow with a deliberate edit (PKCE dropped) is a regression test.
type SavedFlow struct {
	Format  string      `json:"format"`
	SavedAt time.Time   `json:"saved_at"`
	Server  string      `json:"recorded_on"` // the deployment it was recorded on (informational)
	Setup   SavedSetup  `json:"setup"`
	Steps   []SavedStep `json:"steps"`
}

// SavedSetup is how the flow was configured, minus what is deployment
// specific (an existing app's ID, secrets, ports).
type SavedSetup struct {
	ClientMode ClientMode  `json:"client_mode"`
	Consent    ConsentMode `json:"consent"`
	AuthMethod AuthMethod  `json:"auth_method,omitempty"`
	Scope      string      `json:"scope,omitempty"`
	NoResource bool        `json:"no_resource,omitempty"`
}

// SavedStep is one run of one step.
type SavedStep struct {
	Step   StepID  `json:"step"`
	Edits  []Edit  `json:"edits,omitempty"`
	Expect Outcome `json:"expect"`
}

// Outcome is what a step did, as compared between runs: its status and,
// when it failed, the error's short code (invalid_request, invalid_grant…).
type Outcome struct {
	Status Status `json:"status"`
	Error  string `json:"error,omitempty"`
}

func (o Outcome) String() string {
	if o.Error != "" {
		return string(o.Status) + " (" + o.Error + ")"
	}
	return string(o.Status)
}

// Edit is one change to a step's default request. A secret value (a
// client_secret, an Authorization header) is never saved: Junk stands for
// "a wrong value", drawn afresh at replay.
type Edit struct {
	Op     string   `json:"op"`    // "set" or "delete"
	Where  string   `json:"where"` // "param", "header", or "url" (the endpoint itself)
	Name   string   `json:"name"`
	Values []string `json:"values,omitempty"`
	Junk   bool     `json:"junk,omitempty"`
}

// diffRequest lists the edits that turn base into edited.
func diffRequest(base, edited Request) []Edit {
	var out []Edit
	if edited.URL != base.URL {
		out = append(out, Edit{Op: "set", Where: "url", Name: "url", Values: []string{edited.URL}})
	}
	out = append(out, diffValues("param", base.Params, edited.Params, safe.SecretName)...)
	out = append(out, diffValues("header", base.Header, edited.Header, func(name string) bool {
		return safe.SecretName(name) || safe.SecretHeader(name)
	})...)
	return out
}

func diffValues(where string, base, edited map[string][]string, secret func(string) bool) []Edit {
	var out []Edit
	keys := make([]string, 0, len(base)+len(edited))
	for k := range base {
		keys = append(keys, k)
	}
	for k := range edited {
		if _, ok := base[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		b, inBase := base[k]
		e, inEdited := edited[k]
		switch {
		case inBase && !inEdited:
			out = append(out, Edit{Op: "delete", Where: where, Name: k})
		case !slices.Equal(b, e):
			ed := Edit{Op: "set", Where: where, Name: k, Values: append([]string(nil), e...)}
			if secret(k) {
				ed.Values, ed.Junk = nil, true
			}
			out = append(out, ed)
		}
	}
	return out
}

// apply makes the edits on r.
func applyEdits(r *Request, edits []Edit) {
	for _, e := range edits {
		if e.Where == "url" {
			if e.Op == "set" && len(e.Values) == 1 {
				r.URL = e.Values[0]
			}
			continue
		}
		target := map[string][]string(r.Params)
		if e.Where == "header" {
			if r.Header == nil {
				r.Header = http.Header{}
			}
			target = r.Header
		} else if r.Params == nil {
			r.Params = map[string][]string{}
			target = r.Params
		}
		switch e.Op {
		case "delete":
			delete(target, e.Name)
		case "set":
			vals := e.Values
			if e.Junk {
				vals = []string{"oauthdeck-replay-wrong-" + randtext.Alnum(12)}
			}
			target[e.Name] = append([]string(nil), vals...)
		}
	}
}

// foreignURLEdit refuses a saved edit that would send the step's request
// (with the client's credentials, a code or a token) to another origin than
// the one this deployment's default request goes to: a saved file is
// anyone's, and replaying it must not hand secrets elsewhere.
func (f *Flow) foreignURLEdit(st SavedStep) string {
	for _, e := range st.Edits {
		if e.Where != "url" || len(e.Values) != 1 {
			continue
		}
		def, err := f.Request(st.Step)
		if err != nil {
			return "" // the step cannot build its request yet; it fails as recorded or not on its own
		}
		want, err1 := url.Parse(def.URL)
		got, err2 := url.Parse(e.Values[0])
		if err1 != nil || err2 != nil || !strings.EqualFold(want.Scheme, got.Scheme) || !strings.EqualFold(want.Host, got.Host) {
			return safe.Line("refusing the saved edit that sends this request to " + e.Values[0] + ": not this deployment's " + want.Scheme + "://" + want.Host + " (credentials would go there)")
		}
	}
	return ""
}

// outcomeOf is a result's comparable outcome.
func outcomeOf(res StepResult) Outcome {
	o := Outcome{Status: res.Status}
	switch {
	case res.Status == StatusFailed && res.Explain != nil:
		o.Error = safe.Line(res.Explain.Code)
	case res.Status == StatusRefused:
		o.Error = refusalCode(res.Refusal)
	}
	return o
}

// refusalCode is the server's error code in a refusal, as a failure's
// Explain.Code holds it.
func refusalCode(err error) string {
	var oe *client.OAuth2Error
	var ce *CallbackError
	switch {
	case errors.As(err, &oe):
		return safe.Line(oe.Code)
	case errors.As(err, &ce):
		return safe.Line(ce.Code)
	}
	return ""
}

// sameOutcome: equal, or a refusal recorded before refusals of negative
// edits had their own status (a failure with the same error code).
func sameOutcome(got, recorded Outcome) bool {
	return got == recorded || got.Status == StatusRefused && recorded.Status == StatusFailed && got.Error == recorded.Error
}

// Saved is the flow as run so far, for saving. ok is false when no step has
// run yet.
func (f *Flow) Saved(now time.Time) (SavedFlow, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	sf := SavedFlow{Format: SavedFormat, SavedAt: now, Server: safe.Line(f.cfg.Client.BaseURL()), Steps: slices.Clone(f.ranLog),
		Setup: SavedSetup{ClientMode: f.cfg.ClientMode, Consent: f.cfg.Consent, AuthMethod: f.cfg.AuthMethod, Scope: f.cfg.Scope, NoResource: f.cfg.NoResource}}
	return sf, len(sf.Steps) > 0
}

// WriteSaved writes a saved flow as indented JSON.
func WriteSaved(w io.Writer, sf SavedFlow) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sf)
}

// maxSavedBytes bounds a saved-flow file.
const maxSavedBytes = 1 << 20

// ReadSaved reads and checks a saved flow.
func ReadSaved(r io.Reader) (SavedFlow, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxSavedBytes+1))
	if err != nil {
		return SavedFlow{}, err
	}
	if len(b) > maxSavedBytes {
		return SavedFlow{}, errors.New("larger than 1 MiB: not a saved flow")
	}
	var sf SavedFlow
	if err := json.Unmarshal(b, &sf); err != nil {
		return SavedFlow{}, fmt.Errorf("not a saved flow: %s", safe.Line(err.Error()))
	}
	if sf.Format != SavedFormat {
		return SavedFlow{}, fmt.Errorf("not a saved flow of this version (format %q, want %q)", safe.Line(sf.Format), SavedFormat)
	}
	// A file is anyone's: what of it is ever shown is made safe here.
	sf.Server = safe.Line(sf.Server)
	for i := range sf.Steps {
		o := &sf.Steps[i].Expect
		o.Status, o.Error = Status(safe.Line(string(o.Status))), safe.Line(o.Error)
	}
	for i, st := range sf.Steps {
		if _, ok := Step(st.Step); !ok {
			return SavedFlow{}, fmt.Errorf("step %d: unknown step %q", i+1, safe.Line(string(st.Step)))
		}
		for _, e := range st.Edits {
			switch {
			case e.Where == "url" && (e.Op != "set" || len(e.Values) != 1):
				return SavedFlow{}, fmt.Errorf("step %d (%s): a url edit sets one value", i+1, st.Step)
			case (e.Op != "set" && e.Op != "delete") || (e.Where != "param" && e.Where != "header" && e.Where != "url") || e.Name == "":
				return SavedFlow{}, fmt.Errorf("step %d (%s): an edit that is not set/delete of a param, header or the url", i+1, st.Step)
			}
		}
	}
	return sf, nil
}

// Replayed is one saved step run again.
type Replayed struct {
	Step     StepID  `json:"step"`
	Expected Outcome `json:"expected"`
	Got      Outcome `json:"got"`
	Same     bool    `json:"same"`
	Verdict  string  `json:"verdict,omitempty"` // the step's own verdict now
}

// Replay runs the saved steps on f (made from the saved setup), each with
// its edits, and compares every outcome with the recorded one. It stops
// after a step that failed where the recording did not: what follows
// depended on it. each, when set, sees every step as it finishes.
func (f *Flow) Replay(ctx context.Context, sf SavedFlow, each func(Replayed)) []Replayed {
	var out []Replayed
	for _, st := range sf.Steps {
		f.ResetRequest(st.Step) // as recorded: this run's edits, or none
		if why := f.foreignURLEdit(st); why != "" {
			r := Replayed{Step: st.Step, Expected: st.Expect, Got: Outcome{Status: StatusFailed, Error: "edit"}, Verdict: why}
			out = append(out, r)
			if each != nil {
				each(r)
			}
			return out
		}
		if len(st.Edits) > 0 {
			edits := st.Edits
			if err := f.EditRequest(st.Step, func(r *Request) { applyEdits(r, edits) }); err != nil {
				r := Replayed{Step: st.Step, Expected: st.Expect, Got: Outcome{Status: StatusFailed, Error: "edit"}, Verdict: safe.Line(err.Error())}
				out = append(out, r)
				if each != nil {
					each(r)
				}
				return out
			}
		}
		res := f.Run(ctx, st.Step)
		got := outcomeOf(res)
		r := Replayed{Step: st.Step, Expected: st.Expect, Got: got, Same: sameOutcome(got, st.Expect), Verdict: safe.Line(res.Verdict)}
		out = append(out, r)
		if each != nil {
			each(r)
		}
		stopped := func(s Status) bool { return s == StatusFailed || s == StatusRefused }
		if stopped(got.Status) && !stopped(st.Expect.Status) {
			return out // the steps after it cannot run on it
		}
	}
	return out
}
