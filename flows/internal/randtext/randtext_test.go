package randtext

import (
	"strings"
	"testing"
)

func TestAlnum(t *testing.T) {
	if a, b := Alnum(40), Alnum(40); a == b || len(a) != 40 || strings.Trim(a, Alphabet) != "" {
		t.Errorf("Alnum %q %q", a, b)
	}
	if Alnum(0) != "" {
		t.Error("Alnum(0) is not empty")
	}
	// Every letter of the alphabet turns up in a long draw; a bias or a
	// short alphabet would leave some out.
	long := Alnum(20000)
	for _, r := range Alphabet {
		if !strings.ContainsRune(long, r) {
			t.Fatalf("%q never drawn", r)
		}
	}
}
