package deploy_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"

	"go.yaml.in/yaml/v3"
)

type k8sObject struct {
	APIVersion string            `yaml:"apiVersion"`
	Kind       string            `yaml:"kind"`
	StringData map[string]string `yaml:"stringData"`
	Spec       struct {
		Replicas int `yaml:"replicas"`
		Template struct {
			Spec struct {
				SecurityContext struct {
					RunAsNonRoot *bool `yaml:"runAsNonRoot"`
					RunAsUser    *int  `yaml:"runAsUser"`
				} `yaml:"securityContext"`
				Containers []struct {
					Name    string `yaml:"name"`
					EnvFrom []struct {
						SecretRef *struct {
							Name string `yaml:"name"`
						} `yaml:"secretRef"`
					} `yaml:"envFrom"`
					Env []struct {
						Name  string `yaml:"name"`
						Value string `yaml:"value"`
					} `yaml:"env"`
					Ports []struct {
						Name          string `yaml:"name"`
						ContainerPort int    `yaml:"containerPort"`
					} `yaml:"ports"`
					ReadinessProbe *k8sProbe `yaml:"readinessProbe"`
					LivenessProbe  *k8sProbe `yaml:"livenessProbe"`
					Resources      struct {
						Requests map[string]string `yaml:"requests"`
						Limits   map[string]string `yaml:"limits"`
					} `yaml:"resources"`
					SecurityContext struct {
						AllowPrivilegeEscalation *bool `yaml:"allowPrivilegeEscalation"`
					} `yaml:"securityContext"`
				} `yaml:"containers"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
	Metadata struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
}

type k8sProbe struct {
	HTTPGet struct {
		Path string `yaml:"path"`
		Port any    `yaml:"port"`
	} `yaml:"httpGet"`
}

func TestKubernetesExample(t *testing.T) {
	b, err := os.ReadFile("kubernetes.yaml")
	if err != nil {
		t.Fatal(err)
	}
	checkEnvNames(t, "kubernetes.yaml", string(b))

	objs := map[string]k8sObject{}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	for {
		var o k8sObject
		err := dec.Decode(&o)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("kubernetes.yaml: %v", err)
		}
		if o.Kind == "" || o.APIVersion == "" || o.Metadata.Name == "" {
			t.Fatalf("document without kind, apiVersion or metadata.name: %+v", o)
		}
		objs[o.Kind] = o
	}

	secret, ok := objs["Secret"]
	if !ok {
		t.Fatal("no Secret")
	}
	for _, k := range []string{"LEADNUDGE_SLACK_BOT_TOKEN", "LEADNUDGE_SLACK_APP_TOKEN", "LEADNUDGE_STORE_DSN"} {
		if _, ok := secret.StringData[k]; !ok {
			t.Errorf("Secret lacks %s", k)
		}
	}

	d, ok := objs["Deployment"]
	if !ok {
		t.Fatal("no Deployment")
	}
	if d.Spec.Replicas != 2 {
		t.Errorf("replicas %d, want 2", d.Spec.Replicas)
	}
	pod := d.Spec.Template.Spec
	if r := pod.SecurityContext.RunAsNonRoot; r == nil || !*r {
		t.Error("pod securityContext.runAsNonRoot must be true")
	}
	if u := pod.SecurityContext.RunAsUser; u == nil || *u == 0 {
		t.Error("pod securityContext.runAsUser must be a non-zero uid (the image's user is a name the kubelet cannot check)")
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(pod.Containers))
	}
	c := pod.Containers[0]
	if len(c.EnvFrom) == 0 || c.EnvFrom[0].SecretRef == nil || c.EnvFrom[0].SecretRef.Name != secret.Metadata.Name {
		t.Error("container must take its environment from the Secret")
	}
	env := map[string]string{}
	for _, e := range c.Env {
		env[e.Name] = e.Value
	}
	if env["LEADNUDGE_STORE_DRIVER"] != "postgres" {
		t.Error("several replicas need LEADNUDGE_STORE_DRIVER=postgres")
	}
	portByName := map[string]int{}
	for _, p := range c.Ports {
		portByName[p.Name] = p.ContainerPort
	}
	for name, probe := range map[string]struct {
		p    *k8sProbe
		path string
	}{"readinessProbe": {c.ReadinessProbe, "/readyz"}, "livenessProbe": {c.LivenessProbe, "/healthz"}} {
		if probe.p == nil {
			t.Errorf("no %s", name)
			continue
		}
		if probe.p.HTTPGet.Path != probe.path {
			t.Errorf("%s path %q, want %s", name, probe.p.HTTPGet.Path, probe.path)
		}
		port := probe.p.HTTPGet.Port
		if s, ok := port.(string); ok {
			port = portByName[s]
		}
		if port != 9090 {
			t.Errorf("%s port %v, want 9090", name, probe.p.HTTPGet.Port)
		}
	}
	for _, r := range []string{"cpu", "memory"} {
		if c.Resources.Requests[r] == "" || c.Resources.Limits[r] == "" {
			t.Errorf("resources: %s request and limit required", r)
		}
	}
	if a := c.SecurityContext.AllowPrivilegeEscalation; a == nil || *a {
		t.Error("container securityContext.allowPrivilegeEscalation must be false")
	}
}
