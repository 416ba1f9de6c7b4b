package deploy_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// checkSecrets wants every token read from a Secret that the manifests
// define, none written in the Deployment or a ConfigMap, and the example
// Secret to hold placeholders only.
func (m manifests) checkSecrets(c corev1.Container) error {
	var errs []error
	for _, name := range secretVars {
		errs = append(errs, m.checkSecretVar(c, name))
	}
	for _, cm := range m.configMaps {
		for _, name := range secretVars {
			if _, ok := cm.Data[name]; ok {
				errs = append(errs, fmt.Errorf("ConfigMap %s holds %s; put it in the Secret", cm.Name, name))
			}
		}
	}
	for _, from := range c.EnvFrom {
		if ref := from.ConfigMapRef; ref != nil && !isTrue(ref.Optional) && m.configMap(ref.Name) == nil {
			errs = append(errs, fmt.Errorf("ConfigMap %q is not among the manifests", ref.Name))
		}
		if ref := from.SecretRef; ref != nil && m.secret(ref.Name) == nil {
			errs = append(errs, fmt.Errorf("Secret %q is not among the manifests", ref.Name))
		}
	}
	for _, s := range m.secrets {
		errs = append(errs, checkPlaceholders(s))
	}
	return errors.Join(errs...)
}

// checkSecretVar checks how one token reaches the container.
func (m manifests) checkSecretVar(c corev1.Container, name string) error {
	i := slices.IndexFunc(c.Env, func(e corev1.EnvVar) bool { return e.Name == name })
	if i < 0 {
		if slices.ContainsFunc(c.EnvFrom, func(f corev1.EnvFromSource) bool { return f.SecretRef != nil }) ||
			!slices.Contains(requiredSecretVars, name) {
			return nil
		}
		return fmt.Errorf("%s does not reach the container from a Secret", name)
	}
	from := c.Env[i].ValueFrom
	if from == nil || from.SecretKeyRef == nil {
		return fmt.Errorf("%s is written in the Deployment; read it from a Secret with secretKeyRef", name)
	}
	ref := from.SecretKeyRef
	s := m.secret(ref.Name)
	if s == nil {
		return fmt.Errorf("Secret %q is not among the manifests (%s)", ref.Name, name)
	}
	_, inString := s.StringData[ref.Key]
	_, inData := s.Data[ref.Key]
	if !inString && !inData && !isTrue(ref.Optional) {
		return fmt.Errorf("Secret %s has no key %s", s.Name, ref.Key)
	}
	return nil
}

// checkPlaceholders refuses a Secret with a value that is not a
// placeholder: real tokens never belong in this repository.
func checkPlaceholders(s *corev1.Secret) error {
	var errs []error
	for key, v := range s.StringData {
		if !strings.Contains(v, placeholder) {
			errs = append(errs, fmt.Errorf("Secret %s: %s is not a %s placeholder", s.Name, key, placeholder))
		}
	}
	for key, v := range s.Data {
		if !strings.Contains(string(v), placeholder) {
			errs = append(errs, fmt.Errorf("Secret %s: %s is not a %s placeholder", s.Name, key, placeholder))
		}
	}
	return errors.Join(errs...)
}
