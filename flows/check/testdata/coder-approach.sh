#!/usr/bin/env bash
# The checks Coder's own scripts/oauth2/test-mcp-oauth2.sh makes, done the
# same way (curl + jq + openssl, consent by POSTing the authorization URL
# with the session header), written for oauthdeck so the lead can time that
# approach against `oauthdeck check` on the same sandbox. Unlike the
# original, a failed check fails the script.
#
#   BASE_URL=http://127.0.0.1:3000 SESSION_TOKEN=... ./coder-approach.sh
#
# Prints one line per check and "passed N of M"; exits 1 on any failure.
# Secrets never stand in a process's arguments: curl reads headers and URLs
# that carry them from a config on stdin (-K -), form bodies from stdin, and
# jq reads values to encode from stdin.
set -euo pipefail

: "${BASE_URL:?set BASE_URL to the deployment URL}"
: "${SESSION_TOKEN:?set SESSION_TOKEN to an owner session token}"
REDIRECT_URI="${REDIRECT_URI:-http://127.0.0.1:9876/callback}"

passed=0
total=0
app_id=""

ok() { passed=$((passed + 1)); total=$((total + 1)); echo "PASS  $1"; }
bad() { total=$((total + 1)); echo "FAIL  $1"; }

# with_secret_header HEADER CURL-ARGS...: curl with one header read from stdin.
with_secret_header() {
	local header="$1"
	shift
	printf 'header = "%s"\n' "$header" | curl -K - "$@"
}
# session_curl CURL-ARGS...: curl with the admin's session header.
session_curl() { with_secret_header "Coder-Session-Token: $SESSION_TOKEN" "$@"; }

cleanup() {
	if [[ -n "$app_id" ]]; then
		session_curl -s -o /dev/null -X DELETE "$BASE_URL/api/v2/oauth2-provider/apps/$app_id" || true
	fi
}
trap cleanup EXIT

# base64url without padding, from stdin.
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }

# A 43-character verifier (32 random bytes) and its S256 challenge.
new_verifier() { openssl rand 32 | b64url; }
challenge_of() { printf '%s' "$1" | openssl dgst -sha256 -binary | b64url; }

urlenc() { printf '%s' "$1" | jq -sRr @uri; }

# authorize VERIFIER [RESOURCE]: consent with the session; prints the code.
authorize() {
	local verifier="$1" resource="${2:-}" state query location
	state="$(openssl rand -hex 16)"
	query="client_id=$app_id&response_type=code&redirect_uri=$(urlenc "$REDIRECT_URI")&state=$state"
	query+="&code_challenge=$(challenge_of "$verifier")&code_challenge_method=S256"
	if [[ -n "$resource" ]]; then
		query+="&resource=$(urlenc "$resource")"
	fi
	location="$(session_curl -s -o /dev/null -w '%{redirect_url}' -X POST "$BASE_URL/oauth2/authorize?$query")"
	[[ "$location" == *"state=$state"* ]] || return 1
	printf '%s' "$location" | sed -n 's/.*[?&]code=\([^&]*\).*/\1/p'
}

# token NAME=VALUE...: POST the form to the token endpoint; prints the JSON body.
token() {
	local form="" kv
	for kv in "$@"; do form+="&${kv%%=*}=$(urlenc "${kv#*=}")"; done
	printf '%s' "${form#&}" | curl -s -X POST -H 'Content-Type: application/x-www-form-urlencoded' \
		--data-binary @- "$BASE_URL/oauth2/tokens"
}

# 1. Authorization server metadata.
metadata="$(curl -s "$BASE_URL/.well-known/oauth-authorization-server")"
if jq -e '.authorization_endpoint and .token_endpoint' >/dev/null <<<"$metadata"; then
	ok "authorization server metadata"
else
	bad "authorization server metadata"
fi

# 2. A test app and a secret.
app="$(session_curl -s -X POST -H 'Content-Type: application/json' \
	-d "{\"name\":\"oauthdeck-sh-$(openssl rand -hex 4)\",\"callback_url\":\"$REDIRECT_URI\",\"redirect_uris\":[\"$REDIRECT_URI\"]}" \
	"$BASE_URL/api/v2/oauth2-provider/apps")"
app_id="$(jq -r '.id // empty' <<<"$app")"
secret="$(session_curl -s -X POST "$BASE_URL/api/v2/oauth2-provider/apps/$app_id/secrets" |
	jq -r '.client_secret_full // empty')"
if [[ -z "$app_id" || -z "$secret" ]]; then
	bad "create app and secret"
	echo "passed $passed of $total"
	exit 1
fi
ok "create app and secret"
creds=("client_id=$app_id" "client_secret=$secret" "redirect_uri=$REDIRECT_URI")

# 3. PKCE flow.
verifier="$(new_verifier)"
code="$(authorize "$verifier" || true)"
body="$(token grant_type=authorization_code "code=$code" "code_verifier=$verifier" "${creds[@]}")"
if [[ -n "$code" ]] && jq -e '.access_token' >/dev/null <<<"$body"; then
	ok "PKCE flow"
else
	bad "PKCE flow"
fi

# 4. A wrong verifier is refused.
verifier="$(new_verifier)"
code="$(authorize "$verifier" || true)"
body="$(token grant_type=authorization_code "code=$code" "code_verifier=$(new_verifier)" "${creds[@]}")"
if jq -e '.error' >/dev/null <<<"$body"; then ok "wrong verifier refused"; else bad "wrong verifier refused"; fi

# 5. resource parameter (the deployment itself, so the token is usable).
verifier="$(new_verifier)"
code="$(authorize "$verifier" "$BASE_URL" || true)"
body="$(token grant_type=authorization_code "code=$code" "code_verifier=$verifier" "resource=$BASE_URL" "${creds[@]}")"
refresh_token="$(jq -r '.refresh_token // empty' <<<"$body")"
if jq -e '.access_token' >/dev/null <<<"$body"; then ok "resource parameter"; else bad "resource parameter"; fi

# 6. Refresh.
body="$(token grant_type=refresh_token "refresh_token=$refresh_token" "client_id=$app_id" "client_secret=$secret")"
access_token="$(jq -r '.access_token // empty' <<<"$body")"
if [[ -n "$access_token" ]]; then ok "refresh"; else bad "refresh"; fi

# 7. Bearer use (RFC 6750 header and query) and the 401 challenge.
status="$(with_secret_header "Authorization: Bearer $access_token" -s -o /dev/null -w '%{http_code}' "$BASE_URL/api/v2/users/me")"
if [[ "$status" == 200 ]]; then ok "Bearer header"; else bad "Bearer header ($status)"; fi
status="$(printf 'url = "%s"\n' "$BASE_URL/api/v2/users/me?access_token=$access_token" |
	curl -K - -s -o /dev/null -w '%{http_code}')"
if [[ "$status" == 200 ]]; then ok "access_token query"; else bad "access_token query ($status)"; fi
# HEAD, as the original does (curl -I): Coder authenticates before it routes
# the method, so the 401 challenge comes before any 405.
if curl -s -I "$BASE_URL/api/v2/users/me" | grep -qi '^www-authenticate: *bearer'; then
	ok "WWW-Authenticate on 401"
else
	bad "WWW-Authenticate on 401"
fi

# 8. Protected resource metadata.
if curl -s "$BASE_URL/.well-known/oauth-protected-resource" | jq -e '.bearer_methods_supported | index("header")' >/dev/null; then
	ok "protected resource metadata"
else
	bad "protected resource metadata"
fi

echo "passed $passed of $total"
[[ "$passed" == "$total" ]]
