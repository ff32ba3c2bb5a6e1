package audit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"oauthdeck/client"
	"oauthdeck/client/safe"
)

// PruneOptions say which apps a prune takes: every condition given must
// hold. At least one must be given.
type PruneOptions struct {
	DCR       bool          // only apps that registered themselves
	UnusedFor time.Duration // only apps none of whose secrets was used for this long (or ever); 0: any
}

// Candidate is an app a prune would delete. ID is raw (it addresses the
// server); the other fields are safe for a terminal.
type Candidate struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Why     string `json:"why"`
	Secrets int    `json:"secrets"`
}

// ErrNoDCRField: the server does not say which apps registered themselves.
var ErrNoDCRField = errors.New("this server does not say which apps registered themselves (Coder adds dynamically_registered in 2.38), so --dcr cannot choose")

// ErrNoUseRecord: the server does not record secret use.
var ErrNoUseRecord = errors.New("this server does not record when a secret is used (last_used_at stays null before Coder 2.38), so --unused-for cannot choose")

// Candidates picks the apps to delete, in the estate's order, and says
// which apps it could not judge and why.
func Candidates(est Estate, po PruneOptions, now time.Time) (cands []Candidate, skipped []string, err error) {
	if !po.DCR && po.UnusedFor <= 0 {
		return nil, nil, errors.New("say what to prune: --dcr, --unused-for DURATION, or both")
	}
	if po.UnusedFor > 0 && !est.Server.Features.SecretUseRecorded {
		return nil, nil, ErrNoUseRecord
	}
	for _, a := range est.Apps {
		var why []string
		if po.DCR {
			dyn, known := a.Dynamic()
			if !known {
				return nil, nil, ErrNoDCRField
			}
			if !dyn {
				continue
			}
			why = append(why, "registered itself")
		}
		if po.UnusedFor > 0 {
			switch {
			case a.Public():
				skipped = append(skipped, safe.Line(a.App.Name+" ("+a.App.ID+"): a public client, whose use the API does not show"))
				continue
			case a.SecretsErr != nil:
				skipped = append(skipped, safe.Line(fmt.Sprintf("%s (%s): its secrets could not be read: %v", a.App.Name, a.App.ID, a.SecretsErr)))
				continue
			}
			unused, how := unusedFor(a, now, po.UnusedFor)
			if !unused {
				continue
			}
			why = append(why, how)
		}
		cands = append(cands, Candidate{ID: a.App.ID, Name: safe.Line(a.App.Name), Why: safe.Line(strings.Join(why, "; ")), Secrets: len(a.Secrets)})
	}
	return cands, skipped, nil
}

// PruneResult is what a prune did.
type PruneResult struct {
	Deleted []Candidate    `json:"deleted"`
	Failed  []PruneFailure `json:"failed,omitempty"`
	Left    []Candidate    `json:"left,omitempty"` // not tried: the run was interrupted
	// Unknown is the app whose delete was under way when the run was
	// interrupted: the server may or may not have deleted it.
	Unknown []Candidate `json:"outcome_unknown,omitempty"`
	Gone    []Candidate `json:"already_gone,omitempty"`
}

// PruneFailure is an app whose delete the server refused.
type PruneFailure struct {
	Candidate
	Error string `json:"error"`
}

// Prune deletes the candidates one at a time, in order, calling each (if
// set) after every app. An app already deleted (404) counts as gone. It
// stops when ctx ends: what was not tried is in Left, and an app whose
// delete the end cut short in Unknown.
func Prune(ctx context.Context, c *client.Client, cands []Candidate, each func(Candidate, error)) PruneResult {
	var res PruneResult
	for i, cand := range cands {
		if ctx.Err() != nil {
			res.Left = append(res.Left, cands[i:]...)
			break
		}
		err := c.DeleteApp(ctx, cand.ID)
		var api *client.APIError
		switch {
		case err == nil:
			res.Deleted = append(res.Deleted, cand)
		case errors.As(err, &api) && api.StatusCode == http.StatusNotFound:
			res.Gone = append(res.Gone, cand)
		case ctx.Err() != nil:
			// This one's outcome is unknown (a retry finds it gone or
			// deletes it); the rest were not tried.
			res.Unknown = append(res.Unknown, cand)
			res.Left = append(res.Left, cands[i+1:]...)
			return res
		default:
			res.Failed = append(res.Failed, PruneFailure{Candidate: cand, Error: safe.Line(err.Error())})
		}
		if each != nil {
			each(cand, err)
		}
	}
	return res
}
