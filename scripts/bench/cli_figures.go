package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// startFigures: instructions of --version against a hello-world program,
// counted by callgrind (repeatable whatever else the machine does).
func startFigures(bin binaries) []figure {
	if _, err := exec.LookPath("valgrind"); err != nil {
		return []figure{{name: "--version, instructions", note: "skipped: valgrind is not installed"}}
	}
	own := instructions(bin.oauthdeck, "--version")
	base := instructions(bin.hello)
	return []figure{{name: "oauthdeck --version", unit: "M instr", value: own / 1e6, baseline: base / 1e6,
		baselineName: "hello-world Go binary", ratioGoal: 8}}
}

var collected = regexp.MustCompile(`Collected : (\d+)`)

func instructions(argv ...string) float64 {
	args := append([]string{"--tool=callgrind", "--callgrind-out-file=/dev/null"}, argv...)
	cmd := exec.Command("valgrind", args...)
	// Without asynchronous preemption: its signals trip callgrind 3.19's
	// signal bookkeeping (an assertion in vgCallgrind_post_signal), and both
	// binaries are counted the same way.
	cmd.Env = append(os.Environ(), "GODEBUG=asyncpreemptoff=1")
	out, _ := cmd.CombinedOutput()
	m := collected.FindSubmatch(out)
	if m == nil {
		fail("callgrind printed no count for %v:\n%s", argv, out)
	}
	n, _ := strconv.ParseFloat(string(m[1]), 64)
	return n
}

// statusFigure: 'oauthdeck status' against process start plus its round trips.
func statusFigure(bin binaries, sb *sandbox, dir string) figure {
	env := sb.environ(dir)
	n := roundTrips(env, dir, bin.oauthdeck, "status")
	own, base := interleave(
		func() usage { return run(env, bin.oauthdeck, "status") },
		func() usage { return run(env, bin.roundtrips, sb.url+"/api/v2/buildinfo", strconv.Itoa(n)) })
	return figure{name: "oauthdeck status, wall", unit: "ms", value: ms(own.wall), baseline: ms(base.wall),
		baselineName: fmt.Sprintf("start + %d keep-alive GETs", n), ratioGoal: 1.5}
}

// checkFigure: 'oauthdeck check' against process start plus its round trips.
func checkFigure(bin binaries, sb *sandbox, dir string) figure {
	env := sb.environ(dir)
	cmd := exec.Command(bin.oauthdeck, "check", "-o", "json")
	cmd.Env = env
	js, _ := cmd.Output() // a failing check still prints its report
	var report struct {
		Traffic struct {
			Total int `json:"total"`
		} `json:"traffic"`
	}
	if json.Unmarshal(js, &report) != nil || report.Traffic.Total == 0 {
		broke("check -o json printed no traffic: %s", lastLines(string(js), 3))
	}
	n := report.Traffic.Total
	runCheck := func() usage {
		c := exec.Command(bin.oauthdeck, "check")
		c.Env = env
		start := time.Now()
		_ = c.Run() // the verdicts are not this figure's business
		return usage{wall: time.Since(start)}
	}
	own, base := interleave(runCheck,
		func() usage { return run(env, bin.roundtrips, sb.url+"/api/v2/buildinfo", strconv.Itoa(n)) })
	return figure{name: "oauthdeck check, wall", unit: "ms", value: ms(own.wall), baseline: ms(base.wall),
		baselineName: fmt.Sprintf("start + %d keep-alive GETs", n), ratioGoal: 1.3}
}

// listFigures: 'apps list -o json' of every app against curl fetching the
// same list.
func listFigures(bin binaries, sb *sandbox) []figure {
	dir, err := os.MkdirTemp("", "oauthdeck-bench-list-")
	check(err)
	defer func() { _ = os.RemoveAll(dir) }()
	env := sb.environ(dir)
	token := strings.TrimPrefix(sb.env[1], "CODER_SESSION_TOKEN=")
	devnull := func(argv ...string) func() usage {
		return func() usage { return run(env, argv...) } // run discards stdout
	}
	if _, err := exec.LookPath("curl"); err != nil {
		return []figure{{name: "apps list -o json", note: "skipped: curl is not installed"}}
	}
	own, base := interleave(devnull(bin.oauthdeck, "apps", "list", "-o", "json"),
		devnull("curl", "-sf", "-H", "Coder-Session-Token: "+token, sb.url+"/api/v2/oauth2-provider/apps"))
	n := fmt.Sprintf("%d apps", *scale)
	return []figure{
		{name: "apps list -o json, " + n + ", CPU", unit: "ms", value: ms(own.cpu), baseline: ms(base.cpu),
			baselineName: "curl of the same list", ratioGoal: 5},
		{name: "apps list -o json, " + n + ", peak RSS", unit: "MB", value: own.maxRSSMB, baseline: base.maxRSSMB,
			baselineName: "curl of the same list", absMax: 120},
	}
}
