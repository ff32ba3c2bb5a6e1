package coder

import (
	"strings"
	"testing"
)

func TestEraOf(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		version string
		want    Era
	}{
		{"v2.29.4", EraV230},
		{"v2.30.0", EraV230},
		{"2.30.1", EraV230},
		{"v2.31.0", EraExperiment},
		{"v2.36.0", EraExperiment},
		{"v2.37.9+abc", EraExperiment},
		{"v2.38.0", EraFlag},
		{"v2.38.0-devel+sandbox", EraFlag},
		{"v3.0.0", EraFlag},
		{"", EraFlag}, // unknown: the newest rules, as FeaturesOf does
		{"not-a-version", EraFlag},
	} {
		if got := EraOf(tc.version); got != tc.want {
			t.Errorf("EraOf(%q) = %s, want %s", tc.version, got, tc.want)
		}
	}
}

func TestDescribe(t *testing.T) {
	t.Parallel()
	v236 := Describe(Evidence{
		Version: "v2.36.0", HasBuildInfo: true, Metadata: true,
		AuthMethods: []string{"client_secret_basic", "client_secret_post"}, Scopes: 55, Registration: true,
		Experiments: []string{"oauth2"},
	})
	if v236.Kind != "coder" || v236.Era != EraExperiment || !v236.Features.BasicAuth || v236.Features.RedirectURIList {
		t.Fatalf("v2.36 described as %+v", v236)
	}
	if !strings.HasPrefix(v236.EnableSetting(), "CODER_EXPERIMENTS=oauth2") {
		t.Fatalf("v2.36 is turned on by the experiment, not %q", v236.EnableSetting())
	}
	for _, want := range []string{"Coder v2.36.0", "experiment era", "client_secret_basic", "55 scopes published", "DCR open", "experiments: oauth2"} {
		if !strings.Contains(v236.Summary(), want) {
			t.Errorf("summary %q lacks %q", v236.Summary(), want)
		}
	}

	v230 := Describe(Evidence{Version: "v2.30.0", HasBuildInfo: true, Metadata: true, AuthMethods: []string{"client_secret_post"}})
	if v230.Era != EraV230 || v230.Features.BasicAuth {
		t.Fatalf("v2.30 advertises only client_secret_post: %+v", v230)
	}

	flag := Describe(Evidence{Version: "v2.38.1", HasBuildInfo: true})
	if flag.Era != EraFlag || !flag.Features.RedirectURIList || !strings.HasPrefix(flag.EnableSetting(), "CODER_OAUTH2_PROVIDER_ENABLE") {
		t.Fatalf("2.38 described as %+v (%s)", flag, flag.EnableSetting())
	}
	if !strings.Contains(flag.Summary(), "metadata not read") {
		t.Fatalf("a summary without metadata must say so: %q", flag.Summary())
	}

	// RFC 8414 §2: no token_endpoint_auth_methods_supported means Basic.
	plain := Describe(Evidence{Metadata: true})
	if plain.Kind != "oauth2" || plain.Era != EraNotCoder || !plain.Features.BasicAuth || plain.EnableSetting() != "" {
		t.Fatalf("plain server described as %+v", plain)
	}
	if !strings.Contains(plain.Summary(), "client_secret_basic by default") {
		t.Fatalf("plain summary %q", plain.Summary())
	}
}
