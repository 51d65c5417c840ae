// Package deploy holds leadnudge's deployment material: the Slack app
// manifest (slack-app-manifest.yaml), a Docker Compose file with PostgreSQL
// (docker-compose.yaml) and a small Kubernetes example (kubernetes.yaml).
//
// The only Go in it embeds the manifest so the binary can print it with
// `leadnudge manifest` (go:embed cannot reach outside a package's folder),
// plus tests that keep the YAML files, the repository's Dockerfile and the
// configuration keys (package config) in agreement.
package deploy
