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
	t.Parallel()
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
	h.waitFor("the first requests to block", func() bool { inFlight, _, _, _ := api.secretStats(); return inFlight == maxCountRequests })
	_, maxLive, asked, _ := api.secretStats()
	if maxLive > maxCountRequests || asked > maxCountRequests {
		t.Fatalf("%d requests at once, %d asked; want at most %d", maxLive, asked, maxCountRequests)
	}

	h.key("3") // leave the Apps tab
	h.waitFor("the requests in flight to be cancelled", func() bool {
		inFlight, _, _, cancelled := api.secretStats()
		return inFlight == 0 && cancelled == maxCountRequests
	})
	_, _, askedWhileAway, _ := api.secretStats()
	if askedWhileAway != asked {
		t.Fatalf("asked %d more counts after the tab was left", askedWhileAway-asked)
	}

	close(api.secretsBlock) // the server answers from now on
	h.key("2")
	h.waitFor("the visible rows' counts", func() bool {
		inFlight, _, now, _ := api.secretStats()
		return inFlight == 0 && now > asked
	})
	_, _, total, _ := api.secretStats()
	visible := h.m.top().(*appsScreen).tableHeight()
	if total-asked > visible+maxCountRequests {
		t.Fatalf("asked %d counts on return; only %d rows are visible", total-asked, visible)
	}
}

// TestSecretCountsScrollDoesNotLoop: scrolling while counts are loading
// stops the batch for rows gone from view and asks once for the new rows;
// the stopped batch's answer starts nothing (it once re-asked, which
// cancelled the new batch, whose answer re-asked: an endless loop).
func TestSecretCountsScrollDoesNotLoop(t *testing.T) {
	t.Parallel()
	api := newFakeAPI()
	seedApps(api, 1000)
	api.secretsBlock = make(chan struct{})
	h := newHarness(t, api, 120, 30)
	h.key("2")
	h.waitFor("the first batch to block", func() bool { inFlight, _, _, _ := api.secretStats(); return inFlight == maxCountRequests })
	h.key("pgdown", "pgdown")
	h.waitFor("the newest batch to block", func() bool {
		inFlight, _, _, cancelled := api.secretStats()
		return inFlight == maxCountRequests && cancelled >= maxCountRequests
	})
	_, _, asked, _ := api.secretStats()
	if asked > 3*maxCountRequests {
		t.Fatalf("%d count requests for three windows of rows", asked)
	}
	close(api.secretsBlock)
	visible := h.m.top().(*appsScreen).tableHeight()
	h.waitFor("every visible count", func() bool {
		s := h.m.top().(*appsScreen)
		from, to := s.list.window(visible)
		for i := from; i < to; i++ {
			if s.counts[s.idx.at(i).app.ID] < 0 {
				return false
			}
		}
		return true
	})
	_, _, total, _ := api.secretStats()
	if total > asked+visible {
		t.Fatalf("%d requests to fill %d visible rows", total-asked, visible)
	}
}
