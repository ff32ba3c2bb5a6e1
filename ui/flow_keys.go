package ui

import "charm.land/bubbles/v2/key"

// flowKeyMap holds the Flow, request editor and Check screens' own
// bindings, as KeyMap.Flow. Shared ones (movement, reveal) are KeyMap's
// own fields; the screens list what applies in KeyBindings, so `?` shows them.
type flowKeyMap struct {
	// Flow.
	NewFlow     key.Binding
	RunStep     key.Binding
	RunToToken  key.Binding
	EditRequest key.Binding
	OpenBrowser key.Binding
	CopyURL     key.Binding
	Paste       key.Binding
	Refresh     key.Binding
	Use         key.Binding
	Revoke      key.Binding
	CopyToken   key.Binding
	SaveFlow    key.Binding
	ReplayFlow  key.Binding
	CancelRun   key.Binding

	// Request editor.
	EditValue key.Binding
	AddParam  key.Binding
	DelParam  key.Binding
	ResetReq  key.Binding
	SaveReq   key.Binding

	// Check.
	RunSuite     key.Binding
	Evidence     key.Binding
	FailuresOnly key.Binding
	ExportReport key.Binding
	CompareSaved key.Binding
}

func defaultFlowKeyMap() flowKeyMap {
	nb := func(keys []string, k, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, desc))
	}
	return flowKeyMap{
		NewFlow:     nb([]string{"n", "s"}, "n", "new flow"),
		RunStep:     nb([]string{"enter"}, "enter", "run step"),
		RunToToken:  nb([]string{"a"}, "a", "run to token"),
		EditRequest: nb([]string{"e"}, "e", "edit request"),
		OpenBrowser: nb([]string{"o"}, "o", "open browser"),
		CopyURL:     nb([]string{"c"}, "c", "copy auth URL"),
		Paste:       nb([]string{"p"}, "p", "paste redirect URL"),
		Refresh:     nb([]string{"r"}, "r", "refresh token"),
		Use:         nb([]string{"u"}, "u", "use token"),
		Revoke:      nb([]string{"x"}, "x", "revoke token"),
		CopyToken:   nb([]string{"y"}, "y", "copy access token"),
		SaveFlow:    nb([]string{"w"}, "w", "save the flow (for --replay)"),
		ReplayFlow:  nb([]string{"l"}, "l", "replay the last saved flow"),
		CancelRun:   nb([]string{"esc"}, "esc", "cancel"),

		EditValue: nb([]string{"enter"}, "enter", "edit value"),
		AddParam:  nb([]string{"a"}, "a", "add parameter"),
		DelParam:  nb([]string{"d", "delete"}, "d", "remove parameter"),
		ResetReq:  nb([]string{"R"}, "R", "reset to default"),
		SaveReq:   nb([]string{"ctrl+s", "s"}, "s", "save"),

		RunSuite:     nb([]string{"r"}, "r", "run suite"),
		Evidence:     nb([]string{"enter"}, "enter", "evidence"),
		FailuresOnly: nb([]string{"f"}, "f", "failures only / all"),
		ExportReport: nb([]string{"x"}, "x", "export the report (json and junit)"),
		CompareSaved: nb([]string{"b"}, "b", "compare with the last exported run"),
	}
}
