package main

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// firstFrame starts argv in a fresh tmux session and returns how long it
// took until the pane shows want.
func firstFrame(env []string, want string, argv ...string) usage {
	const session = "oauthdeck-bench"
	_ = exec.Command("tmux", "kill-session", "-t", session).Run()
	shell := "exec"
	for _, a := range argv {
		shell += " '" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	start := time.Now()
	cmd := exec.Command("tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "36", shell)
	cmd.Env = env
	check(cmd.Run())
	defer func() { _ = exec.Command("tmux", "kill-session", "-t", session).Run() }()
	for time.Since(start) < 10*time.Second {
		out, _ := exec.Command("tmux", "capture-pane", "-p", "-t", session).Output()
		if strings.Contains(string(out), want) {
			return usage{wall: time.Since(start)}
		}
	}
	broke("%v never showed %q", argv, want)
	return usage{}
}

func firstFrameFigures(bin binaries, sb *sandbox) []figure {
	if _, err := exec.LookPath("tmux"); err != nil {
		return []figure{{name: "TUI first frame", note: "skipped: tmux is not installed"}}
	}
	var figs []figure
	dir, err := os.MkdirTemp("", "oauthdeck-bench-tui-")
	check(err)
	defer func() { _ = os.RemoveAll(dir) }()
	env := append(sb.environ(dir), "TERM=xterm-256color")
	noSandbox := append(os.Environ(), "OAUTHDECK_CONFIG_DIR="+dir, "NO_COLOR=1", "TERM=xterm-256color")
	for _, c := range []struct {
		name string
		env  []string
		argv []string
	}{
		{"TUI first frame: oauthdeck demo", noSandbox, []string{bin.oauthdeck, "demo"}},
		{"TUI first frame: oauthdeck", noSandbox, []string{bin.oauthdeck}},
		{"TUI first frame: oauthdeck with a deployment", env, []string{bin.oauthdeck}},
	} {
		own, base := interleave(
			func() usage { return firstFrame(c.env, "1 Deployments", c.argv...) },
			func() usage { return firstFrame(c.env, "1 Deployments", bin.minitea) })
		figs = append(figs, figure{name: c.name, unit: "ms", value: ms(own.wall), baseline: ms(base.wall),
			baselineName: "minimal Bubble Tea v2 program", ratioGoal: 1.15})
	}
	return figs
}

// tuiScaleFigures: the console's peak RSS with every app loaded and drawn.
func tuiScaleFigures(bin binaries, sb *sandbox) []figure {
	if _, err := exec.LookPath("tmux"); err != nil {
		return nil
	}
	dir, err := os.MkdirTemp("", "oauthdeck-bench-tui-")
	check(err)
	defer func() { _ = os.RemoveAll(dir) }()
	const session = "oauthdeck-bench-rss"
	_ = exec.Command("tmux", "kill-session", "-t", session).Run()
	cmd := exec.Command("tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "36", "exec '"+bin.oauthdeck+"'")
	cmd.Env = append(sb.environ(dir), "TERM=xterm-256color")
	check(cmd.Run())
	defer func() { _ = exec.Command("tmux", "kill-session", "-t", session).Run() }()
	pidText, err := exec.Command("tmux", "display-message", "-p", "-t", session, "#{pane_pid}").Output()
	check(err)
	pid := strings.TrimSpace(string(pidText))
	want := fmt.Sprintf("of %d", *scale)
	start := time.Now()
	_ = exec.Command("tmux", "send-keys", "-t", session, "2").Run()
	for {
		out, _ := exec.Command("tmux", "capture-pane", "-p", "-t", session).Output()
		if strings.Contains(string(out), want) {
			break
		}
		if time.Since(start) > time.Minute {
			broke("the Apps tab never showed %q", want)
		}
		time.Sleep(20 * time.Millisecond)
	}
	loaded := time.Since(start)
	// Move and filter a little, as a user would, then read the peak.
	_ = exec.Command("tmux", "send-keys", "-t", session, "Down", "Down", "/", "7", "BSpace", "Escape").Run()
	time.Sleep(500 * time.Millisecond)
	status, err := os.ReadFile("/proc/" + pid + "/status")
	check(err)
	var hwm float64
	for _, l := range strings.Split(string(status), "\n") {
		if f, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(f), "kB")), 64)
			hwm = kb / 1024
		}
	}
	return []figure{
		{name: fmt.Sprintf("TUI with %d apps, peak RSS", *scale), unit: "MB", value: hwm, absMax: 150},
		{name: fmt.Sprintf("TUI with %d apps, list shown after", *scale), unit: "ms", value: ms(loaded), note: "informational"},
	}
}

var benchLine = regexp.MustCompile(`BenchmarkAppsListKey/(\d+)/(\S+?)-\d+\s.*?([\d.]+) p50-ms\s+([\d.]+) p99-ms`)

// keyFigures: Update+View per key in the apps list, in process.
func keyFigures() []figure {
	cmd := exec.Command("go", "test", "./ui", "-run", "^$", "-bench", "BenchmarkAppsListKey/100000/", "-benchtime", "400x")
	out, err := cmd.CombinedOutput()
	if err != nil {
		broke("key benchmark: %v: %s", err, lastLines(string(out), 3))
	}
	goals := map[string]float64{"move": 2, "filter": 16, "filter-cold": 16}
	var figs []figure
	for _, m := range benchLine.FindAllStringSubmatch(string(out), -1) {
		p50, _ := strconv.ParseFloat(m[3], 64)
		p99, _ := strconv.ParseFloat(m[4], 64)
		figs = append(figs, figure{name: fmt.Sprintf("TUI %s key, %s apps, p99", m[2], m[1]), unit: "ms", value: p99,
			absMax: goals[m[2]], note: fmt.Sprintf("p50 %.2f ms", p50)})
	}
	if len(figs) == 0 {
		broke("the key benchmark printed no figures: %s", lastLines(string(out), 3))
	}
	return figs
}
