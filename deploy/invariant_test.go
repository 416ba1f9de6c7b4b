package deploy_test

import (
	"errors"
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
)

const (
	httpPort   = 8080  // HTTP_ADDR: health, readiness, metrics
	intakePort = 8081  // INTAKE_ADDR, when the intake API is on
	nonroot    = 65532 // distroless's nonroot user
	// minGrace is the shortest terminationGracePeriodSeconds that lets the
	// bot finish its drain (about 8-10 s after SIGTERM).
	minGrace = 12
	// peakRSS is the bot's highest measured RSS (README, Performance); the
	// memory limit must be at least twice that.
	peakRSS = 36e6
	// placeholder marks every value in an example Secret.
	placeholder = "REPLACE-ME"
)

var (
	// secretVars are read from a Secret only, never written in a manifest.
	secretVars = []string{"SLACK_APP_TOKEN", "SLACK_BOT_TOKEN", "DATABASE_URL", "WEBHOOK_SECRET", "HUBSPOT_TOKEN"}
	// requiredSecretVars must reach the container.
	requiredSecretVars = secretVars[:3]
)

// check says every way the manifests break the deployment's invariants.
func (m manifests) check() error {
	if len(m.deployments) != 1 {
		return fmt.Errorf("want one Deployment, found %d", len(m.deployments))
	}
	d := m.deployments[0]
	c, err := botContainer(d)
	if err != nil {
		return err
	}
	return errors.Join(
		checkPod(d),
		checkProbes(c),
		checkSecurity(d.Spec.Template.Spec.SecurityContext, c),
		checkResources(c),
		m.checkAddresses(c),
		m.checkSecrets(c),
		m.checkServices(d, c),
		m.checkBudgets(d),
	)
}

// botContainer is the container named handoffbot.
func botContainer(d *appsv1.Deployment) (corev1.Container, error) {
	for _, c := range d.Spec.Template.Spec.Containers {
		if c.Name == "handoffbot" {
			if c.Image == "" {
				return c, errors.New("container handoffbot has no image")
			}
			return c, nil
		}
	}
	return corev1.Container{}, fmt.Errorf("Deployment %s has no container named handoffbot", d.Name)
}

// checkPod checks replicas, the selector and the grace period.
func checkPod(d *appsv1.Deployment) error {
	var errs []error
	if r := d.Spec.Replicas; r != nil && *r != 1 {
		errs = append(errs, fmt.Errorf("replicas is %d, want 1 by default", *r))
	}
	if !selects(d.Spec.Selector, d) {
		errs = append(errs, fmt.Errorf("Deployment %s's selector does not match its pod labels", d.Name))
	}
	if g := d.Spec.Template.Spec.TerminationGracePeriodSeconds; g != nil && *g < minGrace {
		errs = append(errs, fmt.Errorf("terminationGracePeriodSeconds is %d; the bot drains for up to 10 s, give it at least %d", *g, minGrace))
	}
	return errors.Join(errs...)
}

// selects says whether sel matches the labels of d's pods.
func selects(sel *metav1.LabelSelector, d *appsv1.Deployment) bool {
	s, err := metav1.LabelSelectorAsSelector(sel)
	return err == nil && sel != nil && !s.Empty() && s.Matches(labels.Set(d.Spec.Template.Labels))
}

// checkProbes wants liveness (and startup) on /healthz and readiness on
// /readyz, all on the HTTP_ADDR port.
func checkProbes(c corev1.Container) error {
	errs := []error{
		checkProbe(c, "livenessProbe", c.LivenessProbe, "/healthz"),
		checkProbe(c, "readinessProbe", c.ReadinessProbe, "/readyz"),
	}
	if c.StartupProbe != nil {
		errs = append(errs, checkProbe(c, "startupProbe", c.StartupProbe, "/healthz"))
	}
	return errors.Join(errs...)
}

func checkProbe(c corev1.Container, name string, p *corev1.Probe, path string) error {
	if p == nil {
		return fmt.Errorf("%s: missing", name)
	}
	if p.HTTPGet == nil {
		return fmt.Errorf("%s: want an HTTP GET of %s", name, path)
	}
	if p.HTTPGet.Path != path || containerPort(c, p.HTTPGet.Port) != httpPort {
		return fmt.Errorf("%s: GET %s on port %s, want %s on %d", name, p.HTTPGet.Path, p.HTTPGet.Port.String(), path, httpPort)
	}
	return nil
}

// containerPort is the number port stands for in c (a name resolved
// against c's ports); 0 if none.
func containerPort(c corev1.Container, port intstr.IntOrString) int32 {
	if port.Type == intstr.Int {
		return port.IntVal
	}
	for _, p := range c.Ports {
		if p.Name == port.StrVal {
			return p.ContainerPort
		}
	}
	return 0
}

// checkSecurity wants a non-root user, a read-only root, no privilege
// escalation, no capabilities and the runtime's seccomp profile; container
// settings win over the pod's, as in Kubernetes.
func checkSecurity(pod *corev1.PodSecurityContext, c corev1.Container) error {
	if pod == nil {
		pod = &corev1.PodSecurityContext{}
	}
	sc := c.SecurityContext
	if sc == nil {
		sc = &corev1.SecurityContext{}
	}
	var errs []error
	if !isTrue(first(sc.RunAsNonRoot, pod.RunAsNonRoot)) {
		errs = append(errs, errors.New("runAsNonRoot must be true"))
	}
	if u := first(sc.RunAsUser, pod.RunAsUser); u == nil || *u != nonroot {
		errs = append(errs, fmt.Errorf("runAsUser must be %d (distroless nonroot)", nonroot))
	}
	if !isTrue(sc.ReadOnlyRootFilesystem) {
		errs = append(errs, errors.New("readOnlyRootFilesystem must be true"))
	}
	if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation || isTrue(sc.Privileged) {
		errs = append(errs, errors.New("allowPrivilegeEscalation must be false (and privileged unset)"))
	}
	if caps := sc.Capabilities; caps == nil || len(caps.Add) > 0 || len(caps.Drop) != 1 || caps.Drop[0] != "ALL" {
		errs = append(errs, errors.New("capabilities must drop ALL and add none"))
	}
	if p := first(sc.SeccompProfile, pod.SeccompProfile); p == nil || p.Type != corev1.SeccompProfileTypeRuntimeDefault {
		errs = append(errs, errors.New("seccompProfile must be RuntimeDefault"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("container %s security: %w", c.Name, err)
	}
	return nil
}

// first is the container's setting if it has one, else the pod's.
func first[T any](container, pod *T) *T {
	if container != nil {
		return container
	}
	return pod
}

func isTrue(b *bool) bool { return b != nil && *b }

// checkResources wants requests and limits of CPU and memory, each limit
// at least its request, and memory headroom over the measured peak.
func checkResources(c corev1.Container) error {
	var errs []error
	for _, name := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		req, hasReq := c.Resources.Requests[name]
		limit, hasLimit := c.Resources.Limits[name]
		switch {
		case !hasReq || req.IsZero():
			errs = append(errs, fmt.Errorf("resources: requests.%s is not set", name))
		case !hasLimit || limit.IsZero():
			errs = append(errs, fmt.Errorf("resources: limits.%s is not set", name))
		case limit.Cmp(req) < 0:
			errs = append(errs, fmt.Errorf("resources: limits.%s %s is under the request %s", name, limit.String(), req.String()))
		}
	}
	if limit, ok := c.Resources.Limits[corev1.ResourceMemory]; ok && limit.Cmp(*resource.NewQuantity(2*peakRSS, resource.DecimalSI)) < 0 {
		errs = append(errs, fmt.Errorf("resources: limits.memory %s is under twice the measured peak RSS (%d MB)", limit.String(), int(peakRSS/1e6)))
	}
	return errors.Join(errs...)
}

// checkAddresses wants the endpoint on every interface of the pod at the
// probes' port, and the intake API's address and port to agree.
func (m manifests) checkAddresses(c corev1.Container) error {
	var errs []error
	if addr, _ := m.envValue(c, "HTTP_ADDR"); addr != fmt.Sprintf(":%d", httpPort) {
		errs = append(errs, fmt.Errorf("HTTP_ADDR is %q, want \":%d\"", addr, httpPort))
	}
	if !hasPort(c, "http", httpPort) {
		errs = append(errs, fmt.Errorf("container %s has no port %d named http", c.Name, httpPort))
	}
	intake, on := m.envValue(c, "INTAKE_ADDR")
	on = on && intake != ""
	switch {
	case on && intake != fmt.Sprintf(":%d", intakePort):
		errs = append(errs, fmt.Errorf("INTAKE_ADDR is %q, want \":%d\" (the intake port)", intake, intakePort))
	case on && !hasPort(c, "intake", intakePort):
		errs = append(errs, fmt.Errorf("INTAKE_ADDR is %q but the container has no port %d named intake", intake, intakePort))
	case !on && containerPort(c, intstr.FromString("intake")) != 0:
		errs = append(errs, errors.New("the container declares an intake port but INTAKE_ADDR is not set"))
	}
	return errors.Join(errs...)
}

func hasPort(c corev1.Container, name string, number int32) bool {
	return containerPort(c, intstr.FromString(name)) == number
}

// envValue is the literal value of the container's variable name, from
// env or from a ConfigMap through envFrom (env wins, as in Kubernetes).
func (m manifests) envValue(c corev1.Container, name string) (string, bool) {
	for _, e := range c.Env {
		if e.Name == name {
			return e.Value, e.ValueFrom == nil
		}
	}
	for i := len(c.EnvFrom) - 1; i >= 0; i-- { // the last source wins
		from := c.EnvFrom[i]
		key, ok := strings.CutPrefix(name, from.Prefix)
		if !ok || from.ConfigMapRef == nil {
			continue
		}
		if cm := m.configMap(from.ConfigMapRef.Name); cm != nil {
			if v, ok := cm.Data[key]; ok {
				return v, true
			}
		}
	}
	return "", false
}

func (m manifests) configMap(name string) *corev1.ConfigMap {
	for _, cm := range m.configMaps {
		if cm.Name == name {
			return cm
		}
	}
	return nil
}

func (m manifests) secret(name string) *corev1.Secret {
	for _, s := range m.secrets {
		if s.Name == name {
			return s
		}
	}
	return nil
}
