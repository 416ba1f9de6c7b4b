// Package deploy_test checks the Kubernetes example in this directory: each
// manifest decodes strictly into the Kubernetes API types, and together they
// keep the bot's deployment invariants. It is test-only, so the Kubernetes
// modules never reach the handoffbot binary.
package deploy_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// manifests are the decoded objects of one or more YAML files, by kind.
type manifests struct {
	deployments []*appsv1.Deployment
	services    []*corev1.Service
	configMaps  []*corev1.ConfigMap
	secrets     []*corev1.Secret
	budgets     []*policyv1.PodDisruptionBudget
}

// strictDecoder decodes the kinds the example may use, refusing unknown
// and duplicate fields (case-sensitively, as the API server does) and
// unknown kinds.
func strictDecoder(t *testing.T) runtime.Decoder {
	t.Helper()
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{corev1.AddToScheme, appsv1.AddToScheme, policyv1.AddToScheme} {
		if err := add(scheme); err != nil {
			t.Fatal(err)
		}
	}
	return serializer.NewCodecFactory(scheme, serializer.EnableStrict).UniversalDeserializer()
}

// add decodes every document of a multi-document YAML file into m.
func (m *manifests) add(dec runtime.Decoder, name string, data []byte) error {
	docs := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for i := 1; ; i++ {
		doc, err := docs.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: document %d: %w", name, i, err)
		}
		if asJSON, err := yaml.YAMLToJSON(doc); err == nil && string(asJSON) == "null" {
			continue // only comments
		}
		obj, _, err := dec.Decode(doc, nil, nil)
		if err != nil {
			return fmt.Errorf("%s: document %d: %w", name, i, err)
		}
		if err := m.keep(obj); err != nil {
			return fmt.Errorf("%s: document %d: %w", name, i, err)
		}
	}
}

// keep files obj under its kind.
func (m *manifests) keep(obj runtime.Object) error {
	switch o := obj.(type) {
	case *appsv1.Deployment:
		m.deployments = append(m.deployments, o)
	case *corev1.Service:
		m.services = append(m.services, o)
	case *corev1.ConfigMap:
		m.configMaps = append(m.configMaps, o)
	case *corev1.Secret:
		m.secrets = append(m.secrets, o)
	case *policyv1.PodDisruptionBudget:
		m.budgets = append(m.budgets, o)
	default:
		return fmt.Errorf("%T has no checks here; add them before using it", obj)
	}
	return nil
}

// mustRead is a file of this directory.
func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// Every manifest shipped here decodes strictly and the set keeps the
// invariants.
func TestManifestsAreValid(t *testing.T) {
	files, err := filepath.Glob("*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 2 {
		t.Fatalf("found %v; want the bot's manifests and the Secret example", files)
	}
	dec := strictDecoder(t)
	var m manifests
	for _, name := range files {
		if err := m.add(dec, name, mustRead(t, name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.check(); err != nil {
		t.Error(err)
	}
}

// A broken manifest fails: each case edits the shipped files once and
// expects the named complaint (or none, for the edits the comments ask for).
func TestBrokenManifestsAreRefused(t *testing.T) {
	shipped := string(mustRead(t, "handoffbot.yaml")) + "---\n" + string(mustRead(t, "secret.example.yaml"))
	for name, tc := range map[string]struct {
		edits []string // pairs: old text (found exactly once), new text
		want  string   // part of the error; empty: valid
	}{
		"typo in a field name":         {[]string{"livenessProbe:", "livenesProbe:"}, `unknown field "spec.template.spec.containers[0].livenesProbe"`},
		"field name in the wrong case": {[]string{"readOnlyRootFilesystem: true", "ReadOnlyRootFilesystem: true"}, `unknown field`},
		"field twice":                  {[]string{"  replicas: 1\n", "  replicas: 1\n  replicas: 2\n"}, `key "replicas" already set`},
		"unknown kind":                 {[]string{"kind: PodDisruptionBudget", "kind: PodDisruptionBudgit"}, `no kind "PodDisruptionBudgit"`},
		"value of the wrong type":      {[]string{"terminationGracePeriodSeconds: 15", `terminationGracePeriodSeconds: "15s"`}, `terminationGracePeriodSeconds`},
		"liveness on /readyz": {[]string{"livenessProbe:\n            httpGet: {path: /healthz", "livenessProbe:\n            httpGet: {path: /readyz"},
			"livenessProbe: GET /readyz on port http, want /healthz on 8080"},
		"readiness on /healthz": {[]string{"httpGet: {path: /readyz, port: http}", "httpGet: {path: /healthz, port: http}"},
			"readinessProbe: GET /healthz on port http, want /readyz on 8080"},
		"readiness on another port": {[]string{"httpGet: {path: /readyz, port: http}", "httpGet: {path: /readyz, port: 8081}"},
			"readinessProbe: GET /readyz on port 8081, want /readyz on 8080"},
		"no liveness probe":             {[]string{"livenessProbe:\n            httpGet: {path: /healthz, port: http}\n            periodSeconds: 10\n            timeoutSeconds: 3\n            failureThreshold: 3\n", ""}, "livenessProbe: missing"},
		"HTTP_ADDR on loopback":         {[]string{`value: ":8080"`, `value: "127.0.0.1:8080"`}, `HTTP_ADDR is "127.0.0.1:8080", want ":8080"`},
		"may run as root":               {[]string{"runAsNonRoot: true", "runAsNonRoot: false"}, "runAsNonRoot must be true"},
		"root user":                     {[]string{"runAsUser: 65532", "runAsUser: 0"}, "runAsUser must be 65532"},
		"writable root":                 {[]string{"readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false"}, "readOnlyRootFilesystem must be true"},
		"privilege escalation":          {[]string{"allowPrivilegeEscalation: false", "allowPrivilegeEscalation: true"}, "allowPrivilegeEscalation must be false"},
		"capabilities kept":             {[]string{`drop: ["ALL"]`, `drop: ["NET_RAW"]`}, "capabilities must drop ALL"},
		"no seccomp profile":            {[]string{"type: RuntimeDefault", "type: Unconfined"}, "seccompProfile must be RuntimeDefault"},
		"no limits":                     {[]string{"            limits:\n              cpu: \"1\"\n              memory: 128Mi\n", ""}, "limits.cpu is not set"},
		"limit under request":           {[]string{"memory: 128Mi", "memory: 32Mi"}, "limits.memory 32Mi is under the request 64Mi"},
		"memory limit without headroom": {[]string{"memory: 128Mi", "memory: 64Mi"}, "limits.memory 64Mi is under twice the measured peak RSS (36 MB)"},
		"too short to drain":            {[]string{"terminationGracePeriodSeconds: 15", "terminationGracePeriodSeconds: 5"}, "terminationGracePeriodSeconds is 5"},
		"two replicas by default":       {[]string{"  replicas: 1\n", "  replicas: 2\n"}, "replicas is 2, want 1 by default"},
		"a token inline": {[]string{"- name: DATABASE_URL\n              valueFrom:\n                secretKeyRef: {name: handoffbot, key: DATABASE_URL}",
			"- name: DATABASE_URL\n              value: postgres://bot:hunter2@db/handoff"}, "DATABASE_URL is written in the Deployment"},
		"a token in the ConfigMap":            {[]string{`  TIMEZONE: "UTC"`, "  TIMEZONE: \"UTC\"\n  SLACK_BOT_TOKEN: \"xoxb-1\""}, "ConfigMap handoffbot holds SLACK_BOT_TOKEN"},
		"a real-looking token in the example": {[]string{`"xoxb-REPLACE-ME"`, `"xoxb-1234"`}, "Secret handoffbot: SLACK_BOT_TOKEN is not a REPLACE-ME placeholder"},
		"Secret missing":                      {[]string{"kind: Secret\nmetadata:\n  name: handoffbot", "kind: Secret\nmetadata:\n  name: other"}, `Secret "handoffbot" is not among the manifests`},
		"Service selects other pods": {[]string{"  type: ClusterIP\n  selector:\n    app.kubernetes.io/name: handoffbot", "  type: ClusterIP\n  selector:\n    app.kubernetes.io/name: other"},
			"Service handoffbot does not select the Deployment's pods"},
		"Service on the wrong port": {[]string{"      port: 8080\n      targetPort: http", "      port: 8080\n      targetPort: 9090"}, "Service handoffbot: port http targets 9090, want container port 8080"},
		"Service exposed outside":   {[]string{"type: ClusterIP", "type: LoadBalancer"}, "Service handoffbot is LoadBalancer"},
		"budget selects other pods": {[]string{"  maxUnavailable: 1\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: handoffbot", "  maxUnavailable: 1\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: other"},
			"PodDisruptionBudget handoffbot does not select the Deployment's pods"},
		"intake turned on as the comments say": {[]string{
			`# INTAKE_ADDR: ":8081"`, `INTAKE_ADDR: ":8081"`,
			"# - name: intake\n            #   containerPort: 8081", "- name: intake\n              containerPort: 8081",
			"# - name: intake\n    #   port: 8081\n    #   targetPort: intake", "- name: intake\n      port: 8081\n      targetPort: intake",
		}, ""},
		"intake address without its port": {[]string{`# INTAKE_ADDR: ":8081"`, `INTAKE_ADDR: ":8081"`}, `INTAKE_ADDR is ":8081" but the container has no port 8081 named intake`},
		"optional tokens filled in": {[]string{
			`# WEBHOOK_SECRET: "REPLACE-ME`, `WEBHOOK_SECRET: "REPLACE-ME`,
			`# HUBSPOT_TOKEN: "REPLACE-ME"`, `HUBSPOT_TOKEN: "REPLACE-ME"`,
		}, ""},
	} {
		t.Run(name, func(t *testing.T) {
			text := mustEdit(t, shipped, tc.edits)
			var m manifests
			err := m.add(strictDecoder(t), name, []byte(text))
			if err == nil {
				err = m.check()
			}
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("want valid, got: %v", err)
			case tc.want != "" && err == nil:
				t.Errorf("want an error containing %q, got none", tc.want)
			case tc.want != "" && !strings.Contains(err.Error(), tc.want):
				t.Errorf("want an error containing %q, got: %v", tc.want, err)
			}
		})
	}
}

// mustEdit applies old/new pairs to text; each old text must be there
// exactly once, so a case cannot pass by editing nothing.
func mustEdit(t *testing.T, text string, edits []string) string {
	t.Helper()
	if len(edits)%2 != 0 {
		t.Fatalf("edits come in pairs: %q", edits)
	}
	for i := 0; i < len(edits); i += 2 {
		if n := strings.Count(text, edits[i]); n != 1 {
			t.Fatalf("%q is in the manifests %d times, want once", edits[i], n)
		}
		text = strings.Replace(text, edits[i], edits[i+1], 1)
	}
	return text
}
