package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"time"
)

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
		broke("%v: %v: %s", argv, err, strings.TrimSpace(stderr.String()))
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
