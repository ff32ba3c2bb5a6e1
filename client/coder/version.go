package coder

import (
	"strings"

	"golang.org/x/mod/semver"
)

// AppFieldsSince is the first Coder version whose apps keep a redirect_uris
// list and a scope allowlist; older ones accept both fields and drop them.
const AppFieldsSince = "v2.38"

// Features are what a Coder version's OAuth2 provider offers, by version.
type Features struct {
	// RedirectURIList: apps carry a redirect_uris list (2.38+); older ones
	// keep only callback_url, with v2.30's prefix matching.
	RedirectURIList bool
}

// FeaturesOf reads a version string as buildinfo reports it ("v2.30.0",
// "v2.38.0-devel+abc"). An empty or unparsable version is taken as the
// newest: the tool then trusts what the server answers.
func FeaturesOf(version string) Features {
	v := version
	if !strings.HasPrefix(v, "v") {
		v = "v" + v
	}
	if !semver.IsValid(v) {
		return Features{RedirectURIList: true}
	}
	// Compare major.minor: a 2.38 pre-release already has the 2.38 API.
	return Features{RedirectURIList: semver.Compare(semver.MajorMinor(v), AppFieldsSince) >= 0}
}
