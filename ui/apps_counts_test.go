package ui

import (
	"strings"
	"testing"
)

// TestSecretCountsFanOutBoundedAndCancelled: with many apps the list is
// usable before any secret count has come; counts are asked only for the
// visible rows, a few at a time; leaving the tab cancels the requests in
// flight, and coming back asks again for what was not answered.
func TestSecretCountsFanOutBoundedAndCancelled(t *testing.T) {
	api := newFakeAPI()
	seedApps(api, 1000)
	api.secretsBlock = make(chan struct{})
	h := newHarness(t, api, 120, 30)
	h.key("2")
	h.waitFor("the list, before any count", func() bool { return strings.Contains(h.screen(), "of 1000") })
	h.key("down", "down") // the list moves while every count is outstanding
	if !strings.Contains(h.screen(), "of 1000") {
		t.Fatalf("list not usable while counts load:\n%s", h.screen())
	}
	h.waitFor("the first requests to block", func() bool {
		api.mu.Lock()
		defer api.mu.Unlock()
		return api.secretsInFlight == maxCountRequests
	})
	api.mu.Lock()
	maxLive, asked := api.secretsMaxLive, api.secretsAsked
	api.mu.Unlock()
	if maxLive > maxCountRequests || asked > maxCountRequests {
		t.Fatalf("%d requests at once, %d asked; want at most %d", maxLive, asked, maxCountRequests)
	}

	h.key("3") // leave the Apps tab
	h.waitFor("the requests in flight to be cancelled", func() bool {
		api.mu.Lock()
		defer api.mu.Unlock()
		return api.secretsInFlight == 0 && api.secretsCancelled == maxCountRequests
	})
	api.mu.Lock()
	askedWhileAway := api.secretsAsked
	api.mu.Unlock()
	if askedWhileAway != asked {
		t.Fatalf("asked %d more counts after the tab was left", askedWhileAway-asked)
	}

	close(api.secretsBlock) // the server answers from now on
	h.key("2")
	h.waitFor("the visible rows' counts", func() bool {
		api.mu.Lock()
		defer api.mu.Unlock()
		return api.secretsInFlight == 0 && api.secretsAsked > asked
	})
	api.mu.Lock()
	total := api.secretsAsked
	api.mu.Unlock()
	visible := h.m.top().(*appsScreen).tableHeight()
	if total-asked > visible+maxCountRequests {
		t.Fatalf("asked %d counts on return; only %d rows are visible", total-asked, visible)
	}
}
