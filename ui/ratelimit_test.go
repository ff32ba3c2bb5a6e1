package ui

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// A wait on a 429's Retry-After shows in the status bar: the console's
// clients say it as a notice, never silently.
func TestRateLimitWaitIsANotice(t *testing.T) {
	t.Parallel()
	var calls int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls == 1 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"version":"v2.38.0"}`))
	}))
	defer srv.Close()
	c := newCommon(context.Background(), Deps{})
	var mu sync.Mutex
	var notices []noticeMsg
	c.send = func(m tea.Msg) {
		if n, ok := m.(noticeMsg); ok {
			mu.Lock()
			notices = append(notices, n)
			mu.Unlock()
		}
	}
	_, cl, err := c.defaultNewAPI(srv.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.BuildInfo(context.Background()); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(notices) != 1 || notices[0].kind != noticeWarn || !strings.Contains(notices[0].text, "rate limited (429) at GET") {
		t.Fatalf("notices %+v", notices)
	}
}
