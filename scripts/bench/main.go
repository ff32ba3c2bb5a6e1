// Command bench measures oauthdeck's performance figures, each next to a
// baseline measured in the same run on the same machine, and says whether
// each goal of the performance issue is met. It is not part of the test
// suite: run it with scripts/bench.sh (a few minutes).
//
// Every timed figure is the median of several runs, interleaved with its
// baseline's runs so that a machine that slows down slows both.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

var (
	runs    = flag.Int("runs", 7, "runs of each timed figure (medians are printed)")
	scale   = flag.Int("apps", 100000, "apps seeded for the scale figures")
	keepDir = flag.Bool("keep", false, "keep the build directory")
	only    = flag.String("only", "", "comma-separated groups to run (start,status,check,frame,list,tui,keys); all when empty")
)

func want(group string) bool {
	return *only == "" || strings.Contains(","+*only+",", ","+group+",")
}

// figure is one row of the table.
type figure struct {
	name, unit        string
	value, baseline   float64
	baselineName      string
	ratioGoal, absMax float64 // goal: value ≤ ratioGoal×baseline, and/or value ≤ absMax
	note              string
}

func (f figure) met() bool {
	ok := true
	if f.ratioGoal > 0 {
		ok = ok && f.baseline > 0 && f.value <= f.ratioGoal*f.baseline
	}
	if f.absMax > 0 {
		ok = ok && f.value <= f.absMax
	}
	return ok
}

func main() {
	flag.Parse()
	dir, err := os.MkdirTemp("", "oauthdeck-bench-")
	check(err)
	if !*keepDir {
		defer func() { _ = os.RemoveAll(dir) }()
	}
	bin := buildAll(dir)
	var figs []figure
	if want("start") {
		figs = append(figs, startFigures(bin)...)
	}
	if want("status") || want("check") || want("frame") {
		sb := startSandbox(bin.oauthdeck, "--rate-limit", "-1")
		if want("status") {
			figs = append(figs, statusFigure(bin, sb, dir))
		}
		if want("check") {
			figs = append(figs, checkFigure(bin, sb, dir))
		}
		if want("frame") {
			figs = append(figs, firstFrameFigures(bin, sb)...)
		}
		sb.stop()
	}
	if want("list") || want("tui") {
		big := startSandbox(bin.oauthdeck, "--rate-limit", "-1", "--seed-apps", strconv.Itoa(*scale))
		if want("list") {
			figs = append(figs, listFigures(bin, big)...)
		}
		if want("tui") {
			figs = append(figs, tuiScaleFigures(bin, big)...)
		}
		big.stop()
	}
	if want("keys") {
		figs = append(figs, keyFigures()...)
	}

	printTable(figs)
}

// binaries are the programs under test and the baselines, built once.
type binaries struct{ oauthdeck, hello, minitea, roundtrips string }

func buildAll(dir string) binaries {
	build := func(out, pkg string) string {
		path := filepath.Join(dir, out)
		cmd := exec.Command("go", "build", "-trimpath", "-o", path, pkg)
		// The release build: static, no cgo, like the hello-world baseline.
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		cmd.Stderr = os.Stderr
		check(cmd.Run())
		return path
	}
	return binaries{
		oauthdeck:  build("oauthdeck", "."),
		hello:      build("hello", "./scripts/bench/hello"),
		minitea:    build("minitea", "./scripts/bench/minitea"),
		roundtrips: build("roundtrips", "./scripts/bench/roundtrips"),
	}
}

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
	out, _ := exec.Command("valgrind", args...).CombinedOutput()
	m := collected.FindSubmatch(out)
	if m == nil {
		fail("callgrind printed no count for %v:\n%s", argv, out)
	}
	n, _ := strconv.ParseFloat(string(m[1]), 64)
	return n
}

// sandbox is a running 'oauthdeck sandbox' and the environment to reach it.
type sandbox struct {
	cmd *exec.Cmd
	env []string // CODER_URL, CODER_SESSION_TOKEN
	url string
}

func startSandbox(oauthdeck string, args ...string) *sandbox {
	cmd := exec.Command(oauthdeck, append([]string{"sandbox"}, args...)...)
	out, err := cmd.StdoutPipe()
	check(err)
	check(cmd.Start())
	s := &sandbox{cmd: cmd}
	sc := bufio.NewScanner(out)
	for len(s.env) < 2 && sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "CODER_URL=") || strings.HasPrefix(line, "CODER_SESSION_TOKEN=") {
			s.env = append(s.env, line)
			if u, ok := strings.CutPrefix(line, "CODER_URL="); ok {
				s.url = u
			}
		}
	}
	if len(s.env) < 2 {
		fail("the sandbox printed no CODER_URL and token")
	}
	return s
}

func (s *sandbox) stop() {
	_ = s.cmd.Process.Signal(os.Interrupt)
	_ = s.cmd.Wait()
}

// environ is the benchmark's environment: the sandbox, no keyring, no colour.
func (s *sandbox) environ(dir string) []string {
	return append(os.Environ(), append(s.env, "OAUTHDECK_CONFIG_DIR="+dir, "NO_COLOR=1")...)
}

// usage is what one run cost.
type usage struct {
	wall, cpu time.Duration
	maxRSSMB  float64
}

func run(env []string, argv ...string) usage {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	check(err)
	defer func() { _ = null.Close() }()
	cmd.Stdout = null // a file, not a pipe: no copying goroutine in the figures
	start := time.Now()
	err = cmd.Run()
	wall := time.Since(start)
	if err != nil {
		fail("%v: %v\n%s", argv, err, stderr.String())
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return usage{wall: wall, cpu: cpu, maxRSSMB: float64(ru.Maxrss) / 1024}
}

// interleave runs a then b, runs times, and returns each one's median.
func interleave(a, b func() usage) (usage, usage) {
	var as, bs []usage
	for i := 0; i < *runs; i++ {
		as = append(as, a())
		bs = append(bs, b())
	}
	return median(as), median(bs)
}

func median(us []usage) usage {
	pick := func(get func(usage) float64) float64 {
		v := make([]float64, len(us))
		for i, u := range us {
			v[i] = get(u)
		}
		sort.Float64s(v)
		return v[len(v)/2]
	}
	return usage{
		wall:     time.Duration(pick(func(u usage) float64 { return float64(u.wall) })),
		cpu:      time.Duration(pick(func(u usage) float64 { return float64(u.cpu) })),
		maxRSSMB: pick(func(u usage) float64 { return u.maxRSSMB }),
	}
}

var exchangeLine = regexp.MustCompile(`(?m)^\S+ #\d+ `)

// roundTrips counts the HTTP exchanges a command makes, from its debug log.
func roundTrips(env []string, dir string, argv ...string) int {
	log := filepath.Join(dir, "count.log")
	_ = os.Remove(log)
	run(env, append(argv, "--debug-log", log)...)
	data, err := os.ReadFile(log)
	check(err)
	return len(exchangeLine.FindAll(data, -1))
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

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
		fail("check -o json printed no traffic:\n%s", js)
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
	fail("%v never showed %q", argv, want)
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
			fail("the Apps tab never showed %q", want)
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
		fail("key benchmark: %v\n%s", err, out)
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
		fail("the key benchmark printed no figures:\n%s", out)
	}
	return figs
}

func printTable(figs []figure) {
	fmt.Printf("%-46s %12s %12s  %-34s %7s  %-16s %s\n", "figure", "oauthdeck", "baseline", "baseline is", "ratio", "goal", "")
	met := 0
	for _, f := range figs {
		if f.unit == "" {
			fmt.Printf("%-46s %s\n", f.name, f.note)
			continue
		}
		ratio, base, goal := "", "", ""
		if f.baseline > 0 {
			base = fmt.Sprintf("%.2f %s", f.baseline, f.unit)
			ratio = fmt.Sprintf("%.2f×", f.value/f.baseline)
		}
		switch {
		case f.ratioGoal > 0:
			goal = fmt.Sprintf("≤ %.2f×", f.ratioGoal)
		case f.absMax > 0:
			goal = fmt.Sprintf("< %g %s", f.absMax, f.unit)
		}
		verdict := ""
		if goal != "" {
			verdict = "NOT MET"
			if f.met() {
				verdict, met = "met", met+1
			}
		}
		if f.note != "" {
			verdict += " (" + f.note + ")"
		}
		fmt.Printf("%-46s %12s %12s  %-34s %7s  %-16s %s\n", f.name, fmt.Sprintf("%.2f %s", f.value, f.unit), base, f.baselineName, ratio, goal, verdict)
	}
	goals := 0
	for _, f := range figs {
		if f.ratioGoal > 0 || f.absMax > 0 {
			goals++
		}
	}
	fmt.Printf("\n%d of %d goals met (medians of %d interleaved runs; CPU and RSS from the kernel's rusage)\n", met, goals, *runs)
}

func check(err error) {
	if err != nil {
		fail("%v", err)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
	os.Exit(1)
}
