package audit

import (
	"fmt"
	"time"

	"oauthdeck/client"
)

// useRecorded: the server sets last_used_at, so "never used" means it.
func (j *judge) useRecorded() bool { return j.est.Server.Features.SecretUseRecorded }

func checkUseRecorded(j *judge, r Rule) {
	if j.est.Server.Kind == "coder" && !j.useRecorded() && j.est.countSecrets() > 0 {
		j.emit(r, nil, "", "this Coder version does not record when a client secret is used (last_used_at stays null, as seen on v2.30.0), so unused secrets and apps cannot be told from used ones: the rules on secret use were not applied")
	}
}

func (e *Estate) countSecrets() int {
	n := 0
	for _, a := range e.Apps {
		n += len(a.Secrets)
	}
	return n
}

// usage runs fn for the apps whose secret use can be judged: the server
// records it, and the app is confidential, read and not spoken for.
func (j *judge) usage(fn func(a *AppState)) {
	if j.useRecorded() {
		j.confidential(fn)
	}
}

// confidential: the apps whose secrets rules can judge (read, not public,
// not already spoken for).
func (j *judge) confidential(fn func(a *AppState)) {
	for i := range j.est.Apps {
		a := &j.est.Apps[i]
		if a.Public() || a.SecretsErr != nil || j.claimed[a.App.ID] {
			continue
		}
		fn(a)
	}
}

func checkDCRUnused(j *judge, r Rule) {
	j.usage(func(a *AppState) {
		if dyn, _ := a.Dynamic(); !dyn {
			return
		}
		last := a.LastUsed()
		var msg string
		switch {
		case len(a.Secrets) == 0:
			msg = "registered itself (DCR) and has no secret left, so no client can use it"
		case last.IsZero():
			msg = "registered itself (DCR) and its secret was never used"
			if len(a.Secrets) > 1 {
				msg = fmt.Sprintf("registered itself (DCR) and none of its %d secrets was ever used", len(a.Secrets))
			}
			msg += " (Coder does not say when an app was registered: a brand-new one looks the same)"
		case j.now.Sub(last) > j.opts.UnusedFor:
			msg = fmt.Sprintf("registered itself (DCR) and was last used %s (more than %s)", ago(j.now, last), days(j.opts.UnusedFor))
		default:
			return
		}
		j.claimed[a.App.ID] = true
		j.emit(r, a, "", msg)
	})
}

func checkRotation(j *judge, r Rule) {
	j.usage(func(a *AppState) {
		if len(a.Secrets) < 2 {
			return
		}
		newest := a.LastUsed()
		for _, s := range a.Secrets {
			if s.LastUsedAt == nil || !newest.After(*s.LastUsedAt) {
				continue
			}
			if gap := newest.Sub(*s.LastUsedAt); gap > j.opts.RotationGrace {
				j.claimed[s.ID] = true
				j.emit(r, a, s.ID, fmt.Sprintf("secret …%s was last used %s, while another secret of the app was used %s: its clients have moved on",
					s.ClientSecretTruncated, ago(j.now, *s.LastUsedAt), ago(j.now, newest)))
			}
		}
	})
}

func (j *judge) eachSecret(fn func(a *AppState, s client.AppSecret)) {
	j.usage(func(a *AppState) {
		for _, s := range a.Secrets {
			if !j.claimed[s.ID] {
				fn(a, s)
			}
		}
	})
}

func checkStale(j *judge, r Rule) {
	j.eachSecret(func(a *AppState, s client.AppSecret) {
		if s.LastUsedAt != nil && j.now.Sub(*s.LastUsedAt) > j.opts.UnusedFor {
			j.emit(r, a, s.ID, fmt.Sprintf("secret …%s was last used %s (more than %s)", s.ClientSecretTruncated, ago(j.now, *s.LastUsedAt), days(j.opts.UnusedFor)))
		}
	})
}

func checkNeverUsed(j *judge, r Rule) {
	j.eachSecret(func(a *AppState, s client.AppSecret) {
		if s.LastUsedAt == nil {
			j.emit(r, a, s.ID, fmt.Sprintf("secret …%s has never been used", s.ClientSecretTruncated))
		}
	})
}

func checkNoSecret(j *judge, r Rule) {
	j.confidential(func(a *AppState) {
		if len(a.Secrets) == 0 {
			j.emit(r, a, "", "confidential app with no client secret: no client can authenticate at the token endpoint, so no flow can finish")
		}
	})
}

// unusedFor reports whether an app's secrets all went unused for d (or
// were never used); public apps' use cannot be seen, so never.
func unusedFor(a AppState, now time.Time, d time.Duration) (bool, string) {
	if a.Public() || a.SecretsErr != nil {
		return false, ""
	}
	last := a.LastUsed()
	switch {
	case len(a.Secrets) == 0:
		return true, "no secret"
	case last.IsZero():
		return true, "never used (age unknown)"
	case now.Sub(last) > d:
		return true, "last used " + ago(now, last)
	}
	return false, ""
}
