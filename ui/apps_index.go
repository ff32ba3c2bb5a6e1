package ui

import (
	"sort"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"oauthdeck/client"
	"oauthdeck/client/safe"
)

// appRow is an app prepared for display once, when it arrives: sanitised
// cells and a lower-cased search key, so filtering and drawing never touch
// the raw server strings again.
type appRow struct {
	app       client.App
	name      string
	id        string
	redirects string
	search    string
	nameKey   string
	nameW     int // cells the name takes on screen
	redirW    int // and the first redirect URI
}

func newAppRow(a client.App) appRow {
	uris := appRedirects(a)
	r := appRow{
		app:       a,
		name:      safe.Line(a.Name),
		id:        safe.Line(a.ID),
		redirects: safe.Line(strings.Join(uris, " ")),
	}
	r.nameKey = strings.ToLower(r.name)
	r.nameW = ansi.StringWidth(r.name)
	if len(uris) > 0 {
		r.redirW = ansi.StringWidth(safe.Line(uris[0])) // the default callback: the rest show as room allows
	}
	r.search = r.nameKey + "\x00" + strings.ToLower(r.id) + "\x00" + strings.ToLower(r.redirects)
	return r
}

// appRedirects is the app's redirect list: redirect_uris on newer servers,
// callback_url on v2.30.
func appRedirects(a client.App) []string {
	if len(a.RedirectURIs) > 0 {
		return a.RedirectURIs
	}
	if a.CallbackURL != "" {
		return []string{a.CallbackURL}
	}
	return nil
}

type appSort int

const (
	sortNameAsc appSort = iota
	sortNameDesc
	sortClientID
	sortCount
)

func (s appSort) String() string {
	return [...]string{"name ↑", "name ↓", "client id", ""}[s]
}

// appIndex holds the rows, their order under the current sort, and the
// subset matching the current filter (indices into rows).
type appIndex struct {
	rows   []appRow
	sorted []int
	shown  []int
	sortBy appSort
	query  string
	// nameW and redirW are the widest name and first redirect URI among the
	// shown rows, for the column widths (measured per filter, not per
	// screenful, so scrolling never moves the columns).
	nameW, redirW int
	// results remembers the rows of recent queries: a query that extends
	// one of them searches only its rows, and a query typed again (after a
	// backspace) is answered without searching.
	results map[string][]int
}

// maxRemembered bounds the remembered queries (each at most one int per app).
const maxRemembered = 32

func (x *appIndex) set(apps []client.App) {
	x.rows = make([]appRow, len(apps))
	for i, a := range apps {
		x.rows[i] = newAppRow(a)
	}
	x.resort()
}

// upsert replaces or adds one app and keeps sort and filter.
func (x *appIndex) upsert(a client.App) {
	for i := range x.rows {
		if x.rows[i].app.ID == a.ID {
			x.rows[i] = newAppRow(a)
			x.resort()
			return
		}
	}
	x.rows = append(x.rows, newAppRow(a))
	x.resort()
}

func (x *appIndex) remove(id string) {
	for i := range x.rows {
		if x.rows[i].app.ID == id {
			x.rows = append(x.rows[:i], x.rows[i+1:]...)
			x.resort()
			return
		}
	}
}

func (x *appIndex) setSort(s appSort) {
	x.sortBy = s
	x.resort()
}

func (x *appIndex) resort() {
	x.sorted = make([]int, len(x.rows))
	for i := range x.sorted {
		x.sorted[i] = i
	}
	rows := x.rows
	switch x.sortBy {
	case sortNameAsc:
		sort.SliceStable(x.sorted, func(a, b int) bool { return rows[x.sorted[a]].nameKey < rows[x.sorted[b]].nameKey })
	case sortNameDesc:
		sort.SliceStable(x.sorted, func(a, b int) bool { return rows[x.sorted[a]].nameKey > rows[x.sorted[b]].nameKey })
	case sortClientID:
		sort.SliceStable(x.sorted, func(a, b int) bool { return rows[x.sorted[a]].id < rows[x.sorted[b]].id })
	}
	x.refilter()
}

// setQuery filters by q (case-insensitive substring of name, client id or
// redirect URIs).
func (x *appIndex) setQuery(q string) {
	defer x.measure()
	q = strings.ToLower(q)
	x.query = q
	if q == "" {
		x.shown = x.sorted
		return
	}
	if shown, ok := x.results[q]; ok {
		x.shown = shown
		return
	}
	src := x.sorted
	for k := len(q) - 1; k > 0; k-- {
		if shown, ok := x.results[q[:k]]; ok {
			src = shown
			break
		}
	}
	x.shown = x.filter(src, q)
	if x.results == nil || len(x.results) >= maxRemembered {
		x.results = map[string][]int{}
	}
	x.results[q] = x.shown
}

// refilter recomputes the shown rows from scratch (after a sort or an edit).
func (x *appIndex) refilter() {
	x.results = nil
	x.setQuery(x.query)
}

func (x *appIndex) filter(src []int, q string) []int {
	out := make([]int, 0, min(len(src), 1024))
	for _, i := range src {
		if strings.Contains(x.rows[i].search, q) {
			out = append(out, i)
		}
	}
	return out
}

func (x *appIndex) measure() {
	x.nameW, x.redirW = 0, 0
	for _, i := range x.shown {
		x.nameW, x.redirW = max(x.nameW, x.rows[i].nameW), max(x.redirW, x.rows[i].redirW)
	}
}

func (x *appIndex) len() int { return len(x.shown) }

func (x *appIndex) at(i int) *appRow {
	if i < 0 || i >= len(x.shown) {
		return nil
	}
	return &x.rows[x.shown[i]]
}
