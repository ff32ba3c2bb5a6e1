package ui

import "charm.land/bubbles/v2/key"

// KeyMap is every binding the console uses. One instance, built by
// DefaultKeyMap, lives in Common; screens match with key.Matches and list
// the bindings that apply to them in KeyBindings so `?` shows them.
//
// A screen that needs a binding not listed here adds a field (grouped below
// by the screen that owns it) rather than matching raw strings in Update.
type KeyMap struct {
	// Global.
	Quit    key.Binding // ctrl+c: quit from anywhere, even inside a form
	Back    key.Binding // q/esc: back, close, cancel; q quits at the top level
	Help    key.Binding
	Notices key.Binding // the session's notices, after they faded
	Command key.Binding // ':' opens the command line
	// VisitBack and VisitForward move through the tabs visited.
	VisitBack    key.Binding
	VisitForward key.Binding
	NextTab      key.Binding
	PrevTab      key.Binding
	Tabs         []key.Binding // 1..9 jump to a tab (built from the tab list)

	// Lists.
	Up       key.Binding
	Down     key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Top      key.Binding
	Bottom   key.Binding
	Open     key.Binding // enter: open / select
	Filter   key.Binding
	Sort     key.Binding
	Refresh  key.Binding
	New      key.Binding
	Edit     key.Binding
	Delete   key.Binding
	Copy     key.Binding
	Reveal   key.Binding

	// Forms and dialogs.
	NextField key.Binding
	PrevField key.Binding
	Submit    key.Binding
	Confirm   key.Binding
	Cancel    key.Binding

	// Deployments.
	Switch key.Binding
	Logout key.Binding

	// App detail.
	CopyEndpoints key.Binding
	DeleteSecret  key.Binding // app detail: the selected secret; D deletes the app
	DeleteApp     key.Binding
	StartFlow     key.Binding // Apps and app detail: a flow with the app
	NewSecret     key.Binding
	KeepSecret    key.Binding
	TestRedirect  key.Binding
	Rotate        key.Binding
	TryScope      key.Binding
	History       key.Binding
	Focus         key.Binding // tab between panes inside a screen

	// Rotation wizard.
	Finish key.Binding
	Abort  key.Binding

	// Audit.
	Prune key.Binding

	// Requests.
	CopyCurl key.Binding
	Export   key.Binding
	Clear    key.Binding

	Flow flowKeyMap // Flow, request editor and Check screens (flow_keys.go)
}

// DefaultKeyMap returns the console's bindings.
func DefaultKeyMap() *KeyMap {
	nb := func(keys []string, k, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, desc))
	}
	km := &KeyMap{
		Quit:    nb([]string{"ctrl+c"}, "ctrl+c", "quit"),
		Back:    nb([]string{"q", "esc"}, "q/esc", "back"),
		Help:    nb([]string{"?"}, "?", "help"),
		Notices: nb([]string{"!"}, "!", "notices log"),
		Command: nb([]string{":"}, ":", "command line"),

		VisitBack:    nb([]string{"["}, "[", "tab visited before"),
		VisitForward: nb([]string{"]"}, "]", "tab visited after"),
		NextTab:      nb([]string{"tab"}, "tab", "next tab"),
		PrevTab:      nb([]string{"shift+tab"}, "shift+tab", "previous tab"),

		Up:       nb([]string{"up", "k"}, "↑/k", "up"),
		Down:     nb([]string{"down", "j"}, "↓/j", "down"),
		PageUp:   nb([]string{"pgup", "ctrl+u"}, "pgup", "page up"),
		PageDown: nb([]string{"pgdown", "ctrl+d"}, "pgdn", "page down"),
		Top:      nb([]string{"home", "g"}, "g/home", "top"),
		Bottom:   nb([]string{"end", "G"}, "G/end", "bottom"),
		Open:     nb([]string{"enter"}, "enter", "open"),
		Filter:   nb([]string{"/"}, "/", "filter"),
		Sort:     nb([]string{"s"}, "s", "sort"),
		Refresh:  nb([]string{"r", "ctrl+r"}, "r", "refresh"),
		New:      nb([]string{"n"}, "n", "new"),
		Edit:     nb([]string{"e"}, "e", "edit"),
		Delete:   nb([]string{"d", "delete"}, "d", "delete"),
		Copy:     nb([]string{"c"}, "c", "copy"),
		Reveal:   nb([]string{"v"}, "v", "reveal/mask"),

		NextField: nb([]string{"tab", "down"}, "tab", "next field"),
		PrevField: nb([]string{"shift+tab", "up"}, "shift+tab", "previous field"),
		Submit:    nb([]string{"ctrl+s", "enter"}, "enter/ctrl+s", "save"),
		Confirm:   nb([]string{"y", "Y"}, "y", "confirm"), // not enter: a stray enter must not delete
		Cancel:    nb([]string{"n", "esc", "q"}, "n/esc", "cancel"),

		Switch: nb([]string{"enter"}, "enter", "use deployment"),
		Logout: nb([]string{"L"}, "L", "log out"),

		CopyEndpoints: nb([]string{"c"}, "c", "copy field"),
		DeleteSecret:  nb([]string{"d", "delete"}, "d", "delete secret"),
		DeleteApp:     nb([]string{"D"}, "D", "delete the app"),
		StartFlow:     nb([]string{"f"}, "f", "flow with the app"),
		NewSecret:     nb([]string{"n"}, "n", "new secret"),
		KeepSecret:    nb([]string{"k"}, "k", "keep in keyring"),
		TestRedirect:  nb([]string{"t"}, "t", "test a redirect_uri"),
		Rotate:        nb([]string{"R"}, "R", "rotate the secret"),
		TryScope:      nb([]string{"S"}, "S", "try a scope set"),
		History:       nb([]string{"H"}, "H", "audit history"),
		Finish:        nb([]string{"f"}, "f", "finish: delete the old secrets"),
		Abort:         nb([]string{"a"}, "a", "abort: delete the new secret"),
		Focus:         nb([]string{"tab"}, "tab", "switch pane"),

		Prune: nb([]string{"p"}, "p", "prune unused DCR apps"),

		CopyCurl: nb([]string{"c", "y"}, "c", "copy as curl"),
		Export:   nb([]string{"x"}, "x", "export HAR"),
		Clear:    nb([]string{"C"}, "C", "clear view"),

		Flow: defaultFlowKeyMap(),
	}
	return km
}

// tabKeys builds the 1..n jump bindings for n tabs.
func tabKeys(titles []string) []key.Binding {
	out := make([]key.Binding, 0, len(titles))
	for i, t := range titles {
		if i >= 9 {
			break
		}
		d := string(rune('1' + i))
		out = append(out, key.NewBinding(key.WithKeys(d), key.WithHelp(d, t)))
	}
	return out
}
