package coder

import "testing"

func TestFeaturesOf(t *testing.T) {
	t.Parallel()
	for v, want := range map[string]bool{
		"v2.30.0": false, "2.36.1": false, "v2.37.9-rc.1": false,
		"v2.38.0": true, "v2.38.0-devel+sandbox": true, "v2.41.2": true, "v3.0.0": true,
		"": true, "not-a-version": true,
	} {
		if got := FeaturesOf(v).RedirectURIList; got != want {
			t.Errorf("FeaturesOf(%q).RedirectURIList = %v, want %v", v, got, want)
		}
	}
}
