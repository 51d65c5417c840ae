package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/leadnudge/leadnudge/deploy"
)

func TestManifestCommandPrintsEmbeddedManifest(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"manifest"}, strings.NewReader(""), &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d; stderr %q", code, errOut.String())
	}
	if !bytes.Equal(out.Bytes(), deploy.Manifest()) {
		t.Errorf("stdout differs from deploy.Manifest():\n%s", out.String())
	}
	if errOut.Len() != 0 {
		t.Errorf("unexpected stderr %q", errOut.String())
	}
}

func TestManifestCommandRejectsArguments(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"manifest", "extra"}, strings.NewReader(""), &out, &errOut); code == 0 {
		t.Fatalf("exit 0 with an unexpected argument; stdout %q", out.String())
	}
}
