package ui

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"oauthdeck/client"
	"oauthdeck/flows"
	"oauthdeck/flows/check"
)

// BenchmarkFlowRender measures one countdown tick's work: rebuilding the
// selected step's detail (request, responses, fields, findings) and drawing
// the screen at 100×30.
func BenchmarkFlowRender(b *testing.B) {
	s, now := newUnitFlowScreen(b)
	s.SetSize(100, 28)
	body := []byte(`{"access_token":"‹redacted›","token_type":"Bearer","expires_in":86399,"refresh_token":"‹redacted›","scope":"coder:all"}`)
	ex := client.Exchange{ID: 7, Method: "POST", URL: "http://127.0.0.1:1/oauth2/tokens", StatusCode: 200,
		ResponseHeader: http.Header{"Content-Type": {"application/json"}}, ResponseBody: body, Duration: 3 * time.Millisecond}
	res := flows.StepResult{Step: flows.StepExchange, Status: flows.StatusPassed, Verdict: "tokens received",
		Request:   &flows.Request{Method: "POST", URL: ex.URL, Params: map[string][]string{"grant_type": {"authorization_code"}, "code": {strings.Repeat("c", 40)}}},
		Exchanges: []client.Exchange{ex, ex},
		Findings:  []flows.Finding{{ID: "a", Severity: flows.SeverityPass, Message: "fine", Basis: "RFC 6749"}}}
	s.run.steps[stepIndex(flows.StepExchange)] = res
	s.run.tokens = &flows.Tokens{AccessToken: "AbCdEfGhIj-0123456789012345678901", TokenType: "Bearer", Expiry: now.Add(time.Hour), RefreshToken: "coder_abcdefghij_" + strings.Repeat("x", 40)}
	b.Run("step", func(b *testing.B) {
		s.list.cursor = stepIndex(flows.StepExchange)
		for b.Loop() {
			s.render()
			_ = s.View()
		}
	})
	b.Run("token", func(b *testing.B) {
		s.list.cursor = tokenRow
		for b.Loop() {
			s.render()
			_ = s.View()
		}
	})
}

// BenchmarkCheckView draws the conformance table with every result in.
func BenchmarkCheckView(b *testing.B) {
	s := newUnitCheckScreen(b)
	s.SetSize(100, 28)
	for i := range s.rows {
		r := check.Result{ID: s.rows[i].info.ID, Status: check.Pass, Title: s.rows[i].info.Title, Detail: "ok"}
		s.rows[i].res = &r
	}
	for b.Loop() {
		_ = s.View()
	}
}
