package deploy_test

import (
	"bytes"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leadnudge/leadnudge/deploy"
)

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	line int    // 1-based line where it starts
	cmd  string // upper case: FROM, RUN, …
	args string
}

// stage is the instructions from one FROM up to the next.
type stage struct {
	from  string // the FROM arguments
	instr []instruction
}

func (s stage) all(cmd string) []instruction {
	var out []instruction
	for _, in := range s.instr {
		if in.cmd == cmd {
			out = append(out, in)
		}
	}
	return out
}

// index returns the position of the first instruction cmd whose arguments
// contain sub, or -1.
func (s stage) index(cmd, sub string) int {
	for i, in := range s.instr {
		if in.cmd == cmd && strings.Contains(in.args, sub) {
			return i
		}
	}
	return -1
}

// parseDockerfile is a small Dockerfile reader: comments, blank lines and
// backslash continuations, enough for the invariants below.
func parseDockerfile(t *testing.T, text string) []stage {
	t.Helper()
	var stages []stage
	var cur strings.Builder
	start := 0
	flush := func() {
		s := strings.TrimSpace(cur.String())
		cur.Reset()
		if s == "" {
			return
		}
		cmd, args, _ := strings.Cut(s, " ")
		in := instruction{line: start, cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args)}
		if in.cmd == "FROM" {
			stages = append(stages, stage{from: in.args})
			return
		}
		if len(stages) == 0 {
			if in.cmd != "ARG" {
				t.Fatalf("Dockerfile:%d: %s before the first FROM", in.line, in.cmd)
			}
			return
		}
		stages[len(stages)-1].instr = append(stages[len(stages)-1].instr, in)
	}
	for i, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#") || (trimmed == "" && cur.Len() == 0) {
			continue
		}
		if cur.Len() == 0 {
			start = i + 1
		}
		if body, ok := strings.CutSuffix(trimmed, `\`); ok {
			cur.WriteString(body + " ")
			continue
		}
		cur.WriteString(trimmed)
		flush()
	}
	flush()
	return stages
}

func readDockerfile(t *testing.T) []stage {
	t.Helper()
	b, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	return parseDockerfile(t, string(b))
}

// goBuildRun returns the build stage's RUN instruction that builds the binary.
func goBuildRun(t *testing.T, build stage) string {
	t.Helper()
	for _, in := range build.all("RUN") {
		if strings.Contains(in.args, "go build") {
			return in.args
		}
	}
	t.Fatal("build stage has no RUN … go build")
	return ""
}

// envAssignments parses the KEY=VALUE pairs of every ENV instruction.
func envAssignments(t *testing.T, s stage) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, in := range s.all("ENV") {
		for _, f := range strings.Fields(in.args) {
			k, v, ok := strings.Cut(f, "=")
			if !ok {
				t.Fatalf("Dockerfile:%d: use the ENV KEY=VALUE form", in.line)
			}
			out[k] = strings.Trim(v, `"`)
		}
	}
	return out
}

func TestDockerfileInvariants(t *testing.T) {
	stages := readDockerfile(t)
	if len(stages) < 2 {
		t.Fatalf("%d stage(s): want a multi-stage build", len(stages))
	}
	build, final := stages[0], stages[len(stages)-1]

	if !strings.HasPrefix(build.from, "golang:1.26-bookworm") || !strings.Contains(build.from, " AS build") {
		t.Errorf("build stage FROM %q, want golang:1.26-bookworm AS build", build.from)
	}
	// Modules are downloaded from go.mod/go.sum alone, before the sources are
	// copied, so that layer stays cached across source edits.
	mods, dl, src := build.index("COPY", "go.mod go.sum"), build.index("RUN", "go mod download"), build.index("COPY", ". .")
	if mods < 0 || dl < 0 || src < 0 || !(mods < dl && dl < src) {
		t.Errorf("want COPY go.mod go.sum, RUN go mod download, COPY . . in that order; got positions %d, %d, %d", mods, dl, src)
	}
	run := goBuildRun(t, build)
	for _, want := range []string{"CGO_ENABLED=0 go build", "-trimpath", `-ldflags "-s -w -X main.version=${VERSION}"`, "-o /out/leadnudge", "./cmd/leadnudge"} {
		if !strings.Contains(run, want) {
			t.Errorf("build command %q lacks %q", run, want)
		}
	}
	if build.index("ARG", "VERSION") < 0 {
		t.Error("build stage must declare ARG VERSION")
	}

	if f := final.from; f != "gcr.io/distroless/static-debian12:nonroot" && f != "scratch" {
		t.Errorf("final stage FROM %q: want distroless static (nonroot) or scratch", f)
	}
	if final.index("COPY", "--from=build /out/leadnudge /leadnudge") < 0 {
		t.Error("final stage must copy the binary from the build stage to /leadnudge")
	}
	users := final.all("USER")
	if len(users) == 0 {
		t.Fatal("final stage has no USER: the container would run as root")
	}
	if u, _, _ := strings.Cut(users[len(users)-1].args, ":"); u == "root" || u == "0" || u == "" {
		t.Errorf("final USER %q is root", users[len(users)-1].args)
	}
	if final.index("VOLUME", "/data") < 0 {
		t.Error("final stage must declare VOLUME /data")
	}
	if final.index("EXPOSE", "9090") < 0 {
		t.Error("final stage must EXPOSE 9090")
	}
	if e := final.all("ENTRYPOINT"); len(e) != 1 || e[0].args != `["/leadnudge"]` {
		t.Errorf("ENTRYPOINT = %v, want [\"/leadnudge\"]", e)
	}
	if c := final.all("CMD"); len(c) != 1 || c[0].args != `["run"]` {
		t.Errorf("CMD = %v, want [\"run\"]", c)
	}
	if len(final.all("HEALTHCHECK")) != 0 {
		t.Error("HEALTHCHECK cannot run on distroless (no shell); use the orchestrator's HTTP probes")
	}

	env := envAssignments(t, final)
	known := configEnvNames(t)
	for k := range env {
		if !known[k] {
			t.Errorf("ENV %s is not a configuration key (config.Keys())", k)
		}
	}
	if dsn := env["LEADNUDGE_STORE_DSN"]; !strings.HasPrefix(dsn, "/data/") {
		t.Errorf("LEADNUDGE_STORE_DSN = %q, want a file on the /data volume", dsn)
	}
	if l := env["LEADNUDGE_HTTP_LISTEN"]; !strings.HasSuffix(l, ":9090") {
		t.Errorf("LEADNUDGE_HTTP_LISTEN = %q, want port 9090 (EXPOSE)", l)
	}
	if l := env["LEADNUDGE_HTTP_LISTEN"]; !strings.HasPrefix(l, "127.") && env["LEADNUDGE_HTTP_ALLOW_NON_LOOPBACK"] != "true" {
		t.Error("a non-loopback LEADNUDGE_HTTP_LISTEN needs LEADNUDGE_HTTP_ALLOW_NON_LOOPBACK=true")
	}
}

func TestParseDockerfileContinuations(t *testing.T) {
	stages := parseDockerfile(t, "ARG X\nFROM a AS b\n# c\nENV A=1 \\\n    # a comment inside a continuation is dropped, as Docker does\n    B=2\nRUN x\n\nFROM c\nUSER u\n")
	if len(stages) != 2 || stages[0].from != "a AS b" || stages[1].from != "c" {
		t.Fatalf("stages %+v", stages)
	}
	env := envAssignments(t, stages[0])
	if env["A"] != "1" || env["B"] != "2" || len(env) != 2 {
		t.Errorf("env %v", env)
	}
}

// TestDockerfileBuildCommand runs the Dockerfile's own go build command (with
// VERSION=test) on this machine, since there may be no Docker engine to run
// the image build, and checks the static binary it makes.
func TestDockerfileBuildCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the whole binary; skipped with -short")
	}
	// go test puts its own GOROOT/bin first on the PATH.
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not on PATH")
	}
	run := goBuildRun(t, readDockerfile(t)[0])
	out := filepath.Join(t.TempDir(), "leadnudge")
	run = strings.Replace(run, "-o /out/leadnudge", "-o "+out, 1)
	run = strings.Replace(run, "go build", goBin+" build", 1)

	cmd := exec.Command("sh", "-c", run)
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), "VERSION=test")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", run, err, b)
	}
	got, err := exec.Command(out, "version").CombinedOutput()
	if err != nil || strings.TrimSpace(string(got)) != "leadnudge test" {
		t.Errorf("leadnudge version: %q, %v; want \"leadnudge test\"", got, err)
	}
	got, err = exec.Command(out, "manifest").Output()
	if err != nil || !bytes.Equal(got, deploy.Manifest()) {
		t.Errorf("leadnudge manifest from the built binary differs from the embedded manifest (%v)", err)
	}
	// A static binary has no program interpreter (PT_INTERP): "not a dynamic
	// executable" for ldd, which is what runs on distroless/static.
	if b, err := os.ReadFile(out); err == nil && bytes.Contains(b[:min(len(b), 4096)], []byte("/lib64/ld-linux")) {
		t.Error("binary asks for a dynamic loader; CGO_ENABLED=0 did not take effect")
	}
}

// dockerignored reports whether a .dockerignore pattern list excludes name
// (a slash-separated path relative to the build context). It covers the
// subset of the syntax the file uses: leading "/", "**/" prefixes, globs and
// directory prefixes; "!" exceptions are rejected by the test.
func dockerignored(patterns []string, name string) bool {
	parts := strings.Split(name, "/")
	for _, p := range patterns {
		p = strings.TrimPrefix(p, "/")
		anyDepth := strings.HasPrefix(p, "**/")
		p = strings.TrimPrefix(p, "**/")
		for i := range parts {
			if i > 0 && !anyDepth {
				break
			}
			for j := i + 1; j <= len(parts); j++ {
				if ok, _ := path.Match(p, strings.Join(parts[i:j], "/")); ok {
					return true // the file itself or a directory above it
				}
			}
		}
	}
	return false
}

func TestDockerignore(t *testing.T) {
	b, err := os.ReadFile("../.dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	var patterns []string
	for _, l := range strings.Split(string(b), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if strings.HasPrefix(l, "!") {
			t.Fatalf("exception pattern %q: teach dockerignored about it first", l)
		}
		patterns = append(patterns, l)
	}
	// What the image build needs, including every go:embed input.
	for _, keep := range []string{
		"go.mod", "go.sum", "cmd/leadnudge/main.go", "cmd/leadnudge/manifest.go",
		"deploy/deploy.go", "deploy/slack-app-manifest.yaml",
		"nudges/rules/builtin.yaml", "store/migrations/sqlite/0001_init.sql", "store/migrations/postgres/0001_init.sql",
		"playground/static/index.html", "playground/static/app.js", "playground/static/app.css",
	} {
		if dockerignored(patterns, keep) {
			t.Errorf("%s is excluded from the build context but the build needs it", keep)
		}
	}
	// Local state and secrets stay out of the image and the build context.
	for _, drop := range []string{".git/config", "leadnudge", "leadnudge.db", "data/leadnudge.db", "leadnudge.yaml", ".env", "x/node_modules/a.js"} {
		if !dockerignored(patterns, drop) {
			t.Errorf("%s is sent to the build context; add it to .dockerignore", drop)
		}
	}
}
