package flows

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// A pasted URL is validated like a callback, so the status says it was
// received and its state checked.
func TestListenerDeliverMarksStateChecked(t *testing.T) {
	t.Parallel()
	l := startListener(t, ListenOptions{})
	if err := l.Deliver(callbackURL(l, url.Values{"code": {"pasted"}, "state": {testState}})); err != nil {
		t.Fatal(err)
	}
	if st := l.Status(); !st.StateOK || !st.Received {
		t.Fatalf("status %+v, want Received and StateOK", st)
	}
}

// Coder v2.30's Cancel link carries error= without state: it cannot be
// proven to answer this flow, so it is refused and shown, never a verified
// state, and the wait goes on (esc or the timeout ends it).
func TestListenerRefusalWithoutStateIsNotStateOK(t *testing.T) {
	t.Parallel()
	l := startListener(t, ListenOptions{Timeout: 2 * time.Second}) // room for the refused callback on a loaded machine
	get(t, "GET", callbackURL(l, url.Values{"error": {"access_denied"}}), "")
	st := l.Status()
	if st.Received || st.StateOK || len(st.Rejected) != 1 || !strings.Contains(st.Rejected[0].Reason.Error(), "error=") {
		t.Fatalf("status %+v, want one refusal naming the error callback", st)
	}
	if _, err := waitErr(t, l); !errors.Is(err, ErrListenTimeout) {
		t.Fatalf("err = %v, want the timeout", err)
	}
}

// A pasted redirect of another sign-in is refused with a reason and the
// wait goes on; the right one is then accepted.
func TestListenerPastedForeignStateKeepsWaiting(t *testing.T) {
	t.Parallel()
	l := startListener(t, ListenOptions{})
	err := l.Deliver(callbackURL(l, url.Values{"code": {"c"}, "state": {"stale"}}))
	if !errors.Is(err, ErrStateMismatch) {
		t.Fatalf("Deliver(stale) = %v", err)
	}
	select {
	case <-l.Done():
		t.Fatal("a stale paste ended the wait")
	default:
	}
	if err := l.Deliver(callbackURL(l, url.Values{"code": {"c"}, "state": {testState}})); err != nil {
		t.Fatalf("Deliver(good) = %v", err)
	}
	if cb, err := waitErr(t, l); err != nil || cb.Code != "c" {
		t.Fatalf("Wait = %+v %v", cb, err)
	}
}

// Two callbacks racing: only the one that ended the wait may set the marks.
func TestListenerLosingCallbackKeepsWinnersMarks(t *testing.T) {
	t.Parallel()
	l := startListener(t, ListenOptions{})
	good := Callback{Code: "c", State: testState}
	if !l.finish(good, nil, func(s *ListenerStatus) { markReceived(s, l.opts.Expect, good) }) {
		t.Fatal("first finish lost")
	}
	if l.finish(Callback{}, &CallbackError{Err: ErrStateMismatch}, func(s *ListenerStatus) { markReceived(s, l.opts.Expect, Callback{}) }) {
		t.Fatal("second finish won")
	}
	if st := l.Status(); !st.StateOK || st.Err != "" {
		t.Fatalf("status %+v: the loser overwrote the winner", st)
	}
}

// A page hammering the port cannot grow the status without bound, and the
// real callback still gets through afterwards.
func TestListenerBoundsRejections(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	notified := 0
	l := startListener(t, ListenOptions{OnStatus: func(ListenerStatus) { mu.Lock(); notified++; mu.Unlock() }})
	u, _ := url.Parse(l.RedirectURI())
	u.Path = "/favicon.ico"
	for range maxRejections + 15 {
		if resp, _ := get(t, "GET", u.String(), ""); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("status %d", resp.StatusCode)
		}
	}
	if n := len(l.Status().Rejected); n != maxRejections {
		t.Fatalf("kept %d rejections, want %d", n, maxRejections)
	}
	get(t, "GET", callbackURL(l, url.Values{"code": {"c"}, "state": {testState}}), "")
	if cb, err := waitErr(t, l); err != nil || cb.Code != "c" {
		t.Fatalf("Wait = %+v, %v", cb, err)
	}
	assertClosed(t, l)
	mu.Lock()
	defer mu.Unlock()
	if notified > maxRejections+4 {
		t.Fatalf("%d status notifications for %d kept rejections", notified, maxRejections)
	}
}

// OnStatus sees snapshots in order: once it has seen Closed, nothing older follows.
func TestListenerStatusOrder(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var seen []ListenerStatus
	l := startListener(t, ListenOptions{OnStatus: func(s ListenerStatus) { mu.Lock(); seen = append(seen, s); mu.Unlock() }})
	get(t, "GET", callbackURL(l, url.Values{"code": {"c"}, "state": {testState}}), "")
	if _, err := waitErr(t, l); err != nil {
		t.Fatal(err)
	}
	assertClosed(t, l)
	mu.Lock()
	defer mu.Unlock()
	if last := seen[len(seen)-1]; !last.Closed || !last.StateOK {
		t.Fatalf("last status %+v, want closed with state checked", last)
	}
}

// A URL pasted after the wait timed out is refused with the reason, not as
// if a callback had been taken.
func TestListenerDeliverAfterTimeout(t *testing.T) {
	t.Parallel()
	l := startListener(t, ListenOptions{Timeout: 50 * time.Millisecond})
	if _, err := waitErr(t, l); !errors.Is(err, ErrListenTimeout) {
		t.Fatalf("Wait = %v, want timeout", err)
	}
	err := l.Deliver(callbackURL(l, url.Values{"code": {"late"}, "state": {testState}}))
	if !errors.Is(err, ErrListenerClosed) || !strings.Contains(err.Error(), "deadline") || strings.Contains(err.Error(), "already taken") {
		t.Fatalf("late paste: %v", err)
	}
}
