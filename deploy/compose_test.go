package deploy_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/leadnudge/leadnudge/config"
)

// configEnvNames is the set of environment variable names leadnudge reads.
func configEnvNames(t *testing.T) map[string]bool {
	t.Helper()
	names := map[string]bool{}
	for _, k := range config.Keys() {
		names[k.Env] = true
	}
	if len(names) == 0 {
		t.Fatal("config.Keys() is empty")
	}
	return names
}

// leadnudgeEnvRef finds every LEADNUDGE_* name in a file: environment keys,
// ${…} substitutions and names in comments alike.
var leadnudgeEnvRef = regexp.MustCompile(`\b` + config.EnvPrefix + `_[A-Z0-9_]+\b`)

// checkEnvNames fails for every LEADNUDGE_* name in text that is not a key.
func checkEnvNames(t *testing.T, file, text string) {
	t.Helper()
	known := configEnvNames(t)
	for _, name := range leadnudgeEnvRef.FindAllString(text, -1) {
		if !known[name] && name != config.ConfigEnv {
			t.Errorf("%s: %s is not a configuration key's environment name (config.Keys())", file, name)
		}
	}
}

type composeFile struct {
	Services map[string]struct {
		Image string `yaml:"image"`
		Build *struct {
			Context    string `yaml:"context"`
			Dockerfile string `yaml:"dockerfile"`
		} `yaml:"build"`
		Environment map[string]string `yaml:"environment"`
		Ports       []string          `yaml:"ports"`
		Volumes     []string          `yaml:"volumes"`
		DependsOn   map[string]struct {
			Condition string `yaml:"condition"`
		} `yaml:"depends_on"`
		Healthcheck *struct {
			Test []string `yaml:"test"`
		} `yaml:"healthcheck"`
		Deploy *struct {
			Replicas int `yaml:"replicas"`
		} `yaml:"deploy"`
	} `yaml:"services"`
	Volumes map[string]any `yaml:"volumes"`
}

func TestCompose(t *testing.T) {
	b, err := os.ReadFile("docker-compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var c composeFile
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatalf("docker-compose.yaml: %v", err)
	}
	checkEnvNames(t, "docker-compose.yaml", string(b))

	pg, ok := c.Services["postgres"]
	if !ok {
		t.Fatal("no postgres service")
	}
	if !strings.HasPrefix(pg.Image, "postgres:16") {
		t.Errorf("postgres image %q, want postgres:16", pg.Image)
	}
	if len(pg.Ports) != 0 {
		t.Errorf("postgres publishes ports %v; it must only be reachable on the compose network", pg.Ports)
	}
	if pg.Healthcheck == nil || !strings.Contains(strings.Join(pg.Healthcheck.Test, " "), "pg_isready") {
		t.Error("postgres needs a pg_isready healthcheck")
	}
	if len(pg.Volumes) != 1 {
		t.Fatalf("postgres volumes %v, want one named volume", pg.Volumes)
	}
	vol, _, _ := strings.Cut(pg.Volumes[0], ":")
	if _, ok := c.Volumes[vol]; !ok {
		t.Errorf("postgres volume %q is not a named volume declared under volumes:", vol)
	}

	ln, ok := c.Services["leadnudge"]
	if !ok {
		t.Fatal("no leadnudge service")
	}
	if ln.Build == nil || ln.Build.Context != ".." || ln.Build.Dockerfile != "Dockerfile" {
		t.Errorf("leadnudge build %+v, want context .. and the repository's Dockerfile", ln.Build)
	}
	if _, err := os.Stat("../Dockerfile"); err != nil {
		t.Error(err)
	}
	if d, ok := ln.DependsOn["postgres"]; !ok || d.Condition != "service_healthy" {
		t.Error("leadnudge must depend on postgres being healthy")
	}
	env := ln.Environment
	if env["LEADNUDGE_STORE_DRIVER"] != "postgres" {
		t.Errorf("LEADNUDGE_STORE_DRIVER = %q, want postgres", env["LEADNUDGE_STORE_DRIVER"])
	}
	if dsn := env["LEADNUDGE_STORE_DSN"]; dsn != "postgres://leadnudge:${POSTGRES_PASSWORD:?set it}@postgres:5432/leadnudge?sslmode=disable" {
		t.Errorf("LEADNUDGE_STORE_DSN = %q", dsn)
	}
	for _, tok := range []string{"LEADNUDGE_SLACK_BOT_TOKEN", "LEADNUDGE_SLACK_APP_TOKEN"} {
		if v := env[tok]; !strings.HasPrefix(v, "${"+tok+":?") {
			t.Errorf("%s = %q, want it required from the environment: ${%s:?…}", tok, v, tok)
		}
	}
	if len(ln.Ports) == 0 {
		t.Error("leadnudge publishes no metrics port")
	}
	for _, p := range ln.Ports {
		if !strings.HasPrefix(p, "127.0.0.1:") || !strings.HasSuffix(p, ":9090") {
			t.Errorf("port %q: publish 9090 on the host's loopback only", p)
		}
	}
	if ln.Deploy == nil || ln.Deploy.Replicas < 1 || ln.Deploy.Replicas > 10 {
		t.Errorf("leadnudge deploy.replicas must be 1..10 (Slack's Socket Mode connection limit)")
	}
	known := configEnvNames(t)
	for name := range env {
		if !known[name] {
			t.Errorf("leadnudge environment %s is not a configuration key (config.Keys())", name)
		}
	}
}
