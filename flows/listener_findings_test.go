package flows

import (
	"strings"
	"testing"
)

// A finding never claims a defence that did not run: after a timeout the
// state and single-callback findings say no callback was accepted.
func TestListenerFindingsWordingFollowsWhatHappened(t *testing.T) {
	t.Parallel()
	exp := Expect{State: "st", RequireIss: true}
	byID := func(fs []Finding) map[string]Finding {
		m := map[string]Finding{}
		for _, f := range fs {
			m[f.ID] = f
		}
		return m
	}

	timedOut := byID(listenerFindings(ListenerStatus{Addr: "127.0.0.1:9876", Closed: true}, exp, false))
	for _, id := range []string{"listener.state", "listener.iss", "listener.single"} {
		f := timedOut[id]
		if f.Severity != SeverityInfo || !strings.Contains(f.Message, "no callback was accepted") {
			t.Errorf("%s after a timeout = %+v", id, f)
		}
	}

	// Right after Wait the listener has stopped accepting but may still be
	// draining (Closed false): a good callback is a pass all the same.
	for _, closed := range []bool{true, false} {
		ok := byID(listenerFindings(ListenerStatus{Addr: "127.0.0.1:9876", Received: true, Closed: closed, StateOK: true, IssChecked: true}, exp, false))
		for _, id := range []string{"listener.loopback", "listener.state", "listener.iss", "listener.single"} {
			if f := ok[id]; f.Severity != SeverityPass || strings.Contains(f.Message, "no callback") {
				t.Errorf("%s after a good callback (closed %v) = %+v", id, closed, f)
			}
		}
	}

	// Auto-consent that read the redirect from Location says so.
	loc := byID(listenerFindings(ListenerStatus{Addr: "127.0.0.1:9876"}, exp, true))
	if f := loc["listener.state"]; f.Severity != SeverityPass || !strings.Contains(f.Message, "Location") {
		t.Errorf("state via Location = %+v", f)
	}
	if f := loc["listener.single"]; strings.Contains(f.Message, "no callback was accepted") || !strings.Contains(f.Message, "from Location") {
		t.Errorf("single via Location = %+v", f)
	}
}
