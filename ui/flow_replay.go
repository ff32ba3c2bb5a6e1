package ui

import (
	"errors"
	"io"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"oauthdeck/client/safe"
	"oauthdeck/flows"
)

// flowReplay runs the newest saved flow (w saves one) again and shows,
// step by step, whether each outcome is the recorded one, as
// 'oauthdeck flow --replay' does.
type flowReplay struct {
	base
	path    string // sanitised file name
	saved   flows.SavedFlow
	results []flows.Replayed
	done    bool
	err     error
	list    listNav
}

type (
	replayLoadedMsg struct {
		path  string
		saved flows.SavedFlow
		err   error
	}
	replayDoneMsg struct {
		gen     uint64
		results []flows.Replayed
		err     error
		taskID  int
	}
)

// flowsDir is where the Flow tab saves flows (and looks for them).
func (s *flowScreen) flowsDir() string { return s.c.savedDir("flows") }

// loadSaved reads the newest saved flow.
func (s *flowScreen) loadSaved() tea.Cmd {
	dir := s.flowsDir()
	return s.c.await(func() tea.Msg {
		var sf flows.SavedFlow
		path, err := readNewest(dir, "flow-*.json", "", func(r io.Reader) (err error) {
			sf, err = flows.ReadSaved(r)
			return err
		})
		if errors.Is(err, errNoSavedFile) {
			err = errors.New("no saved flow in " + dir + ": w saves the flow as run")
		}
		return replayLoadedMsg{path: path, saved: sf, err: err}
	})
}

func newFlowReplay(c *Common, path string, sf flows.SavedFlow) *flowReplay {
	return &flowReplay{base: newBase(c), path: safe.Line(filepath.Base(path)), saved: sf}
}

func (s *flowReplay) Title() string { return "Replay " + s.path }

func (s *flowReplay) KeyBindings() []key.Binding {
	return []key.Binding{s.c.Keys.Up, s.c.Keys.Down}
}

// Init replays with the admin session's automatic consent, on a fresh
// client the flow creates (or registers) and removes at the end.
func (s *flowReplay) Init() tea.Cmd {
	sess := s.c.Session()
	if sess == nil || sess.Client == nil {
		return s.c.NotifyErr(errNoDeployment)
	}
	if s.saved.Setup.ClientMode == flows.ClientExisting {
		s.done, s.err = true, errExistingReplay
		return nil
	}
	gen, ctx, cl, sf := s.nextGen(), s.ctx, sess.Client, s.saved
	rec := s.c.Deps.ClientOptions.Recorder
	if rec == nil {
		rec = s.c.Deps.Recorder
	}
	id, spin := s.beginTask("Replaying " + s.path)
	return tea.Batch(spin, s.c.await(func() tea.Msg {
		f, err := flows.New(flows.Config{Client: cl, Recorder: rec, ClientMode: sf.Setup.ClientMode, Consent: flows.ConsentAuto,
			AuthMethod: sf.Setup.AuthMethod, Scope: sf.Setup.Scope, NoResource: sf.Setup.NoResource,
			CallbackURL: "http://127.0.0.1:0/callback", Cleanup: true, Context: ctx})
		if err != nil {
			return replayDoneMsg{gen: gen, err: err, taskID: id}
		}
		defer func() { _ = f.Close() }()
		return replayDoneMsg{gen: gen, results: f.Replay(ctx, sf, nil), taskID: id}
	}))
}

type replayError string

func (e replayError) Error() string { return string(e) }

const errExistingReplay = replayError("the saved flow used an existing app: replay it headless with 'oauthdeck flow --replay FILE --client-id ID'")

func (s *flowReplay) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case replayDoneMsg:
		s.endTask(msg.taskID)
		if !s.current(msg.gen) {
			return nil
		}
		s.done, s.results, s.err = true, msg.results, msg.err
		s.list.setLen(len(msg.results))
		differ := 0
		for _, r := range msg.results {
			if !r.Same {
				differ++
			}
		}
		switch {
		case msg.err != nil:
			return s.c.NotifyErr(msg.err)
		case differ > 0:
			return s.c.Notify(noticeWarn, "Replay: "+itoa(differ)+" of "+itoa(len(msg.results))+" steps differ from the recording")
		}
		return s.c.Notify(noticeSuccess, "Replay: every step as recorded")
	case tea.KeyPressMsg:
		s.list.handleKey(s.c.Keys, msg, s.height-3)
	}
	return nil
}

func (s *flowReplay) View() string {
	st := s.c.Styles
	var b strings.Builder
	b.WriteString(st.Title.Render("Replay of "+s.path) + st.Subtle.Render("  recorded on "+s.saved.Server+" at "+s.saved.SavedAt.Local().Format("2006-01-02 15:04")) + "\n")
	switch {
	case s.err != nil:
		b.WriteString(st.Error.Render(wrapText("✗ "+explainFlowErr(s.err), s.width)) + "\n")
		return fitBox(b.String(), s.width, s.height)
	case !s.done:
		b.WriteString(st.Info.Render("replaying "+itoa(len(s.saved.Steps))+" steps…") + "\n")
		return fitBox(b.String(), s.width, s.height)
	}
	b.WriteString(st.Header.Render("  "+padRight("STEP", 11)+padRight("RECORDED", 28)+padRight("NOW", 28)+"VERDICT") + "\n")
	from, to := s.list.window(s.height - 3)
	for i := from; i < to; i++ {
		r := s.results[i]
		mark := st.OK.Render("✓ ")
		if !r.Same {
			mark = st.Error.Render("✗ ")
		}
		line := mark + padRight(string(r.Step), 9) + padRight(r.Expected.String(), 28) + padRight(r.Got.String(), 28) + r.Verdict
		b.WriteString(s.list.renderRow(st, i, line, s.width) + "\n")
	}
	if n := len(s.saved.Steps) - len(s.results); n > 0 {
		b.WriteString(st.Faint.Render("  "+itoa(n)+" later steps not run: they depended on the step that failed") + "\n")
	}
	return fitBox(b.String(), s.width, s.height)
}
