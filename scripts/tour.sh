#!/usr/bin/env bash
# Prints the README's "A tour of the console": a text capture of each tab
# of `oauthdeck demo` at 100x30, taken in a private tmux server.
# Usage: scripts/tour.sh > /tmp/tour.md   (needs go and tmux)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(mktemp -d)
trap 'tmux -L "oauthdeck-tour-$$" kill-server 2>/dev/null || true; rm -rf "$dir"' EXIT
go build -o "$dir/oauthdeck" .
sock="oauthdeck-tour-$$"
tmux -L "$sock" -f /dev/null new-session -d -s tour -x 100 -y 30 \
	"env OAUTHDECK_CONFIG_DIR=$dir/config NO_COLOR=1 TERM=xterm-256color $dir/oauthdeck demo"
capture() { tmux -L "$sock" capture-pane -p -t tour | sed -e 's/[[:space:]]*$//' | cat -s; }
wait_for() {
	for _ in $(seq 100); do
		if capture | grep -qF -- "$1"; then return 0; fi
		sleep 0.1
	done
	echo "tour: timed out waiting for $1" >&2
	capture >&2
	exit 1
}
show() { # title, key, text to wait for
	tmux -L "$sock" send-keys -t tour "$2"
	wait_for "$3"
	sleep 0.3 # let the first loads land
	printf '\n**%s** (`%s`)\n\n```text\n' "$1" "$2"
	capture
	printf '```\n'
}
wait_for "1 Deployments"
show "Deployments" 1 "In use"
show "Apps" 2 "16 of 16"
show "Discovery" 3 "issuer"
show "Flow" 4 "Guided authorization-code flow"
show "Check" 5 "Conformance suite"
tmux -L "$sock" send-keys -t tour 4 n
wait_for "Set up an authorization-code flow"
tmux -L "$sock" send-keys -t tour C-s
wait_for "Flow ready"
tmux -L "$sock" send-keys -t tour a
wait_for "token works"
sleep 4.5 # the notice fades, so the key hints show again
printf '\n**Flow, run to a token** (`4`, `n`, `ctrl+s`, `a`)\n\n```text\n'
capture
printf '```\n'
show "Requests" 6 "SOURCE"
tmux -L "$sock" send-keys -t tour 7 r
wait_for "Audit done"
sleep 4.5 # the notice fades, so the key hints show again
printf '\n**Audit** (`7`, then `r`)\n\n```text\n'
capture
printf '```\n'
