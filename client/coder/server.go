package coder

import (
	"fmt"
	"slices"
	"strings"

	"golang.org/x/mod/semver"
)

// Era is a generation of Coder's OAuth2 provider: what turns it on and
// which rules it follows.
type Era string

const (
	// EraNotCoder: the server has no Coder buildinfo (a plain RFC 8414 or
	// OpenID authorization server).
	EraNotCoder Era = "not-coder"
	// EraV230: v2.30 and older, the oauth2 experiment; PKCE optional,
	// client_secret_post only (measured on v2.30.0).
	EraV230 Era = "v2.30"
	// EraExperiment: 2.31 to 2.37, still the oauth2 experiment; PKCE
	// required, HTTP Basic accepted (measured on v2.36.0).
	EraExperiment Era = "experiment"
	// EraFlag: 2.38 and newer, the provider behind CODER_OAUTH2_PROVIDER_ENABLE,
	// with redirect_uris lists and enforced scopes.
	EraFlag Era = "flag"
)

// EraOf reads a buildinfo version. An empty or unparsable version is taken
// as the newest, as FeaturesOf does.
func EraOf(version string) Era {
	v := version
	if !strings.HasPrefix(v, "v") {
		v = "v" + v
	}
	if !semver.IsValid(v) {
		return EraFlag
	}
	switch mm := semver.MajorMinor(v); {
	case semver.Compare(mm, "v2.30") <= 0:
		return EraV230
	case semver.Compare(mm, "v2.38") < 0:
		return EraExperiment
	}
	return EraFlag
}

// RecordsSecretUse: a client secret's last_used_at is set when it is used
// (2.38; v2.30.0 was seen to keep it null after use).
func (e Era) RecordsSecretUse() bool { return e == EraFlag }

// Server is what was detected about a deployment: from buildinfo, the
// authorization server metadata and (with a session) the experiments list.
type Server struct {
	Kind     string         `json:"kind"` // "coder", or "oauth2" for any other authorization server
	Version  string         `json:"version,omitempty"`
	Era      Era            `json:"era"`
	Features ServerFeatures `json:"features"`
}

// ServerFeatures are the provider's abilities, each from evidence: the
// version, the metadata document or the experiments list.
type ServerFeatures struct {
	RedirectURIList bool     `json:"redirect_uri_list"`                     // apps carry redirect_uris (by version)
	AuthMethods     []string `json:"token_endpoint_auth_methods,omitempty"` // as advertised
	BasicAuth       bool     `json:"client_secret_basic"`                   // advertised (RFC 8414 §2: absent means Basic)
	ScopesPublished int      `json:"scopes_published"`                      // len(scopes_supported)
	DCR             bool     `json:"dynamic_client_registration"`           // registration_endpoint advertised
	Experiments     []string `json:"experiments,omitempty"`                 // GET /api/v2/experiments
	Metadata        bool     `json:"metadata"`                              // the metadata document was read
	DeviceEndpoint  bool     `json:"device_authorization_endpoint"`         // advertised (RFC 8628)
	ScopesEnforced  bool     `json:"scopes_enforced"`                       // by version: 2.38 mints and enforces the negotiated scope
	// SecretUseRecorded: by version, a client secret's last_used_at is set
	// when it is used (2.38). v2.30.0 was seen to keep it null after use.
	SecretUseRecorded bool `json:"secret_use_recorded"`
	RateLimit         int  `json:"rate_limit_per_minute,omitempty"` // X-Ratelimit-Limit on the metadata answer
}

// Evidence is what Describe reads; any part may be missing.
type Evidence struct {
	Version      string   // buildinfo; "" when there is none (not Coder)
	HasBuildInfo bool     // /api/v2/buildinfo answered as Coder does
	Metadata     bool     // the authorization server metadata was read
	AuthMethods  []string // token_endpoint_auth_methods_supported
	Scopes       int      // len(scopes_supported)
	Registration bool     // registration_endpoint present
	Experiments  []string // nil when not read
	Device       bool     // device_authorization_endpoint present
	RateLimit    int      // X-Ratelimit-Limit of the metadata answer
}

// Describe builds the Server from evidence.
func Describe(e Evidence) Server {
	s := Server{Kind: "coder", Version: e.Version, Era: EraOf(e.Version)}
	if !e.HasBuildInfo {
		s = Server{Kind: "oauth2", Era: EraNotCoder}
	}
	f := ServerFeatures{
		AuthMethods: e.AuthMethods, ScopesPublished: e.Scopes, DCR: e.Registration,
		Experiments: e.Experiments, Metadata: e.Metadata, DeviceEndpoint: e.Device, RateLimit: e.RateLimit,
	}
	f.ScopesEnforced = s.Era == EraFlag
	f.SecretUseRecorded = s.Era.RecordsSecretUse()
	f.RedirectURIList = s.Kind == "coder" && FeaturesOf(e.Version).RedirectURIList
	f.BasicAuth = e.Metadata && (len(e.AuthMethods) == 0 || slices.Contains(e.AuthMethods, "client_secret_basic"))
	s.Features = f
	return s
}

// EnableSetting names what turns the provider on in this era.
func (s Server) EnableSetting() string {
	switch s.Era {
	case EraV230, EraExperiment:
		return "CODER_EXPERIMENTS=oauth2 (--experiments oauth2)"
	case EraFlag:
		return "CODER_OAUTH2_PROVIDER_ENABLE=true (--oauth2-provider-enable)"
	}
	return ""
}

// EraText says in words which generation this is.
func (s Server) EraText() string {
	switch s.Era {
	case EraV230:
		return "v2.30 era: oauth2 experiment, PKCE optional"
	case EraExperiment:
		return "experiment era (2.31–2.37): oauth2 experiment, PKCE required"
	case EraFlag:
		return "flag era (2.38+): provider flag, scopes enforced"
	}
	return "not Coder: a standards-following authorization server"
}

// Summary is one line for status bars and report headers. Values come
// from the server: callers make the line safe for the terminal.
func (s Server) Summary() string {
	var parts []string
	if s.Kind == "coder" {
		v := s.Version
		if v == "" {
			v = "version unknown"
		}
		parts = append(parts, "Coder "+v, s.EraText())
	} else {
		parts = append(parts, s.EraText())
	}
	f := s.Features
	if f.Metadata {
		methods := "client auth " + strings.Join(f.AuthMethods, ", ")
		if len(f.AuthMethods) == 0 {
			methods = "client auth not advertised (client_secret_basic by default)"
		}
		parts = append(parts, methods, fmt.Sprintf("%d scopes published", f.ScopesPublished))
		if f.RateLimit > 0 {
			parts = append(parts, fmt.Sprintf("rate limit %d per endpoint", f.RateLimit))
		}
		if f.DCR {
			parts = append(parts, "DCR open")
		} else {
			parts = append(parts, "no DCR")
		}
	} else {
		parts = append(parts, "metadata not read")
	}
	if s.Kind == "coder" && f.Experiments != nil {
		if len(f.Experiments) == 0 {
			parts = append(parts, "experiments: none")
		} else {
			parts = append(parts, "experiments: "+strings.Join(f.Experiments, ", "))
		}
	}
	return strings.Join(parts, "; ")
}
