package check

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"oauthdeck/client"
)

func TestRunOneRecoversFromAPanickingCheck(t *testing.T) {
	t.Parallel()
	c, err := client.New("http://127.0.0.1:1", "", client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := newSuite(Config{Client: c})
	res := s.runOne(context.Background(), definition{ID: "x.panic", Title: "t", Basis: "b", Level: Must,
		run: func(context.Context, *suite, *probe) verdict { panic("boom") }})
	if res.Status != Fail || !strings.Contains(res.Detail, "internal error in check: boom") || res.Evidence == nil {
		t.Errorf("got %+v", res)
	}
}

func TestVerdictLevels(t *testing.T) {
	t.Parallel()
	must, should := &probe{level: Must}, &probe{level: Should}
	if must.violated("x").status != Fail || should.violated("x").status != Warn {
		t.Error("a broken MUST fails, a broken SHOULD warns")
	}
	if should.broken("do it", context.Canceled).status != Fail {
		t.Error("a check that could not be carried out fails whatever its level")
	}
}

func TestCleanEvidenceScrubsBeforeTruncating(t *testing.T) {
	t.Parallel()
	s := &suite{secrets: map[string]string{}}
	secret := "coder_abcdefghij_" + strings.Repeat("Q", 40)
	s.remember(secret)
	body := strings.Repeat("a", maxEvidenceBody-10) + secret + "tail"
	ev := s.cleanEvidence(Evidence{ResponseBody: body, RequestBody: body, ResponseHeader: map[string]string{"Location": "x?code=" + secret}})
	for _, got := range []string{ev.ResponseBody, ev.RequestBody, ev.ResponseHeader["Location"]} {
		if strings.Contains(got, "coder_abcd") {
			t.Errorf("part of the secret survived: …%s", got[max(0, len(got)-60):])
		}
	}
}

// A credential the server accepts where it must refuse fails the check;
// a 5xx is neither; refusals alone pass and are listed.
func TestRefusalsVerdicts(t *testing.T) {
	t.Parallel()
	p := &probe{level: Must}
	refused := tokenResult{Status: 401, Error: "invalid_client"}
	accepted := tokenResult{Status: 200, Token: client.TokenResponse{AccessToken: "x"}}
	var all refusals
	if !all.note("no secret", refused) || !all.note("a wrong secret", refused) {
		t.Fatal("a 401 refusal was not filed")
	}
	if v := all.verdict(p, "accepted %s", ", "); v.status != Pass || !strings.Contains(v.detail, "no secret: 401 invalid_client") {
		t.Errorf("refusals only: %+v", v)
	}
	var some refusals
	some.note("no secret", refused)
	some.note("app B's secret", accepted)
	if v := some.verdict(p, "accepted %s", ", "); v.status != Fail || !strings.Contains(v.detail, "accepted app B's secret") {
		t.Errorf("one accepted: %+v", v)
	}
	if (&refusals{}).note("x", tokenResult{Status: 500}) {
		t.Error("a 500 was filed as a refusal")
	}
}

// A token cut by the pre-redaction bound is dropped whole, never shown in part.
func TestPreBoundDropsACutToken(t *testing.T) {
	t.Parallel()
	key := "ABCDEFGHIJ-abcdefghijklmnopqrstuv" // an API key's shape
	body := `{"x":"` + strings.Repeat("y", 64<<10-16) + `","n":"` + key + `"}`
	got := preBound(body)
	if strings.Contains(got, "ABCDEFGHIJ") {
		t.Fatalf("the cut key is partly kept: …%q", got[len(got)-20:])
	}
	if !strings.HasSuffix(got, `"n":"`) {
		t.Fatalf("cut at the wrong place: …%q", got[len(got)-20:])
	}
	s := &suite{secrets: map[string]string{}}
	if shown := s.boundedBody(body, false); !strings.Contains(shown, fmt.Sprintf("[%d bytes in all]", len(body))) {
		t.Fatalf("shown %q", shown[len(shown)-40:])
	}
	// A body the recorder cut: its length is only a lower bound.
	if shown := s.boundedBody(body[:client.RecordedBodyLimit], true); !strings.Contains(shown, fmt.Sprintf("[more than %d bytes]", client.RecordedBodyLimit)) {
		t.Fatalf("shown %q", shown[len(shown)-40:])
	}
}
