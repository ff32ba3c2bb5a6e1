package keyring

import (
	"net/url"
	"strings"
	"testing"
)

func TestNormalizeURL(t *testing.T) {
	t.Parallel()
	good := []struct{ in, want string }{
		{"https://coder.example.com", "https://coder.example.com"},
		{"HTTPS://Coder.Example.COM/", "https://coder.example.com"},
		{"https://coder.example.com:443", "https://coder.example.com"},
		{"http://coder.example.com:80/", "http://coder.example.com"},
		{"http://coder.example.com:443", "http://coder.example.com:443"},
		{"https://coder.example.com:8443///", "https://coder.example.com:8443"},
		{"coder.example.com", "https://coder.example.com"},
		{"  https://coder.example.com  ", "https://coder.example.com"},
		{"http://127.0.0.1:3000", "http://127.0.0.1:3000"},
		{"http://[::1]:3000/", "http://[::1]:3000"},
		{"https://[::1]:443", "https://[::1]"},
		{"https://example.com/Coder/", "https://example.com/Coder"},
	}
	for _, tt := range good {
		got, err := NormalizeURL(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("NormalizeURL(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	bad := []struct{ in, wantErr string }{
		{"", "empty"},
		{"   ", "empty"},
		{"ftp://coder.example.com", "http or https"},
		{"https://user:pw@coder.example.com", "user name or password"},
		{"https://coder.example.com/?a=b", "query"},
		{"https://coder.example.com/#frag", "fragment"},
		{"https://", "no host"},
		{"https://coder example.com", "not a valid URL"},
		{"ftp://user:pw@coder.example.com", "user name or password"},
		{"https://user:pw @coder.example.com", "not a valid URL"},
		{"https://user:pw@", "user name or password"},
		{"https://coder.example.com/?token=pw@", "query"},
	}
	for _, tt := range bad {
		got, err := NormalizeURL(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("NormalizeURL(%q) = %q, %v; want error with %q", tt.in, got, err, tt.wantErr)
		}
		if err != nil && strings.Contains(err.Error(), "pw") && strings.Contains(tt.in, "pw") {
			t.Errorf("error repeats the password: %v", err)
		}
	}
}

func TestKeysAreDistinctAndStable(t *testing.T) {
	t.Parallel()
	const u = "https://Coder.Example.com/"
	session, err := SessionKey(u)
	if err != nil || session != "session https://coder.example.com" {
		t.Fatalf("SessionKey = %q, %v", session, err)
	}
	secret, err := ClientSecretKey(u, "7f6e a/b")
	if err != nil || secret != "client-secret https://coder.example.com 7f6e%20a%2Fb" {
		t.Fatalf("ClientSecretKey = %q, %v", secret, err)
	}
	token, err := TokenKey(u, "7f6e")
	if err != nil || token != "token https://coder.example.com 7f6e" {
		t.Fatalf("TokenKey = %q, %v", token, err)
	}
	if _, err := TokenKey(u, " "); err == nil {
		t.Fatal("empty client ID accepted")
	}
	if _, err := SessionKey("ftp://x"); err == nil {
		t.Fatal("bad URL accepted")
	}
	other, _ := ClientSecretKey("https://coder.example.com:8443", "7f6e")
	same, _ := ClientSecretKey("https://coder.example.com", "7f6e")
	if other == same {
		t.Fatal("different ports share a key")
	}
}

// FuzzNormalizeURL: never panics, a normalised URL normalises to itself,
// and the result is always a plain http(s) origin plus path.
func FuzzNormalizeURL(f *testing.F) {
	for _, seed := range []string{"https://coder.example.com", "HTTP://[::1]:80/x/", "coder.example.com:443",
		"https://a/%2F/", "https://%41.example.com", "http://a:0", "https://a:65536", "https://ä.example.com/ü"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := NormalizeURL(raw)
		if err != nil {
			return
		}
		again, err := NormalizeURL(u)
		if err != nil || again != u {
			t.Fatalf("not idempotent: %q -> %q -> %q, %v", raw, u, again, err)
		}
		if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
			t.Fatalf("%q -> %q has another scheme", raw, u)
		}
		if strings.HasSuffix(u, "/") || strings.ContainsAny(u, " \t\r\n?#") {
			t.Fatalf("%q -> %q is not canonical", raw, u)
		}
		if p, err := url.Parse(u); err != nil || p.User != nil || p.Host == "" {
			t.Fatalf("%q -> %q does not parse back to a host without credentials: %v", raw, u, err)
		}
	})
}
