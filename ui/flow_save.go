package ui

import (
	"os"
	"path/filepath"
	"time"

	tea "charm.land/bubbletea/v2"

	"oauthdeck/flows"
)

type flowSavedMsg struct {
	path string
	err  error
}

// saveFlow writes the flow as run (steps, edits, outcomes; no secret) for
// 'oauthdeck flow --replay': next to the config, in flows/, or in the
// working directory when there is no config (the demo).
func (s *flowScreen) saveFlow() tea.Cmd {
	if s.run == nil || s.run.flow == nil {
		return nil
	}
	sf, ok := s.run.flow.Saved(time.Now())
	if !ok {
		return s.c.Notify(noticeInfo, "Nothing to save yet: run a step first")
	}
	dir := s.flowsDir()
	path := filepath.Join(dir, "flow-"+sf.SavedAt.Format("20060102-150405")+".json")
	return s.c.await(func() tea.Msg {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return flowSavedMsg{err: err}
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return flowSavedMsg{err: err}
		}
		if err := flows.WriteSaved(f, sf); err != nil {
			_ = f.Close()
			return flowSavedMsg{err: err}
		}
		return flowSavedMsg{path: path, err: f.Close()}
	})
}
