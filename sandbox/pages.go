package sandbox

import (
	"bytes"
	"crypto/subtle"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// Pages are small, self-contained HTML: inline CSS only, no scripts, no
// third-party resources, and every dynamic value goes through html/template.

const pageStyle = `body{font-family:sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}
button,input{font-size:1rem;padding:.4rem .8rem}label{display:block;margin:.6rem 0}`

var consentTmpl = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("consent").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer">
<title>Application {{.AppName}}</title><style>` + pageStyle + `</style></head>
<body><h1>Authorize {{.AppName}}</h1>
<p>Allow {{.AppName}} to have {{if .Scopes}}these permissions on{{else}}full access to{{end}} your {{.Username}} account?</p>
{{if .Scopes}}<ul id="scopes">{{range .Scopes}}<li>{{.}}</li>{{end}}</ul>{{end}}
<form method="POST" id="allow-form">{{if .CSRFToken}}<input type="hidden" name="csrf_token" value="{{.CSRFToken}}">{{end}}
<button id="allow" type="submit">Allow</button></form>
<p><a id="cancel-link" href="{{.CancelURI}}">Cancel</a></p>
</body></html>
`))
})

type consentData struct {
	AppName   string
	Username  string
	Scopes    []string
	CSRFToken string
	CancelURI template.URL // validated redirect URI; may use a private-use scheme
}

var loginTmpl = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("login").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer">
<title>Sign in to Coder</title><style>` + pageStyle + `</style></head>
<body><h1>Sign in</h1>
{{if .Message}}<p id="message">{{.Message}}</p>{{end}}
<form method="POST" action="/login" id="login-form">
<input type="hidden" name="redirect" value="{{.Redirect}}">
<label>Email <input id="email" name="email" type="email" autocomplete="username" required></label>
<label>Password <input id="password" name="password" type="password" autocomplete="current-password" required></label>
<button id="sign-in" type="submit">Sign in</button></form>
{{if .DemoNonce}}<form method="POST" action="/login" id="demo-form">
<p id="demo-note">This is the oauthdeck demo sandbox: its admin's password is random and shown nowhere.</p>
<input type="hidden" name="redirect" value="{{.Redirect}}">
<input type="hidden" name="demo_sign_in" value="{{.DemoNonce}}">
<button id="demo-sign-in" type="submit">Sign in as {{.Admin}} (demo)</button></form>{{end}}
</body></html>
`))
})

// loginData fills the sign-in page; the demo's one-click form appears only
// on a sandbox started with DemoSignIn.
func (s *Server) loginData(message, redirect string) map[string]string {
	d := map[string]string{"Message": message, "Redirect": redirect}
	if s.demoNonce != "" {
		d["DemoNonce"], d["Admin"] = s.demoNonce, s.opts.AdminEmail
	}
	return d
}

// demoSignIn reports whether the form is the demo's one-click sign-in. The
// hidden value is random per server, so a page elsewhere cannot sign the
// browser in on its own (login CSRF).
func (s *Server) demoSignIn(form url.Values) bool {
	got := form.Get("demo_sign_in")
	return s.demoNonce != "" && got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.demoNonce)) == 1
}

var errorPageTmpl = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("error").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Status}} - {{.Title}}</title><style>` + pageStyle + `</style></head>
<body><h1>{{.Status}} - {{.Title}}</h1>
<ul id="warnings">{{range .Warnings}}<li>{{.}}</li>{{end}}</ul>
</body></html>
`))
})

// spaPage stands in for the dashboard, which real Coder serves for any
// unknown non-API path (the placeholder build serves a short text page).
const spaPage = "<!DOCTYPE html><html><body>Coder dashboard placeholder</body></html>\n"

func renderHTML(w http.ResponseWriter, status int, t *template.Template, data any) {
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		http.Error(w, "Internal error rendering page.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// No page may be framed: another site could trick a click on Allow, or
	// on the demo's one-click sign-in.
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Content-Security-Policy", "frame-ancestors 'none'")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func writeErrorPage(w http.ResponseWriter, status int, title string, warnings []string) {
	renderHTML(w, status, errorPageTmpl(), struct {
		Status   int
		Title    string
		Warnings []string
	}{status, title, warnings})
}

func (s *Server) handleSPA(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		writeMethodNotAllowed(w, http.MethodGet, http.MethodHead)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(spaPage))
}

// handleLoginPage is a minimal stand-in for the dashboard's login, enough
// for a real browser to finish an authorize redirect.
func (s *Server) handleLoginPage(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		q := r.URL.Query()
		renderHTML(w, http.StatusOK, loginTmpl(), s.loginData(q.Get("message"), safeRedirect(q.Get("redirect"))))
	case http.MethodPost:
		if err := r.ParseForm(); err != nil {
			writeErrorPage(w, http.StatusBadRequest, "Bad Request", []string{"The sign-in form could not be read."})
			return
		}
		redirect := safeRedirect(r.PostForm.Get("redirect"))
		userID, ok := s.adminID, s.demoSignIn(r.PostForm)
		if !ok {
			userID, ok = s.checkPassword(r.PostForm.Get("email"), r.PostForm.Get("password"))
		}
		if !ok {
			renderHTML(w, http.StatusUnauthorized, loginTmpl(), s.loginData("Incorrect email or password.", redirect))
			return
		}
		s.startSession(w, userID)
		http.Redirect(w, r, redirect, http.StatusSeeOther)
	default:
		writeMethodNotAllowed(w, http.MethodGet, http.MethodPost)
	}
}

// safeRedirect keeps only same-origin relative paths, so /login cannot be
// used as an open redirector.
func safeRedirect(raw string) string {
	if raw == "" || !strings.HasPrefix(raw, "/") || strings.HasPrefix(raw, "//") || strings.ContainsAny(raw, "\\\r\n\t") {
		return "/"
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return raw
}
