package pkce

import (
	"errors"
	"strings"
	"testing"
)

// RFC 7636 Appendix B.
const (
	rfcVerifier  = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	rfcChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
)

func TestAppendixBVector(t *testing.T) {
	got, err := Challenge(rfcVerifier, S256)
	if err != nil {
		t.Fatal(err)
	}
	if got != rfcChallenge {
		t.Fatalf("challenge = %q, want %q", got, rfcChallenge)
	}
	if !Verify(rfcVerifier, rfcChallenge, S256) {
		t.Fatal("Verify rejected the RFC vector")
	}
	if !Verify(rfcVerifier, rfcChallenge, "") {
		t.Fatal("empty method must mean S256")
	}
	if Verify(rfcVerifier+"x", rfcChallenge, S256) {
		t.Fatal("Verify accepted a wrong verifier")
	}
	if Verify(rfcVerifier, rfcVerifier, S256) {
		t.Fatal("S256 must not accept the verifier as its own challenge")
	}
}

func TestPlain(t *testing.T) {
	if !Verify(rfcVerifier, rfcVerifier, Plain) {
		t.Fatal("plain must compare verifier and challenge directly")
	}
	if _, err := Challenge(rfcVerifier, "S512"); !errors.Is(err, ErrUnknownMethod) {
		t.Fatalf("unknown method: err = %v", err)
	}
	if Verify(rfcVerifier, rfcVerifier, "S512") {
		t.Fatal("unknown method verified")
	}
}

func TestNewVerifierShapeAndUniqueness(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		p := New()
		if len(p.Verifier) != DefaultLength {
			t.Fatalf("len = %d", len(p.Verifier))
		}
		if err := ValidateVerifier(p.Verifier); err != nil {
			t.Fatal(err)
		}
		if !Verify(p.Verifier, p.Challenge, p.Method) {
			t.Fatal("pair does not verify")
		}
		if seen[p.Verifier] {
			t.Fatal("verifier repeated")
		}
		seen[p.Verifier] = true
	}
}

func TestNewVerifierLength(t *testing.T) {
	for _, n := range []int{43, 44, 64, 100, 128} {
		v, err := NewVerifierLength(n)
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		if len(v) != n {
			t.Fatalf("n=%d: got len %d", n, len(v))
		}
		if err := ValidateVerifier(v); err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
	}
	for _, n := range []int{0, 42, 129} {
		if _, err := NewVerifierLength(n); err == nil {
			t.Fatalf("n=%d accepted", n)
		}
	}
	// All 66 symbols must be reachable; 128*40 draws make a miss vanishingly unlikely.
	counts := map[rune]int{}
	for i := 0; i < 40; i++ {
		v, _ := NewVerifierLength(128)
		for _, r := range v {
			counts[r]++
		}
	}
	if len(counts) != len(unreserved) {
		t.Fatalf("saw %d distinct symbols, want %d", len(counts), len(unreserved))
	}
}

func TestValidateVerifierRejects(t *testing.T) {
	cases := []struct {
		name string
		v    string
		want error
	}{
		{"too short", strings.Repeat("a", 42), ErrTooShort},
		{"empty", "", ErrTooShort},
		{"too long", strings.Repeat("a", 129), ErrTooLong},
		{"space", strings.Repeat("a", 42) + " ", ErrCharset},
		{"plus", strings.Repeat("a", 42) + "+", ErrCharset},
		{"slash", strings.Repeat("a", 42) + "/", ErrCharset},
		{"equals padding", strings.Repeat("a", 42) + "=", ErrCharset},
		{"non-ascii", strings.Repeat("a", 41) + "é", ErrCharset},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := ValidateVerifier(c.v); !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
	for _, ok := range []string{strings.Repeat("a", 43), strings.Repeat("~._-", 32), rfcVerifier} {
		if err := ValidateVerifier(ok); err != nil {
			t.Fatalf("%q rejected: %v", ok, err)
		}
	}
}

func TestValidateChallenge(t *testing.T) {
	if err := ValidateChallenge(rfcChallenge); err != nil {
		t.Fatal(err)
	}
	if err := ValidateChallenge("short"); !errors.Is(err, ErrTooShort) {
		t.Fatalf("err = %v", err)
	}
}
