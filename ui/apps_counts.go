package ui

import (
	"context"
	"sync"

	tea "charm.land/bubbletea/v2"
)

// The Apps tab's secret counts: the API has no batch call, so each count is
// one request, asked only for the visible rows, a few at a time, and
// stopped when the rows scroll away or the tab is left.

type secretCountsMsg struct {
	gen, batch uint64
	counts     map[string]int // the asked ids that were answered (or failed)
}

// wantCounts fetches the secret counts of the visible rows not known yet.
func (s *appsScreen) wantCounts() tea.Cmd {
	api := s.c.API()
	if api == nil || !s.loaded || !s.focused {
		return nil
	}
	from, to := s.list.window(s.tableHeight())
	missing := false
	for i := from; i < to && !missing; i++ {
		_, known := s.counts[s.idx.at(i).app.ID]
		missing = !known
	}
	if !missing {
		return nil // the batch in flight, if any, covers every visible row
	}
	// The rows scrolled: the batch in flight may be for rows gone from
	// view. Stop it and forget what it had not answered; what is still
	// visible is asked again below.
	s.stopCounts()
	var ids []string
	for i := from; i < to; i++ {
		id := s.idx.at(i).app.ID
		if _, ok := s.counts[id]; !ok {
			s.counts[id] = -1
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(s.ctx)
	s.countsBatch++
	s.countsCancel, s.countsAsked = cancel, ids
	gen, batch := s.countsGen, s.countsBatch
	return func() tea.Msg {
		return secretCountsMsg{gen: gen, batch: batch, counts: fetchSecretCounts(ctx, api, ids)}
	}
}

// maxCountRequests is how many secret-count requests run at once: a few,
// to be gentle with the server (one request per app: the API has no
// batch call).
const maxCountRequests = 4

// fetchSecretCounts asks for each app's secrets, maxCountRequests at a
// time; -2 marks a failure. Once ctx ends, nothing more is asked and the
// ids not answered are left out.
func fetchSecretCounts(ctx context.Context, api API, ids []string) map[string]int {
	out := make(map[string]int, len(ids))
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, maxCountRequests)
	for _, id := range ids {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			secrets, err := api.AppSecrets(ctx, id)
			if ctx.Err() != nil {
				return // cancelled, not failed
			}
			n := -2
			if err == nil {
				n = len(secrets)
			}
			mu.Lock()
			out[id] = n
			mu.Unlock()
		}()
	}
	wg.Wait()
	return out
}

// stopCounts cancels the batch of count requests in flight, if any.
func (s *appsScreen) stopCounts() {
	if s.countsCancel == nil {
		return
	}
	s.countsCancel()
	for _, id := range s.countsAsked {
		if s.counts[id] == -1 {
			delete(s.counts, id)
		}
	}
	s.countsCancel, s.countsAsked = nil, nil
}

// Blur stops fetching counts nobody can see; Focus asks for the visible ones again.
func (s *appsScreen) Blur() { s.focused = false; s.stopCounts() }

func (s *appsScreen) Focus() tea.Cmd { s.focused = true; return s.wantCounts() }

func (s *appsScreen) countText(id string) string {
	n, ok := s.counts[id]
	switch {
	case !ok || n == -1:
		return "…"
	case n == -2:
		return "?"
	}
	return itoa(n)
}
