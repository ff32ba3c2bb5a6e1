package flows

import (
	"strings"
	"testing"
)

// A finding never claims a defence that did not run: after a timeout the
// state and single-callback findings say no callback was accepted.
func TestListenerFindingsWordingFollowsWhatHappened(t *testing.T) {
	exp := Expect{State: "st", RequireIss: true}
	byID := func(fs []Finding) map[string]Finding {
		m := map[string]Finding{}
		for _, f := range fs {
			m[f.ID] = f
		}
		return m
	}

	timedOut := byID(listenerFindings(ListenerStatus{Addr: "127.0.0.1:9876", Closed: true}, exp))
	for _, id := range []string{"listener.state", "listener.iss", "listener.single"} {
		f := timedOut[id]
		if f.Severity != SeverityInfo || !strings.Contains(f.Message, "no callback was accepted") {
			t.Errorf("%s after a timeout = %+v", id, f)
		}
	}

	ok := byID(listenerFindings(ListenerStatus{Addr: "127.0.0.1:9876", Received: true, Closed: true, StateOK: true, IssChecked: true}, exp))
	for _, id := range []string{"listener.loopback", "listener.state", "listener.iss", "listener.single"} {
		if f := ok[id]; f.Severity != SeverityPass || strings.Contains(f.Message, "no callback") {
			t.Errorf("%s after a good callback = %+v", id, f)
		}
	}
}
