package ui

import (
	"net/url"
	"strconv"
	"strings"

	"oauthdeck/client/safe"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Below this size the console shows a message instead of a squeezed layout.
const (
	minWidth  = 60
	minHeight = 16
)

// Fixed rows: the tab bar on top, the status bar at the bottom.
const (
	tabBarHeight    = 1
	statusBarHeight = 1
)

// contentSize is the area screens get for a terminal of w×h.
func contentSize(w, h int) (int, int) {
	return w, max(h-tabBarHeight-statusBarHeight, 1)
}

func tooSmall(w, h int) bool { return w < minWidth || h < minHeight }

// tooSmallView explains the minimum size; it must fit any terminal.
func tooSmallView(st *Styles, w, h int) string {
	msg := "Terminal too small: " + itoa(w) + "×" + itoa(h) +
		"\nneeds at least " + itoa(minWidth) + "×" + itoa(minHeight) +
		"\nresize, or press ctrl+c to quit"
	lines := strings.Split(msg, "\n")
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, max(w, 1), "…")
	}
	return lipgloss.Place(max(w, 1), max(h, 1), lipgloss.Center, lipgloss.Center,
		st.Warn.Render(strings.Join(lines, "\n")))
}

// fitHeight pads or cuts s to exactly h lines.
func fitHeight(s string, h int) string {
	if h <= 0 {
		return ""
	}
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// fitWidth cuts every line of s to at most w cells.
func fitWidth(s string, w int) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if ansi.StringWidth(l) > w {
			lines[i] = ansi.Truncate(l, w, "…")
		}
	}
	return strings.Join(lines, "\n")
}

// fitBox makes s exactly w×h (cut and padded).
func fitBox(s string, w, h int) string { return fitHeight(fitWidth(s, w), h) }

// truncate cuts plain or styled text to w cells with an ellipsis.
func truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	return ansi.Truncate(s, w, "…")
}

// padRight pads s with spaces to w cells (cutting it if longer).
func padRight(s string, w int) string {
	sw := ansi.StringWidth(s)
	if sw > w {
		return ansi.Truncate(s, w, "…")
	}
	return s + strings.Repeat(" ", w-sw)
}

func itoa(n int) string { return strconv.Itoa(n) }

// hostOf returns host[:port] of a URL for compact display.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	return u.Host
}

// maskSecret is s when the user revealed it, else safe.Mask's masking.
func maskSecret(s string, revealed bool) string {
	if revealed {
		return safe.Text(s)
	}
	return safe.Mask(s)
}
