package check

import (
	"os"
	"strings"
	"testing"
)

// Every check has a fix, and no fix is left for a check that is gone.
func TestEveryCheckHasAFix(t *testing.T) {
	t.Parallel()
	ids := map[string]bool{}
	for _, d := range registry {
		ids[d.ID] = true
		if Fix(d.ID) == "" {
			t.Errorf("%s has no fix", d.ID)
		}
	}
	for id := range fixes {
		if !ids[id] {
			t.Errorf("a fix for %s, which is no check", id)
		}
	}
}

// A fix's version claim agrees with the real v2.36.0's verdicts: "past
// v2.30" checks pass there, "2.38+" checks do not.
func TestFixVersionsAgreeWithV236(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("testdata/coder-v2.36.0-verdicts.txt")
	if err != nil {
		t.Fatal(err)
	}
	v236 := map[string]Status{}
	for _, line := range strings.Split(string(raw), "\n") {
		if id, st, ok := strings.Cut(strings.TrimSpace(line), " "); ok && !strings.HasPrefix(id, "#") {
			v236[id] = Status(st)
		}
	}
	for id, fix := range fixes {
		st, measured := v236[id]
		switch {
		case !measured:
		case strings.Contains(fix, "past v2.30") && st != Pass:
			t.Errorf("%s: the fix says v2.36 has it, v2.36.0 gave %s", id, st)
		case strings.Contains(fix, "Coder 2.38+") && strings.HasPrefix(fix, "Upgrade") && st == Pass:
			t.Errorf("%s: the fix says upgrade to 2.38+, v2.36.0 already passes", id)
		}
	}
}
