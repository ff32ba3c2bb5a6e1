package ui

import (
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"oauthdeck/client/safe"
	"oauthdeck/keyring"
)

// The Deployments list beyond the config: sessions in use that are not
// saved (the demo sandbox, a token given at start) stay listed for the run,
// and ':deploy URL' picks a row or opens the add form for a new URL.

// rows are the saved deployments, then the unsaved sessions the config
// does not hold (one added since under the same URL replaces its row).
func (s *deploymentsScreen) rows() []deployRow {
	if s.cfg == nil {
		return nil
	}
	rows := make([]deployRow, 0, len(s.cfg.Deployments)+len(s.unsaved))
	for _, d := range s.cfg.Deployments {
		rows = append(rows, deployRow{Deployment: d})
	}
	for _, u := range s.unsaved {
		if _, saved := s.cfg.Find(u.URL); !saved {
			rows = append(rows, deployRow{Deployment: keyring.Deployment{URL: u.URL}, sess: u})
		}
	}
	return rows
}

// noteSession remembers the session now in use when the config does not
// hold it, so switching away does not strand it.
func (s *deploymentsScreen) noteSession() {
	cur := s.c.Session()
	if cur == nil || s.cfg == nil {
		return
	}
	if _, saved := s.cfg.Find(cur.URL); !saved {
		s.unsaved = slices.DeleteFunc(s.unsaved, func(u *Session) bool { return u.URL == cur.URL })
		s.unsaved = append(s.unsaved, cur)
	}
	s.list.setLen(len(s.rows()))
	s.selectCurrent()
}

// use switches to row d: a saved one through its stored token, an unsaved
// one with the session it already has (its client holds the token); the
// config file is not told about an unsaved one.
func (s *deploymentsScreen) use(d deployRow) tea.Cmd {
	if d.sess == nil {
		return s.resolve(d.URL, false)
	}
	return tea.Batch(cmdOf(useSessionMsg{d.sess}),
		s.c.Notify(noticeSuccess, "Now using "+d.URL+" ("+safe.Line(d.sess.Source)+", not saved)"))
}

// goTo is ':deploy URL': the row with that URL (or host), else the add
// form with the URL filled in.
func (s *deploymentsScreen) goTo(target string) tea.Cmd {
	if !s.loaded {
		return s.c.Notify(noticeWarn, "The deployments are still loading; try again in a moment")
	}
	if d, ok := s.match(target); ok {
		if cur := s.c.Session(); cur != nil && cur.URL == d.URL {
			return s.c.Notify(noticeInfo, "Already using "+d.URL)
		}
		return s.use(d)
	}
	if _, err := keyring.NormalizeURL(target); err != nil {
		return s.c.Notify(noticeError, ":deploy "+safe.Line(target)+": "+safe.Line(err.Error()))
	}
	return s.c.Push(newLoginForm(s.c, s.cfg, target))
}

// match finds the row for target: the same URL once normalised, else the
// only row on that host.
func (s *deploymentsScreen) match(target string) (deployRow, bool) {
	rows := s.rows()
	if want, err := keyring.NormalizeURL(target); err == nil {
		for _, d := range rows {
			if u, err := keyring.NormalizeURL(d.URL); err == nil && u == want {
				return d, true
			}
		}
	}
	var found []deployRow
	for _, d := range rows {
		if strings.EqualFold(hostOf(d.URL), strings.TrimSpace(target)) {
			found = append(found, d)
		}
	}
	if len(found) == 1 {
		return found[0], true
	}
	return deployRow{}, false
}

// urls are the rows' URLs, for ':deploy' completion.
func (s *deploymentsScreen) urls() []string {
	var out []string
	for _, d := range s.rows() {
		out = append(out, d.URL)
	}
	return out
}
