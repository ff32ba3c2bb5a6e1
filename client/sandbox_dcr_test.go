package client_test

import (
	"context"
	"testing"

	"oauthdeck/client"
	"oauthdeck/sandbox"
)

func TestSandboxDynamicRegistration(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts sandbox.Options
	}{{"v2.30", sandbox.Options{Compat: sandbox.CompatV230}}, {"main-dcr", sandbox.Options{Compat: sandbox.CompatMain, EnableDCR: true}}} {
		t.Run(tc.name, func(t *testing.T) {
			_, admin := startSandbox(t, tc.opts)
			anon := admin.WithSessionToken("")
			ctx := context.Background()
			req := client.ClientRegistrationRequest{ClientName: "dcr-client", RedirectURIs: []string{"http://127.0.0.1:9876/callback"},
				GrantTypes: []string{"authorization_code", "refresh_token"}, ResponseTypes: []string{"code"},
				TokenEndpointAuthMethod: "client_secret_post", Scope: "coder:all"}
			reg, err := anon.RegisterClient(ctx, "", req)
			if err != nil || reg.ClientID == "" || reg.RegistrationAccessToken == "" || reg.RegistrationClientURI == "" {
				t.Fatalf("register %+v %v", reg, err)
			}
			got, err := anon.GetClientRegistration(ctx, reg.RegistrationClientURI, reg.RegistrationAccessToken)
			if err != nil || got.ClientID != reg.ClientID || got.ClientSecret != "" {
				t.Fatalf("get %+v %v", got, err)
			}
			_, err = anon.GetClientRegistration(ctx, reg.RegistrationClientURI, "wrong-token")
			if oe := wantAs[*client.OAuth2Error](t, err); oe.StatusCode != 401 || oe.Code != "invalid_token" {
				t.Errorf("wrong token: %+v", oe)
			}
			_, err = anon.GetClientRegistration(ctx, reg.RegistrationClientURI, "")
			if err == nil {
				t.Error("empty registration token accepted")
			}
			req.ClientName = "dcr-client-2"
			up, err := anon.UpdateClientRegistration(ctx, reg.RegistrationClientURI, reg.RegistrationAccessToken, req)
			if err != nil || up.ClientName != "dcr-client-2" {
				t.Fatalf("update %+v %v", up, err)
			}
			// DCR apps appear in the admin list.
			apps, err := admin.Apps(ctx)
			if err != nil || len(apps) != 1 || apps[0].ID != reg.ClientID {
				t.Errorf("apps after DCR: %+v %v", apps, err)
			}
			if err := anon.DeleteClientRegistration(ctx, reg.RegistrationClientURI, reg.RegistrationAccessToken); err != nil {
				t.Fatal(err)
			}
			_, err = anon.GetClientRegistration(ctx, reg.RegistrationClientURI, reg.RegistrationAccessToken)
			if oe := wantAs[*client.OAuth2Error](t, err); oe.Description != "Client not found" {
				t.Errorf("after delete: %+v", oe)
			}
			// §11 validation errors.
			_, err = anon.RegisterClient(ctx, "", client.ClientRegistrationRequest{ClientName: "x"})
			if oe := wantAs[*client.OAuth2Error](t, err); oe.Code != "invalid_client_metadata" {
				t.Errorf("no redirect_uris: %+v", oe)
			}
			_, err = anon.RegisterClient(ctx, "", client.ClientRegistrationRequest{RedirectURIs: []string{"http://example.com/cb"}})
			if oe := wantAs[*client.OAuth2Error](t, err); oe.Code != "invalid_client_metadata" {
				t.Errorf("http non-loopback: %+v", oe)
			}
		})
	}
	t.Run("main-off", func(t *testing.T) {
		_, admin := startSandbox(t, sandbox.Options{Compat: sandbox.CompatMain})
		_, err := admin.RegisterClient(context.Background(), "", client.ClientRegistrationRequest{RedirectURIs: []string{"http://127.0.0.1:1/cb"}})
		if err == nil {
			t.Fatal("registration accepted while DCR is off")
		}
		md, err := admin.AuthorizationServerMetadata(context.Background(), "")
		if err != nil || md.Doc.RegistrationEndpoint != "" {
			t.Errorf("registration_endpoint advertised while off: %+v %v", md.Doc, err)
		}
	})
}
