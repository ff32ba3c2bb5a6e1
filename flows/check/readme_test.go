package check_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// README.md's profile table names the checks no real release has been
// measured with; it must name exactly the ones the parity tests skip.
func TestReadmeNamesTheUnmeasuredChecks(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(\w+) checks added since, ([^|]*?), are not yet measured on a real release`).FindStringSubmatch(string(raw))
	if m == nil {
		t.Fatal("README.md no longer says which checks are not yet measured on a real release")
	}
	var named []string
	for _, id := range regexp.MustCompile("`([a-z0-9.-]+)`").FindAllStringSubmatch(m[2], -1) {
		named = append(named, id[1])
	}
	var want []string
	for id := range unmeasured {
		want = append(want, id)
	}
	slices.Sort(named)
	slices.Sort(want)
	if !slices.Equal(named, want) {
		t.Errorf("README.md names %v as unmeasured, the tests %v", named, want)
	}
	words := strings.Fields("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty")
	if len(want) < len(words) && m[1] != words[len(want)] {
		t.Errorf("README.md counts %q unmeasured checks, there are %d", m[1], len(want))
	}
}
