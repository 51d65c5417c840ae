package loadtest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// usage adds up the CPU time and the peak RSS of every process of one
// target (all replicas, every incarnation), from wait4's rusage.
type usage struct {
	mu         sync.Mutex
	cpu        time.Duration
	peakRSSKB  int64
	started    int
	unexpected []string
}

func (u *usage) add(ps *os.ProcessState) {
	if ps == nil {
		return
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	u.cpu += ps.UserTime() + ps.SystemTime()
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok && ru.Maxrss > u.peakRSSKB {
		u.peakRSSKB = ru.Maxrss // kilobytes on Linux
	}
}

func (u *usage) noteUnexpected(s string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.unexpected = append(u.unexpected, s)
}

func (u *usage) snapshot() (cpu time.Duration, rssKB int64, started int, unexpected []string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.cpu, u.peakRSSKB, u.started, append([]string(nil), u.unexpected...)
}

// proc is one child process.
type proc struct {
	name     string
	cmd      *exec.Cmd
	done     chan struct{}
	logPath  string
	mu       sync.Mutex
	stopping bool
}

// startProc starts argv with env in dir, its output appended to logPath.
// The child gets SIGKILL if the harness dies, so nothing outlives a run.
func startProc(name string, argv, env []string, dir, logPath string, u *usage) (*proc, error) {
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	cmd.Dir = dir
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, done: make(chan struct{}), logPath: logPath}
	u.mu.Lock()
	u.started++
	u.mu.Unlock()
	go func() {
		err := cmd.Wait()
		logf.Close()
		u.add(cmd.ProcessState)
		p.mu.Lock()
		stopping := p.stopping
		p.mu.Unlock()
		if !stopping {
			u.noteUnexpected(fmt.Sprintf("%s exited by itself (%v); last log lines: %s", name, err, tail(logPath, 3)))
		}
		close(p.done)
	}()
	return p, nil
}

// signal sends sig and waits up to timeout for the exit, then SIGKILLs.
func (p *proc) signal(sig syscall.Signal, timeout time.Duration) {
	p.mu.Lock()
	p.stopping = true
	p.mu.Unlock()
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(sig)
	select {
	case <-p.done:
	case <-time.After(timeout):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// stop ends the process gracefully (SIGTERM, then SIGKILL after 15 s).
func (p *proc) stop() { p.signal(syscall.SIGTERM, 15*time.Second) }

// kill ends the process at once, as a crash would.
func (p *proc) kill() { p.signal(syscall.SIGKILL, 5*time.Second) }

// tail returns the last n lines of a log file, joined with " | " and capped.
func tail(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return "(no log)"
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if len(lines) > n {
			lines = lines[1:]
		}
	}
	s := strings.Join(lines, " | ")
	if len(s) > 600 {
		s = s[len(s)-600:]
	}
	return s
}

// childEnv is the harness's environment without any LEADNUDGE_ or SLACK_
// variable (so a real token or config never leaks into a test replica),
// plus extra.
func childEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "LEADNUDGE_") || strings.HasPrefix(kv, "SLACK_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

// runShell runs a shell command with a time limit and returns the tail of
// its output on failure. The output goes to a file, not a pipe: a command
// that starts a server (pg_ctl restart) leaves it holding its stdout, and a
// pipe would then never close.
func runShell(ctx context.Context, command string, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	f, err := os.CreateTemp("", "leadnudge-loadtest-cmd-*.log")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	cmd := exec.CommandContext(ctx, "sh", "-c", command)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		return errors.Join(err, errors.New(tail(f.Name(), 5)))
	}
	return nil
}
