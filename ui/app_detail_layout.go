package ui

// How the app detail lays out its items: the lines they take, which are
// visible, scrolling to keep the selection in view, and mouse clicks.

// itemLines renders the items, one line each plus a heading before the
// secrets; at[i] is the item shown on line i (-1 for the heading).
func (s *appDetail) itemLines() (lines []string, at []int) {
	st := s.c.Styles
	firstSecret := s.firstSecret()
	labelW := 20
	for i, it := range s.items {
		if it.secret != nil && i == firstSecret {
			lines = append(lines, st.Header.Render("  Client secrets  (value · last used)"))
			at = append(at, -1)
		}
		val := it.value
		if it.secret != nil {
			val = padRight(val, 16) + "  last used " + lastUsed(it.secret.LastUsedAt)
		}
		row := st.Label.Render(padRight(it.label, labelW)) + val
		if i == s.list.cursor {
			row = padRight(it.label, labelW) + val // one style for the whole selected row
		}
		lines = append(lines, s.list.renderRow(st, i, row, s.width))
		at = append(at, i)
	}
	if firstSecret < 0 {
		lines = append(lines, st.Header.Render("  Client secrets"))
		at = append(at, -1)
		switch {
		case s.loaded && s.err == nil:
			lines = append(lines, st.Subtle.Render("  None. Press n to create one (it is shown once)."))
			at = append(at, -1)
		case !s.loaded:
			lines = append(lines, st.Subtle.Render("  Loading…"))
			at = append(at, -1)
		}
	}
	return lines, at
}

// visibleLines is how many item lines fit under the title.
func (s *appDetail) visibleLines() int {
	h := s.height - detailTop - len(s.droppedLines())
	if s.err != nil {
		h -= 3
	}
	return max(h, 3)
}

// scrollTo keeps the cursor's line visible.
func (s *appDetail) scrollTo(at []int) {
	cur := 0
	for i, it := range at {
		if it == s.list.cursor {
			cur = i
		}
	}
	vis := s.visibleLines()
	if cur < s.offset {
		s.offset = cur
	}
	if cur >= s.offset+vis {
		s.offset = cur - vis + 1
	}
	s.offset = min(s.offset, max(len(at)-vis, 0))
}

func (s *appDetail) clickAt(y int) {
	_, at := s.itemLines()
	i := y - detailTop + s.offset
	if i >= 0 && i < len(at) && at[i] >= 0 && y >= detailTop {
		s.list.cursor = at[i]
	}
}

func (s *appDetail) firstSecret() int {
	for i, it := range s.items {
		if it.secret != nil {
			return i
		}
	}
	return -1
}
