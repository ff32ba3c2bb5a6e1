package check

import (
	"strings"
	"testing"
)

func TestCompareKinds(t *testing.T) {
	t.Parallel()
	base := Report{Checks: []Result{{ID: "a", Status: Pass}, {ID: "b", Status: Fail}, {ID: "c", Status: Pass}, {ID: "d", Status: Pass}, {ID: "gone", Status: Warn}, {ID: "same", Status: Fail}}}
	cur := Report{Checks: []Result{{ID: "a", Status: Fail}, {ID: "b", Status: Pass}, {ID: "c", Status: Skip}, {ID: "d", Status: Warn}, {ID: "new", Status: Fail}, {ID: "same", Status: Fail}}}
	cmp := Compare(base, cur)
	want := map[string]ChangeKind{"a": NewFailure, "b": Fixed, "c": SkippedNow, "d": Changed, "new": NewCheck, "gone": Removed}
	if len(cmp.Changes) != len(want) {
		t.Fatalf("changes %+v", cmp.Changes)
	}
	for _, ch := range cmp.Changes {
		if want[ch.ID] != ch.Kind {
			t.Errorf("%s: %s, want %s", ch.ID, ch.Kind, want[ch.ID])
		}
	}
	if cmp.Regressions() != 2 { // a, and the new failing check
		t.Fatalf("regressions %d", cmp.Regressions())
	}
	if Compare(cur, cur).Regressions() != 0 || len(Compare(cur, cur).Changes) != 0 {
		t.Fatal("a run differs from itself")
	}
}

func TestReadReportRefusesWhatIsNotOne(t *testing.T) {
	t.Parallel()
	for _, in := range []string{`[]`, `{"apps":[]}`, `<html>`, `{"checks":[{"status":"pass"}]}`} {
		if _, err := ReadReport(strings.NewReader(in)); err == nil {
			t.Errorf("%s: accepted", in)
		}
	}
	rep, err := ReadReport(strings.NewReader(`{"server":{"url":"http://x"},"checks":[{"id":"a","status":"\u001b[31mpass"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	cmp := Compare(rep, Report{})
	if strings.Contains(string(cmp.Changes[0].Old), "\x1b") {
		t.Fatal("a baseline's status reached the comparison unsanitised")
	}
}
