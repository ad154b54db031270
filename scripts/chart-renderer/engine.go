package main

import (
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/semver"
	"github.com/Masterminds/sprig"
	"github.com/ghodss/yaml"
)

// What templates see as .Capabilities: the Kubernetes version and the API versions the cluster serves.
type kubeVersion struct {
	Version    string
	Major      string
	Minor      string
	GitVersion string
}

func (k kubeVersion) String() string { return k.Version }

type apiVersions []string

// Has reports whether "group/version" or "group/version/Kind" is served, as Helm's APIVersions.Has.
func (a apiVersions) Has(v string) bool {
	for _, x := range a {
		if x == v {
			return true
		}
	}
	return false
}

type caps struct {
	KubeVersion kubeVersion
	APIVersions apiVersions
	HelmVersion map[string]string
}

// The built-in API versions of a current cluster (Helm's default set when it renders without one).
var builtinAPIVersions = []string{
	"v1", "apps/v1", "batch/v1", "policy/v1", "autoscaling/v1", "autoscaling/v2", "networking.k8s.io/v1",
	"rbac.authorization.k8s.io/v1", "coordination.k8s.io/v1", "apiextensions.k8s.io/v1", "storage.k8s.io/v1",
	"scheduling.k8s.io/v1", "events.k8s.io/v1", "discovery.k8s.io/v1", "admissionregistration.k8s.io/v1",
}

func capabilities(version string, extra []string) (caps, error) {
	v, err := semver.NewVersion(version)
	if err != nil {
		return caps{}, fmt.Errorf("--kube-version %q: %w", version, err)
	}
	all := append(append(apiVersions{}, builtinAPIVersions...), extra...)
	return caps{
		KubeVersion: kubeVersion{
			Version:    "v" + v.String(),
			Major:      fmt.Sprint(v.Major()),
			Minor:      fmt.Sprint(v.Minor()),
			GitVersion: "v" + v.String(),
		},
		APIVersions: all,
		HelmVersion: map[string]string{"Version": "v3.16.0"},
	}, nil
}

// checkKubeVersion enforces Chart.yaml's kubeVersion constraint, as `helm install` does.
func checkKubeVersion(constraint string, kv kubeVersion) error {
	if constraint == "" {
		return nil
	}
	c, err := semver.NewConstraint(constraint)
	if err != nil {
		return fmt.Errorf("Chart.yaml kubeVersion %q: %w", constraint, err)
	}
	v, _ := semver.NewVersion(kv.Version)
	if !c.Check(v) {
		return fmt.Errorf("chart requires kubeVersion: %s which is incompatible with Kubernetes %s", constraint, kv.Version)
	}
	return nil
}

func topValues(c *loadedChart, values map[string]interface{}, o options, cp caps) map[string]interface{} {
	return map[string]interface{}{
		"Values": values,
		"Release": map[string]interface{}{
			"Name":      o.releaseName,
			"Namespace": o.namespace,
			"IsInstall": !o.isUpgrade,
			"IsUpgrade": o.isUpgrade,
			"Revision":  1,
			"Service":   "Helm",
		},
		"Chart":        c.meta,
		"Capabilities": cp,
		"Files":        c.files,
	}
}

// renderTemplates parses every template into one set (so `define`s are shared), then executes each file that is
// not a partial (`_*`), with Helm's options: missing keys render as empty, "<no value>" is removed.
func renderTemplates(c *loadedChart, top map[string]interface{}, withNotes bool) (map[string]string, error) {
	t := template.New("gotpl").Option("missingkey=zero")
	included := map[string]int{}
	t.Funcs(funcMap(t, included))
	names := make([]string, 0, len(c.templates))
	for name := range c.templates {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if _, err := t.New(name).Parse(c.templates[name]); err != nil {
			return nil, fmt.Errorf("parse error: %w", err)
		}
	}
	out := map[string]string{}
	for _, name := range names {
		base := path.Base(name)
		if strings.HasPrefix(base, "_") || (base == "NOTES.txt" && !withNotes) {
			continue
		}
		vals := map[string]interface{}{}
		for k, v := range top {
			vals[k] = v
		}
		vals["Template"] = map[string]interface{}{"Name": name, "BasePath": c.meta.Name + "/templates"}
		var buf strings.Builder
		if err := t.ExecuteTemplate(&buf, name, vals); err != nil {
			return nil, fmt.Errorf("render error in %q: %w", name, err)
		}
		out[name] = strings.ReplaceAll(buf.String(), "<no value>", "")
	}
	return out, nil
}

// funcMap is sprig's text functions without env/expandenv (Helm removes them) plus Helm's own.
func funcMap(t *template.Template, included map[string]int) template.FuncMap {
	f := sprig.TxtFuncMap()
	delete(f, "env")
	delete(f, "expandenv")
	extra := template.FuncMap{
		"toYaml":        toYAML,
		"fromYaml":      fromYAML,
		"fromYamlArray": fromYAMLArray,
		"toJson":        toJSON,
		"fromJson":      fromJSON,
		"fromJsonArray": fromJSONArray,
		"required":      required,
		// Rendering without a cluster, as `helm template` does: lookups find nothing.
		"lookup": func(string, string, string, string) (map[string]interface{}, error) {
			return map[string]interface{}{}, nil
		},
		"include": includeFunc(t, included),
		"tpl":     tplFunc(t, included),
	}
	for k, v := range extra {
		f[k] = v
	}
	return f
}

func includeFunc(t *template.Template, included map[string]int) func(string, interface{}) (string, error) {
	return func(name string, data interface{}) (string, error) {
		if included[name] > 1000 {
			return "", fmt.Errorf("rendering template has a nested reference name: %s", name)
		}
		included[name]++
		defer func() { included[name]-- }()
		var buf strings.Builder
		err := t.ExecuteTemplate(&buf, name, data)
		return buf.String(), err
	}
}

// tplFunc renders a string as a template with the chart's definitions in scope, in a clone so the set is unchanged.
func tplFunc(parent *template.Template, included map[string]int) func(string, interface{}) (string, error) {
	return func(text string, vals interface{}) (string, error) {
		t, err := parent.Clone()
		if err != nil {
			return "", err
		}
		t.Option("missingkey=zero")
		t.Funcs(template.FuncMap{"include": includeFunc(t, included), "tpl": tplFunc(t, included)})
		t, err = t.New(parent.Name()).Parse(text)
		if err != nil {
			return "", fmt.Errorf("cannot parse template %q: %w", text, err)
		}
		var buf strings.Builder
		if err := t.Execute(&buf, vals); err != nil {
			return "", fmt.Errorf("error during tpl function execution for %q: %w", text, err)
		}
		return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
	}
}

func required(msg string, v interface{}) (interface{}, error) {
	if v == nil {
		return v, fmt.Errorf("%s", msg)
	}
	if s, ok := v.(string); ok && s == "" {
		return v, fmt.Errorf("%s", msg)
	}
	return v, nil
}

func toYAML(v interface{}) string {
	data, err := yaml.Marshal(v)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(data), "\n")
}

func fromYAML(s string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := yaml.Unmarshal([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func fromYAMLArray(s string) []interface{} {
	a := []interface{}{}
	if err := yaml.Unmarshal([]byte(s), &a); err != nil {
		a = []interface{}{err.Error()}
	}
	return a
}

func toJSON(v interface{}) string {
	data, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(data)
}

func fromJSON(s string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func fromJSONArray(s string) []interface{} {
	a := []interface{}{}
	if err := json.Unmarshal([]byte(s), &a); err != nil {
		a = []interface{}{err.Error()}
	}
	return a
}
