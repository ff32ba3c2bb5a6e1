package check

import (
	"slices"
	"testing"
)

func TestDocuments(t *testing.T) {
	t.Parallel()
	got := Documents("RFC 8414 §2, §3; MCP 2025-11-25 Authorization Server Metadata Discovery; OAuth 2.1 §4.1.1 (x); Coder 2.38 (nostore)")
	want := []string{"RFC 8414", "MCP 2025-11-25", "OAuth 2.1", "Coder 2.38"}
	if !slices.Equal(got, want) {
		t.Fatalf("%q", got)
	}
	if d := Documents("Coder apps API /api/v2/oauth2-provider/apps"); len(d) != 0 {
		t.Fatalf("%q", d)
	}
}

// A check counts for the MCP versions from the one it cites on; one that
// cites only OAuth documents counts for all; Coder's own API for none.
func TestAppliesTo(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		basis string
		want  []bool // per MCPVersions
	}{
		{"RFC 6749 §4.1.2", []bool{true, true, true}},
		{"MCP 2025-11-25 Authorization Code Protection; RFC 7636 §4.2", []bool{false, true, true}},
		{"RFC 9207 §2; MCP 2026-07-28 (iss)", []bool{false, false, true}},
		{"RFC 9728 §2; MCP 2025-06-18 Authorization Server Location", []bool{true, true, true}},
		{"Coder apps API", []bool{false, false, false}},
	} {
		for i, v := range MCPVersions {
			if got := appliesTo(Documents(c.basis), v); got != c.want[i] {
				t.Errorf("%q for %s: %v", c.basis, v, got)
			}
		}
	}
}

func TestGradesAndForSpec(t *testing.T) {
	t.Parallel()
	res := func(id string, st Status, lv Level, basis string) Result {
		return Result{ID: id, Status: st, Level: lv, Basis: basis, Documents: Documents(basis)}
	}
	rep := Report{Checks: []Result{
		res("a", Pass, Must, "RFC 6749"),
		res("b", Pass, Must, "RFC 6749"),
		res("c", Warn, Should, "RFC 9700"),
		res("iss", Fail, Must, "RFC 9207; MCP 2026-07-28"),
		res("setup", Pass, Must, "Coder apps API"),
		res("skipped", Skip, Must, "RFC 8707"),
	}}
	gs := Grades(rep.Checks)
	if len(gs) != 3 || gs[0].Letter != "B" || gs[0].MustTotal != 2 || gs[0].ShouldTotal != 1 || gs[0].Skipped != 1 {
		t.Fatalf("2025-06-18: %+v", gs[0])
	}
	if gs[2].Letter != "F" || gs[2].MustPassed != 2 || gs[2].MustTotal != 3 { // 2 of 3 MUSTs is under 75%
		t.Fatalf("2026-07-28: %+v", gs[2])
	}
	only := ForSpec(rep, "2025-06-18")
	ids := []string{}
	for _, r := range only.Checks {
		ids = append(ids, r.ID)
	}
	if !slices.Equal(ids, []string{"a", "b", "c", "skipped"}) || len(only.Grades) != 1 || only.Summary.Pass != 2 {
		t.Fatalf("for 2025-06-18: %q %+v", ids, only.Grades)
	}
	if _, err := ParseMCPVersion("mcp-2026-07-28"); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseMCPVersion("2024-11-05"); err == nil {
		t.Fatal("an unknown version accepted")
	}
}
