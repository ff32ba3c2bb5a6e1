package check

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"

	"oauthdeck/flows/internal/randtext"
)

// hostile is server text trying to drive the terminal: an OSC 52 clipboard
// write, a colour change, a bidi override and an XML-invalid control.
const hostile = "evil\x1b]52;c;cHduZWQ=\x07\x1b[35mred\u202e\x01"

func sampleReport() Report {
	checks := []Result{
		{ID: "discovery.as-metadata", Status: Pass, Title: "Metadata", Basis: "RFC 8414 §3", Level: Must, Detail: "found", Evidence: []Evidence{}},
		{ID: "token.cache-control", Status: Fail, Title: "no-store", Basis: "RFC 6749 §5.1", Level: Must,
			Detail: "no Cache-Control " + hostile,
			Evidence: []Evidence{{
				Note: "exchange", Method: "POST", URL: "http://127.0.0.1:1/oauth2/tokens", Status: 200,
				RequestBody:    "grant_type=authorization_code&code=[redacted]",
				ResponseHeader: map[string]string{"Content-Type": "application/json", "X-Evil": hostile},
				ResponseBody:   `{"error":"` + hostile + `"}`,
			}}},
		{ID: "refresh.rotation", Status: Warn, Title: "rotation", Basis: "OAuth 2.1 §4.3.1", Level: Should, Detail: "not rotated", Evidence: []Evidence{}},
		{ID: "dcr.redirect-rules", Status: Skip, Title: "dcr", Basis: "RFC 7591", Level: Must, Detail: "no registration_endpoint", Evidence: []Evidence{}},
	}
	return Report{Server: ServerInfo{URL: "http://127.0.0.1:1", Version: "v2.30.0" + hostile, Resource: "http://127.0.0.1:1"}, Checks: checks, Summary: Summarize(checks)}
}

func TestSummarizeAndFailed(t *testing.T) {
	t.Parallel()
	rep := sampleReport()
	if want := (Summary{Pass: 1, Fail: 1, Warn: 1, Skip: 1}); rep.Summary != want {
		t.Fatalf("summary %+v, want %+v", rep.Summary, want)
	}
	if !rep.Failed() {
		t.Fatal("a report with a failure must say Failed")
	}
	rep.Checks[1].Status = Warn
	rep.Summary = Summarize(rep.Checks)
	if rep.Failed() {
		t.Fatal("warnings alone must not fail the run")
	}
}

func TestWriteJSONShape(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := WriteJSON(&buf, sampleReport()); err != nil {
		t.Fatal(err)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	for _, k := range []string{"server", "checks", "summary"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("missing top-level %q", k)
		}
	}
	var checks []map[string]json.RawMessage
	if err := json.Unmarshal(doc["checks"], &checks); err != nil {
		t.Fatal(err)
	}
	for _, c := range checks {
		for _, k := range []string{"id", "status", "title", "basis", "evidence"} {
			if _, ok := c[k]; !ok {
				t.Errorf("check %s lacks %q", c["id"], k)
			}
		}
	}
	var sum map[string]int
	if err := json.Unmarshal(doc["summary"], &sum); err != nil {
		t.Fatal(err)
	}
	if sum["pass"] != 1 || sum["fail"] != 1 || sum["warn"] != 1 || sum["skip"] != 1 {
		t.Errorf("summary %v", sum)
	}
	var back Report
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil || len(back.Checks) != 4 || back.Checks[1].Evidence[0].Status != 200 {
		t.Errorf("round trip lost data: %v %+v", err, back)
	}
}

func TestWriteJUnitParses(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := WriteJUnit(&buf, sampleReport()); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Skipped  int `xml:"skipped,attr"`
		Suites   []struct {
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
					Text    string `xml:",chardata"`
				} `xml:"failure"`
				Skipped *struct {
					Message string `xml:"message,attr"`
				} `xml:"skipped"`
				Out string `xml:"system-out"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("invalid JUnit XML: %v\n%s", err, buf.String())
	}
	if doc.Tests != 4 || doc.Failures != 1 || doc.Skipped != 1 || len(doc.Suites) != 1 || len(doc.Suites[0].Cases) != 4 {
		t.Fatalf("counts wrong: %+v", doc)
	}
	cases := doc.Suites[0].Cases
	if cases[1].Failure == nil || !strings.Contains(cases[1].Failure.Text, "RFC 6749 §5.1") || !strings.Contains(cases[1].Failure.Text, "/oauth2/tokens") {
		t.Errorf("failure lacks basis or evidence: %+v", cases[1].Failure)
	}
	if cases[3].Skipped == nil || cases[3].Skipped.Message != "no registration_endpoint" {
		t.Errorf("skip lacks its reason: %+v", cases[3])
	}
	if !strings.HasPrefix(cases[2].Out, "WARN") {
		t.Errorf("warning not marked: %q", cases[2].Out)
	}
}

func TestWriteTextIsInert(t *testing.T) {
	t.Parallel()
	for _, color := range []bool{false, true} {
		var buf bytes.Buffer
		styles := TextStyles{}
		if color {
			styles.Status = func(_ Status, s string) string { return "\x1b[1m" + s + "\x1b[m" }
			styles.Faint = func(s string) string { return "\x1b[2m" + s + "\x1b[m" }
		}
		if err := WriteText(&buf, sampleReport(), styles); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if strings.Contains(out, "\x1b]") || strings.Contains(out, "\u202e") || strings.Contains(out, "\x07") || strings.Contains(out, "\x1b[35m") {
			t.Errorf("color=%v: server text reached the terminal raw:\n%q", color, out)
		}
		if !color && strings.Contains(out, "\x1b") {
			t.Errorf("color=false but output has escape sequences: %q", out)
		}
		if color && !strings.Contains(out, "\x1b[") {
			t.Errorf("color=true but no styling")
		}
		for _, want := range []string{"FAIL", "token.cache-control", "basis: RFC 6749 §5.1 (MUST)", "POST http://127.0.0.1:1/oauth2/tokens → 200", "4 checks: 1 pass, 1 fail, 1 warn, 1 skip"} {
			if !strings.Contains(out, want) {
				t.Errorf("color=%v: output lacks %q:\n%s", color, want, out)
			}
		}
	}
}

func TestRegistry(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, d := range registry {
		if seen[d.ID] {
			t.Errorf("duplicate id %s", d.ID)
		}
		seen[d.ID] = true
		if d.Title == "" || d.Basis == "" || (d.Level != Must && d.Level != Should) || d.run == nil {
			t.Errorf("incomplete definition %+v", d)
		}
	}
	for _, id := range []string{"discovery.as-metadata", "discovery.protected-resource", "flow.pkce", "flow.pkce-wrong-verifier",
		"flow.resource", "token.cache-control", "token.bearer-use", "token.www-authenticate", "code.single-use",
		"code.client-binding", "refresh.rotation", "refresh.client-auth", "revoke.rfc7009", "revoke.client-auth",
		"authorize.response-type", "authorize.plain-refused", "authorize.pkce-required", "authorize.redirect-mismatch",
		"token.redirect-mismatch", "token.resource-mismatch", "token.bad-client-secret", "token.pkce-downgrade",
		"dcr.redirect-rules", "token.audience-binding", "discovery.issuer"} {
		if !seen[id] {
			t.Errorf("required check %s missing", id)
		}
	}
	if len(Checks()) != len(registry) {
		t.Error("Checks() does not list the registry")
	}
}

func TestScrubAndHelpers(t *testing.T) {
	t.Parallel()
	s := &suite{secrets: map[string]string{}}
	secret := "coder_abcdefghij_" + strings.Repeat("x", 40)
	s.remember(secret, "short", "tok/en+with=chars")
	got := s.clean("a="+secret+"&b=tok%2Fen%2Bwith%3Dchars short \x1b[2J", true)
	if strings.Contains(got, secret) || strings.Contains(got, "tok%2Fen") || strings.Contains(got, "\x1b") {
		t.Errorf("not scrubbed: %q", got)
	}
	if !strings.Contains(got, "short") {
		t.Errorf("short values must not be treated as secrets: %q", got)
	}
	if !hasDirective([]string{"private, No-Store"}, "no-store") || hasDirective([]string{"no-cache"}, "no-store") || hasDirective(nil, "no-store") {
		t.Error("hasDirective")
	}
	if a, b := randtext.Alnum(40), randtext.Alnum(40); a == b || len(a) != 40 || strings.Trim(a, randtext.Alphabet) != "" {
		t.Errorf("randtext.Alnum %q %q", a, b)
	}
	long := strings.Repeat("é", maxEvidenceBody)
	if tr := truncate(long); len(tr) > maxEvidenceBody+40 || !strings.Contains(tr, "more bytes") || strings.ContainsRune(tr, '\uFFFD') {
		t.Errorf("truncate broke the text: len %d", len(tr))
	}
}
