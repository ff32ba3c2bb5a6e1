package ui

import (
	"oauthdeck/client/safe"
	"oauthdeck/flows/check"
)

// A suite's results as the Check screen keeps them: every string a server
// may have shaped is made inert once, when the result arrives.

// sanitizeResult cleans every server-derived string once, on arrival.
func sanitizeResult(r check.Result) check.Result {
	r.ID, r.Title, r.Basis = safe.Line(r.ID), safe.Line(r.Title), safe.Line(r.Basis)
	r.Detail = safe.Text(r.Detail)
	ev := make([]check.Evidence, len(r.Evidence))
	for i, e := range r.Evidence {
		e.Note, e.Method, e.URL, e.Error = safe.Line(e.Note), safe.Line(e.Method), safe.Line(e.URL), safe.Line(e.Error)
		e.RequestBody, e.ResponseBody = safe.Text(e.RequestBody), safe.Text(e.ResponseBody)
		e.RequestHeader, e.ResponseHeader = sanitizeMap(e.RequestHeader), sanitizeMap(e.ResponseHeader)
		ev[i] = e
	}
	r.Evidence = ev
	return r
}

func sanitizeMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[safe.Line(k)] = safe.Line(v)
	}
	return out
}

func sanitizeServer(si check.ServerInfo) check.ServerInfo {
	si.URL, si.Version, si.Issuer, si.Resource = safe.Line(si.URL), safe.Line(si.Version), safe.Line(si.Issuer), safe.Line(si.Resource)
	return si
}

// checkHeaderLines: title, summary, table header.
const checkHeaderLines = 3
