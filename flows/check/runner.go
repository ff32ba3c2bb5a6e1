package check

// Running checks side by side. Most of the suite cannot overlap: Coder keeps
// one outstanding code and one live token pair per (user, app), and a new
// code or token ends the previous one, so every check that authorizes,
// exchanges or holds a token of the test apps would change what another
// one meets. Those checks form one chain, run one after another in
// registry order. Every other check (discovery, the challenges, MCP probes
// without the apps' tokens, transport rules, registration) needs only what
// Needs names and runs beside the chain as soon as that has finished. The
// report is the same as a sequential run's: results are added, and
// Config.OnResult told, in registry order, each once every check before it
// has finished.

import "context"

// DefaultParallelism is how many checks run at a time when
// Config.Parallelism is 0.
const DefaultParallelism = 4

// sideBySide are checks that use the test apps without touching their
// state on the server (no code, no token issued, spent or held), so they
// need not wait in the chain: token.body-limit sends one oversized token
// request with an unknown code, refused before it is read, and is the
// run's slowest check.
var sideBySide = map[string]bool{"token.body-limit": true}

// chained reports whether check id runs in the chain of the test apps'
// state (see the top of this file).
func chained(id string) bool {
	if sideBySide[id] {
		return false
	}
	return id == "setup.apps" || !appFree[id]
}

func (s *suite) parallelism() int {
	if s.generic() {
		return 1 // the given client's consent command may be a person at a browser
	}
	if s.cfg.Parallelism == 0 {
		return DefaultParallelism
	}
	return s.cfg.Parallelism
}

// plan is, for each check of sel, the checks of sel (by index) that must
// have finished before it starts: what Needs names, and the chain's check
// before it.
func plan(sel []definition) [][]int {
	at := make(map[string]int, len(sel))
	for i, d := range sel {
		at[d.ID] = i
	}
	deps := make([][]int, len(sel))
	prev := -1
	for i, d := range sel {
		for _, n := range Needs(d.ID) {
			if j, ok := at[n]; ok {
				deps[i] = append(deps[i], j)
			}
		}
		if chained(d.ID) {
			if prev >= 0 {
				deps[i] = append(deps[i], prev)
			}
			prev = i
		}
	}
	return deps
}

// startOrder is the order in which ready checks are started: the slow ones
// that run beside the chain first, then the chain (the run's critical
// path), then the rest, each in registry order.
func startOrder(sel []definition) []int {
	var slow, chain, rest []int
	for i, d := range sel {
		switch {
		case sideBySide[d.ID]:
			slow = append(slow, i)
		case chained(d.ID):
			chain = append(chain, i)
		default:
			rest = append(rest, i)
		}
	}
	return append(append(slow, chain...), rest...)
}

// runGraph runs sel with up to parallelism() checks at a time, each once
// the checks plan names for it have finished. At cancellation it starts
// nothing more, waits for the running checks and returns the context's
// error; the report then holds the results every earlier check of which
// had finished before.
func (s *suite) runGraph(ctx context.Context, sel []definition) error {
	deps, order, limit := plan(sel), startOrder(sel), s.parallelism()
	const (
		waiting = iota
		running
		finished
	)
	state := make([]int, len(sel))
	results := make([]Result, len(sel))
	valid := make([]bool, len(sel))
	type outcome struct {
		i   int
		res Result
	}
	done := make(chan outcome)
	busy, next := 0, 0
	ready := func(i int) bool {
		for _, j := range deps[i] {
			if state[j] != finished {
				return false
			}
		}
		return true
	}
	for {
		if ctx.Err() == nil {
			for _, i := range order {
				if busy >= limit {
					break
				}
				if state[i] == waiting && ready(i) {
					state[i] = running
					busy++
					go func(i int) { done <- outcome{i, s.runOne(ctx, sel[i])} }(i)
				}
			}
		}
		if busy == 0 {
			break
		}
		o := <-done
		busy--
		state[o.i] = finished
		if ctx.Err() != nil {
			continue // a half-run check is not a verdict
		}
		s.finish(o.res)
		results[o.i], valid[o.i] = o.res, true
		for next < len(sel) && valid[next] {
			s.emit(results[next])
			next++
		}
	}
	return ctx.Err()
}
