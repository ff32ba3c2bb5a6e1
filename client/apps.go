package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

const appsPath = "/api/v2/oauth2-provider/apps"

func appPath(id string) string { return appsPath + "/" + url.PathEscape(id) }

var errEmptyID = errors.New("empty ID")

// needIDs refuses empty IDs, which would otherwise address the wrong route.
func needIDs(ids ...string) error {
	for _, id := range ids {
		if strings.TrimSpace(id) == "" {
			return errEmptyID
		}
	}
	return nil
}

// Apps lists the apps, ordered as the server sends them. A null body is an empty list.
func (c *Client) Apps(ctx context.Context) ([]App, error) {
	return c.appList(ctx, appsPath, "list OAuth2 apps")
}

// EachApp hands each app to fn as it is decoded, in the server's order, so
// a deployment of any size is listed in bounded memory. An error of fn
// stops the listing and is returned as it is.
func (c *Client) EachApp(ctx context.Context, fn func(App) error) error {
	return wrapOp("list OAuth2 apps", c.eachApp(ctx, appsPath, fn))
}

// AppsAuthorizedBy lists the apps userID currently holds tokens for
// (GET /apps?user_id=). v2.30 answers null when there are none; that is an
// empty list here.
func (c *Client) AppsAuthorizedBy(ctx context.Context, userID string) ([]App, error) {
	if err := needIDs(userID); err != nil {
		return nil, wrapOp("list apps authorized by a user", err)
	}
	return c.appList(ctx, appsPath+"?"+url.Values{"user_id": {userID}}.Encode(), "list apps authorized by user "+userID)
}

// appList collects a streamed list (never nil on success).
func (c *Client) appList(ctx context.Context, path, op string) ([]App, error) {
	all := []App{}
	if err := c.eachApp(ctx, path, func(a App) error { all = append(all, a); return nil }); err != nil {
		return nil, wrapOp(op, err)
	}
	return all, nil
}

// eachApp streams a list of apps, normalised, with null as an empty list.
// The list is a JSON array (v2.30 and every measured release) or, on
// newer builds, {"apps": [...], "count": N} a page at a time: then it
// pages on with offset until count apps have come, a page brings nothing
// new, or maxAppPages pages were read. An app seen on an earlier page is
// not handed on twice.
func (c *Client) eachApp(ctx context.Context, path string, fn func(App) error) error {
	seen := map[string]bool{}
	for page := 0; ; page++ {
		p := path
		if page > 0 {
			p += map[bool]string{true: "&", false: "?"}[strings.Contains(path, "?")] + url.Values{"offset": {strconv.Itoa(len(seen))}}.Encode()
		}
		fresh := 0
		list, err := c.streamApps(ctx, p, func(a App) error {
			if seen[a.ID] {
				return nil
			}
			if len(seen) >= c.opts.MaxListApps {
				return fmt.Errorf("the list has more than %d apps; stopped there", c.opts.MaxListApps)
			}
			seen[a.ID] = true
			fresh++
			a.normalize()
			return fn(a)
		})
		if err != nil {
			return err
		}
		// A page of nothing new ends it: a server that ignores offset
		// would otherwise be asked again and again for the same page.
		if !list.paged || fresh == 0 || len(seen) >= list.count {
			return nil
		}
		if page+1 >= maxAppPages {
			return fmt.Errorf("the server says %d apps but %d pages brought only %d", list.count, maxAppPages, len(seen))
		}
	}
}

// maxAppPages bounds the pages eachApp reads, so a server whose count
// never comes true cannot keep it paging.
const maxAppPages = 10000

// App is GET /api/v2/oauth2-provider/apps/{id}.
func (c *Client) App(ctx context.Context, id string) (App, error) {
	var app App
	err := needIDs(id)
	if err == nil {
		err = c.do(ctx, call{method: http.MethodGet, url: appPath(id), auth: authSession, want: http.StatusOK, out: &app})
	}
	app.normalize()
	return app, wrapOp("get OAuth2 app "+id, err)
}

// CreateApp is POST /api/v2/oauth2-provider/apps (201).
func (c *Client) CreateApp(ctx context.Context, req AppRequest) (App, error) {
	var app App
	body, err := req.normalized()
	if err == nil {
		err = c.do(ctx, call{method: http.MethodPost, url: appsPath, auth: authSession, in: body, want: http.StatusCreated, out: &app})
	}
	app.normalize()
	return app, wrapOp("create OAuth2 app", err)
}

// UpdateApp is PUT /api/v2/oauth2-provider/apps/{id} (200).
func (c *Client) UpdateApp(ctx context.Context, id string, req AppRequest) (App, error) {
	var app App
	body, err := req.normalized()
	if err == nil {
		err = needIDs(id)
	}
	if err == nil {
		err = c.do(ctx, call{method: http.MethodPut, url: appPath(id), auth: authSession, in: body, want: http.StatusOK, out: &app})
	}
	app.normalize()
	return app, wrapOp("update OAuth2 app "+id, err)
}

// DeleteApp is DELETE /api/v2/oauth2-provider/apps/{id} (204). It also
// removes the app's secrets, codes and tokens on the server.
func (c *Client) DeleteApp(ctx context.Context, id string) error {
	if err := needIDs(id); err != nil {
		return wrapOp("delete OAuth2 app", err)
	}
	err := c.do(ctx, call{method: http.MethodDelete, url: appPath(id), auth: authSession, want: http.StatusNoContent})
	return wrapOp("delete OAuth2 app "+id, err)
}

// AppSecrets lists an app's secrets (truncated values only).
func (c *Client) AppSecrets(ctx context.Context, appID string) ([]AppSecret, error) {
	var secrets []AppSecret
	if err := needIDs(appID); err != nil {
		return nil, wrapOp("list secrets of OAuth2 app", err)
	}
	if err := c.do(ctx, call{method: http.MethodGet, url: appPath(appID) + "/secrets", auth: authSession, want: http.StatusOK, out: &secrets}); err != nil {
		return nil, wrapOp("list secrets of OAuth2 app "+appID, err)
	}
	if secrets == nil {
		secrets = []AppSecret{}
	}
	return secrets, nil
}

// CreateAppSecret is POST .../apps/{id}/secrets (201): the only time the
// full secret is available.
func (c *Client) CreateAppSecret(ctx context.Context, appID string) (AppSecretFull, error) {
	var s AppSecretFull
	if err := needIDs(appID); err != nil {
		return s, wrapOp("create a secret for OAuth2 app", err)
	}
	err := c.do(ctx, call{method: http.MethodPost, url: appPath(appID) + "/secrets", auth: authSession, want: http.StatusCreated, out: &s})
	if err == nil && s.ClientSecretFull == "" {
		err = errors.New("server answered 201 without client_secret_full")
	}
	return s, wrapOp("create a secret for OAuth2 app "+appID, err)
}

// DeleteAppSecret is DELETE .../apps/{id}/secrets/{secretID} (204). Tokens
// issued with that secret stop working.
func (c *Client) DeleteAppSecret(ctx context.Context, appID, secretID string) error {
	if err := needIDs(appID, secretID); err != nil {
		return wrapOp("delete secret of OAuth2 app", err)
	}
	err := c.do(ctx, call{method: http.MethodDelete, url: appPath(appID) + "/secrets/" + url.PathEscape(secretID), auth: authSession, want: http.StatusNoContent})
	return wrapOp("delete secret "+secretID+" of OAuth2 app "+appID, err)
}

// normalized keeps callback_url and redirect_uris[0] equal so that one body
// works on v2.30 (callback_url only) and on newer servers (which reject a
// callback_url that differs from redirect_uris[0]).
func (r AppRequest) normalized() (AppRequest, error) {
	switch {
	case r.CallbackURL == "" && len(r.RedirectURIs) > 0:
		r.CallbackURL = r.RedirectURIs[0]
	case r.CallbackURL != "" && len(r.RedirectURIs) == 0:
		r.RedirectURIs = []string{r.CallbackURL}
	case r.CallbackURL != "" && r.CallbackURL != r.RedirectURIs[0]:
		return r, errors.New("callback URL must equal the first redirect URI")
	}
	return r, nil
}

// normalize fills whichever of CallbackURL / RedirectURIs the server left
// out, so callers see the same shape from v2.30 and newer servers.
func (a *App) normalize() {
	if len(a.RedirectURIs) == 0 && a.CallbackURL != "" {
		a.RedirectURIs = []string{a.CallbackURL}
	}
	if a.CallbackURL == "" && len(a.RedirectURIs) > 0 {
		a.CallbackURL = a.RedirectURIs[0]
	}
}

// ProviderSettings is GET /api/v2/oauth2-provider/settings (2.38+, owners):
// whether dynamic client registration is on. It answers while the provider
// is off, which tells "off" from "not there" where every gated route
// answers the same 404.
func (c *Client) ProviderSettings(ctx context.Context) (ProviderSettings, error) {
	var out ProviderSettings
	err := c.do(ctx, call{method: http.MethodGet, url: "/api/v2/oauth2-provider/settings", auth: authSession, want: http.StatusOK, out: &out})
	return out, wrapOp("read the OAuth2 provider settings", err)
}

// ProviderSettings are the provider's owner settings.
type ProviderSettings struct {
	DynamicClientRegistration bool `json:"dynamic_client_registration_enabled"`
}
