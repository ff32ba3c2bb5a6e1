package audit

import (
	"fmt"
	"net/url"
	"strings"

	"oauthdeck/client/coder"
)

// uriFinding is one redirect rule that applies to one of an app's URIs.
type uriFinding struct {
	rule, uri, detail string
}

// manyRedirects: more than this many URIs is a finding.
const manyRedirects = 10

// classifyAll judges every app's redirect URIs once: each URI gets at most
// one of the per-URI rules (the gravest), then the app's list is judged for
// repeats and length.
func classifyAll(est *Estate) map[string][]uriFinding {
	out := map[string][]uriFinding{}
	for _, a := range est.Apps {
		uris := a.App.RedirectURIs
		if len(uris) == 0 && a.App.CallbackURL != "" {
			uris = []string{a.App.CallbackURL}
		}
		var fs []uriFinding
		seen := map[string]bool{}
		for _, u := range uris {
			if rule, detail := classifyURI(u, a.Public()); rule != "" {
				fs = append(fs, uriFinding{rule, u, detail})
			}
			k := uriKey(u)
			if seen[k] {
				fs = append(fs, uriFinding{"redirect.duplicate", u, ""})
			}
			seen[k] = true
		}
		if len(uris) > manyRedirects {
			fs = append(fs, uriFinding{"redirect.many", "", fmt.Sprintf("%d redirect URIs", len(uris))})
		}
		if len(fs) > 0 {
			out[a.App.ID] = fs
		}
	}
	return out
}

// classifyURI names the gravest per-URI rule that applies, with why.
func classifyURI(raw string, public bool) (rule, detail string) {
	u, err := url.Parse(raw)
	if err != nil {
		return "redirect.refused", coder.RedirectURI(raw)
	}
	scheme, host := strings.ToLower(u.Scheme), strings.ToLower(u.Hostname())
	localSub := strings.HasSuffix(host, ".localhost")
	switch {
	case scheme == "http" && !coder.IsLoopbackHost(host) && !localSub:
		return "redirect.http-remote", "authorization codes to it travel in clear text"
	case strings.Contains(host, "*") || strings.Contains(strings.ToLower(u.Host), "%2a"):
		return "redirect.wildcard-host", "a wildcard is never expanded: the URI matches only itself, literally"
	case privateUse(scheme) && u.Host == "" && u.Path == "" && u.Opaque != "":
		return "redirect.custom-scheme-no-path", "a private-use scheme needs a path or authority"
	}
	if msg := coder.RedirectURI(raw); msg != "" {
		return "redirect.refused", msg
	}
	if public {
		switch {
		case scheme == "http" && localSub:
			return "redirect.refused", "a public client may use http only with localhost, 127.0.0.1 or [::1]"
		case scheme == "mailto" || scheme == "tel" || scheme == "sms":
			return "redirect.refused", scheme + ": URIs are not allowed for a public client"
		}
	}
	return "", ""
}

// privateUse: a scheme an app would own (com.example.app), not one of the
// web's, a URN, or one Coder blocks outright.
func privateUse(scheme string) bool {
	switch scheme {
	case "", "http", "https", "urn", "javascript", "data", "file", "ftp", "mailto", "tel", "sms":
		return false
	}
	return true
}

// uriKey compares URIs as a server would: scheme and host without case.
func uriKey(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.Scheme, u.Host = strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	return u.String()
}

func checkRedirects(j *judge, _ Rule) {
	for i := range j.est.Apps {
		a := &j.est.Apps[i]
		for _, f := range j.redirect[a.App.ID] {
			r := j.rules[f.rule]
			var msg string
			switch f.rule {
			case "redirect.duplicate":
				msg = f.uri + " is registered more than once"
			case "redirect.many":
				msg = f.detail + " (more than " + fmt.Sprint(manyRedirects) + ")"
				if len(a.App.RedirectURIs) > 32 {
					msg += "; Coder 2.38 refuses more than 32"
				}
			default:
				msg = f.uri + ": " + f.detail
				switch {
				case f.rule == "redirect.wildcard-host" || j.est.Server.Kind != "coder":
				case j.est.Server.Era == coder.EraFlag:
					msg += " (this server refuses it for new apps: it was stored before the rule, and the app cannot be saved unchanged)"
				default:
					msg += " (Coder 2.38 refuses it: after an upgrade the app cannot be saved unchanged)"
				}
			}
			j.emit(r, a, "", msg)
		}
	}
}
