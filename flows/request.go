package flows

import (
	"net/http"
	"net/url"
	"strings"

	"oauthdeck/client/safe"
)

// Clone returns a deep copy of r.
func (r Request) Clone() Request {
	cp := r
	cp.Header = r.Header.Clone()
	cp.Params = cloneValues(r.Params)
	return cp
}

// cloneValues is a deep copy of v (url.Values has no Clone).
func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vals := range v {
		out[k] = append([]string(nil), vals...)
	}
	return out
}

// Redacted returns a copy of r safe to display: secret parameters and
// credential headers masked with Mask.
func (r Request) Redacted() Request {
	cp := r.Clone()
	for k, vals := range cp.Params {
		if safe.SecretName(k) {
			for i := range vals {
				vals[i] = safe.Mask(vals[i])
			}
		}
	}
	for h, vals := range cp.Header {
		if !safe.SecretHeader(h) {
			continue
		}
		for i, v := range vals {
			scheme, _, found := strings.Cut(v, " ")
			if found && strings.HasSuffix(http.CanonicalHeaderKey(h), "Authorization") {
				vals[i] = scheme + " " + safe.MaskDots
			} else {
				vals[i] = safe.MaskDots
			}
		}
	}
	return cp
}

// FullURL is URL with Params in the query when InQuery is set.
func (r Request) FullURL() string {
	if !r.InQuery || len(r.Params) == 0 {
		return r.URL
	}
	s, err := AuthorizationURL(r.URL, r.Params)
	if err != nil {
		return r.URL + "?" + r.Params.Encode()
	}
	return s
}

func headerWith(k, v string) http.Header {
	h := http.Header{}
	if v != "" {
		h.Set(k, v)
	}
	return h
}

// sessionPlaceholder stands for the admin session in previews: the real
// token is added by the client when the request is sent, never stored here.
const sessionPlaceholder = "(admin session token)"
