package ui

import (
	"bytes"
	"os"
	"path/filepath"
	"time"

	tea "charm.land/bubbletea/v2"

	"oauthdeck/flows/check"
)

type checkExportedMsg struct {
	paths []string
	err   error
}

// export writes the last run's report as JSON and JUnit XML, as
// 'oauthdeck check -o json|junit' would: next to the config in checks/, or
// in the working directory when there is no config (the demo).
func (s *checkScreen) export() tea.Cmd {
	if s.report == nil || s.running {
		return s.c.Notify(noticeInfo, "No finished run to export: r runs the suite")
	}
	rep := *s.report
	dir := s.exportDir()
	base := filepath.Join(dir, "check-"+time.Now().Format("20060102-150405"))
	return s.c.await(func() tea.Msg {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return checkExportedMsg{err: err}
		}
		var js, xml bytes.Buffer
		if err := check.WriteJSON(&js, rep); err != nil {
			return checkExportedMsg{err: err}
		}
		if err := check.WriteJUnit(&xml, rep); err != nil {
			return checkExportedMsg{err: err}
		}
		paths := []string{base + ".json", base + ".xml"}
		for i, b := range [][]byte{js.Bytes(), xml.Bytes()} {
			if err := os.WriteFile(paths[i], b, 0o600); err != nil {
				return checkExportedMsg{err: err}
			}
		}
		return checkExportedMsg{paths: paths}
	})
}
