package deploy_test

import (
	"errors"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// checkServices wants at least one in-cluster Service that selects the
// bot's pods and reaches the endpoint's port (and the intake port, if it
// has one).
func (m manifests) checkServices(d *appsv1.Deployment, c corev1.Container) error {
	if len(m.services) == 0 {
		return errors.New("no Service for the health and metrics port")
	}
	var errs []error
	for _, s := range m.services {
		if !selects(&metav1.LabelSelector{MatchLabels: s.Spec.Selector}, d) {
			errs = append(errs, fmt.Errorf("Service %s does not select the Deployment's pods", s.Name))
		}
		if s.Spec.Type != "" && s.Spec.Type != corev1.ServiceTypeClusterIP {
			errs = append(errs, fmt.Errorf("Service %s is %s; keep health and metrics inside the cluster", s.Name, s.Spec.Type))
		}
		errs = append(errs, checkServicePorts(s, c))
	}
	return errors.Join(errs...)
}

// checkServicePorts wants a port named http at 8080 and, when there is
// one named intake, that it reaches the intake API's port.
func checkServicePorts(s *corev1.Service, c corev1.Container) error {
	want := map[string]int32{"http": httpPort, "intake": intakePort}
	var errs []error
	hasHTTP := false
	for _, p := range s.Spec.Ports {
		number, known := want[p.Name]
		if !known {
			continue
		}
		hasHTTP = hasHTTP || p.Name == "http"
		if p.Port != number || containerPort(c, p.TargetPort) != number {
			errs = append(errs, fmt.Errorf("Service %s: port %s targets %s, want container port %d", s.Name, p.Name, p.TargetPort.String(), number))
		}
	}
	if !hasHTTP {
		errs = append(errs, fmt.Errorf("Service %s has no port named http", s.Name))
	}
	return errors.Join(errs...)
}

// checkBudgets wants every PodDisruptionBudget to cover the bot's pods.
func (m manifests) checkBudgets(d *appsv1.Deployment) error {
	var errs []error
	for _, b := range m.budgets {
		if !selects(b.Spec.Selector, d) {
			errs = append(errs, fmt.Errorf("PodDisruptionBudget %s does not select the Deployment's pods", b.Name))
		}
	}
	return errors.Join(errs...)
}
