package clients

import "testing"

func TestResourceCovers(t *testing.T) {
	t.Parallel()
	mcp := "https://coder.example.com/api/experimental/mcp/http"
	for res, want := range map[string]bool{
		"https://coder.example.com":                             true,
		"https://coder.example.com/":                            true,
		"https://coder.example.com/api/experimental/mcp/http":   true,
		"https://coder.example.com/api/experimental/mcp/http/":  true,
		"https://coder.example.com/api/exp":                     false, // not a whole segment
		"https://other.example.com":                             false,
		"http://coder.example.com":                              false,
		"https://coder.example.com/api/experimental/mcp/http/x": false,
	} {
		if got := resourceCovers(res, mcp); got != want {
			t.Errorf("%s: %v", res, got)
		}
	}
}
