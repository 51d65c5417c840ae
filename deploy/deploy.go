package deploy

import (
	_ "embed"
	"slices"
)

// manifest is slack-app-manifest.yaml, embedded at build time.
//
//go:embed slack-app-manifest.yaml
var manifest []byte

// Manifest returns the Slack app manifest (deploy/slack-app-manifest.yaml)
// exactly as it is in the repository. The slice is a fresh copy, so callers
// may modify it.
func Manifest() []byte {
	return slices.Clone(manifest)
}
