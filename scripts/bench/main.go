// Command bench measures oauthdeck's performance figures, each next to a
// baseline measured in the same run on the same machine, and says whether
// each goal of the performance issue is met. It is not part of the test
// suite: run it with scripts/bench.sh (a few minutes).
//
// Every timed figure is the median of several runs, interleaved with its
// baseline's runs so that a machine that slows down slows both.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
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
	failed            bool // its command failed: a goal not met
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
		figs = append(figs, attempt("--version", func() []figure { return startFigures(bin) })...)
	}
	if want("status") || want("check") || want("frame") {
		sb := startSandbox(bin.oauthdeck, "--rate-limit", "-1")
		if want("status") {
			figs = append(figs, attempt("status", func() []figure { return []figure{statusFigure(bin, sb, dir)} })...)
		}
		if want("check") {
			figs = append(figs, attempt("check", func() []figure { return []figure{checkFigure(bin, sb, dir)} })...)
		}
		if want("frame") {
			figs = append(figs, attempt("TUI first frame", func() []figure { return firstFrameFigures(bin, sb) })...)
		}
		sb.stop()
	}
	if want("list") || want("tui") {
		big := startSandbox(bin.oauthdeck, "--rate-limit", "-1", "--seed-apps", strconv.Itoa(*scale))
		if want("list") {
			figs = append(figs, attempt("apps list -o json", func() []figure { return listFigures(bin, big) })...)
		}
		if want("tui") {
			figs = append(figs, attempt("TUI with every app", func() []figure { return tuiScaleFigures(bin, big) })...)
		}
		big.stop()
	}
	if want("keys") {
		figs = append(figs, attempt("TUI keys", keyFigures)...)
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
		if f.ratioGoal > 0 || f.absMax > 0 || f.failed {
			goals++
		}
	}
	fmt.Printf("\n%d of %d goals met (medians of %d interleaved runs; CPU and RSS from the kernel's rusage)\n", met, goals, *runs)
}

// failure is a figure's command failing: the figure says so and the run
// goes on (an older build may lack what a figure needs).
type failure struct{ msg string }

func broke(format string, args ...any) { panic(failure{fmt.Sprintf(format, args...)}) }

// attempt runs one group of figures; a failure becomes a row that says it.
func attempt(name string, f func() []figure) (figs []figure) {
	defer func() {
		if r := recover(); r != nil {
			fl, ok := r.(failure)
			if !ok {
				panic(r)
			}
			figs = []figure{{name: name, note: "FAILED: " + fl.msg, failed: true}}
		}
	}()
	return f()
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], " | ")
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
