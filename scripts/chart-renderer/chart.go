package main

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/Masterminds/semver"
	"github.com/ghodss/yaml"
)

// chartMeta is Chart.yaml with the field names templates see (.Chart.Name, .Chart.AppVersion, ...), as in Helm.
type chartMeta struct {
	APIVersion  string            `json:"apiVersion"`
	Name        string            `json:"name"`
	Version     string            `json:"version"`
	AppVersion  string            `json:"appVersion,omitempty"`
	KubeVersion string            `json:"kubeVersion,omitempty"`
	Description string            `json:"description,omitempty"`
	Type        string            `json:"type,omitempty"`
	Home        string            `json:"home,omitempty"`
	Icon        string            `json:"icon,omitempty"`
	Keywords    []string          `json:"keywords,omitempty"`
	Sources     []string          `json:"sources,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Maintainers []struct {
		Name  string `json:"name"`
		Email string `json:"email,omitempty"`
		URL   string `json:"url,omitempty"`
	} `json:"maintainers,omitempty"`
}

type loadedChart struct {
	meta      chartMeta
	defaults  map[string]interface{}
	templates map[string]string // "<chart>/templates/x.yaml" → source
	crds      map[string]string // "crds/x.yaml" → source
	files     files             // every other file, for .Files
}

func loadChart(dir string) (*loadedChart, error) {
	c := &loadedChart{templates: map[string]string{}, crds: map[string]string{}, files: files{}}
	raw, err := os.ReadFile(filepath.Join(dir, "Chart.yaml"))
	if err != nil {
		return nil, err
	}
	if err := yaml.Unmarshal(raw, &c.meta); err != nil {
		return nil, fmt.Errorf("Chart.yaml: %w", err)
	}
	if c.meta.APIVersion != "v2" || c.meta.Name == "" || c.meta.Version == "" {
		return nil, fmt.Errorf("Chart.yaml: apiVersion v2, name and version are required")
	}
	if _, err := semver.StrictNewVersion(c.meta.Version); err != nil {
		return nil, fmt.Errorf("Chart.yaml: version %q is not strict SemVer 2: %w", c.meta.Version, err)
	}
	c.defaults = map[string]interface{}{}
	if raw, err := os.ReadFile(filepath.Join(dir, "values.yaml")); err == nil {
		if err := yaml.Unmarshal(raw, &c.defaults); err != nil {
			return nil, fmt.Errorf("values.yaml: %w", err)
		}
	}
	ignore := helmignore(dir)
	err = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if rel == "." {
			return nil
		}
		if ignore(rel, info.IsDir()) {
			if info.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if info.IsDir() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		switch {
		case strings.HasPrefix(rel, "templates/"):
			c.templates[c.meta.Name+"/"+rel] = string(data)
		case strings.HasPrefix(rel, "crds/"):
			c.crds[rel] = string(data)
			c.files[rel] = data
		case rel == "Chart.yaml" || rel == "values.yaml" || rel == "values.schema.json":
		default:
			c.files[rel] = data
		}
		return nil
	})
	return c, err
}

// helmignore reads .helmignore: blank lines and comments skipped, patterns matched against the path and its base
// name, a trailing slash for folders only (the subset of Helm's rules this chart uses).
func helmignore(dir string) func(rel string, isDir bool) bool {
	raw, _ := os.ReadFile(filepath.Join(dir, ".helmignore"))
	var patterns []string
	for _, line := range strings.Split(string(raw), "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			patterns = append(patterns, line)
		}
	}
	return func(rel string, isDir bool) bool {
		if rel == ".helmignore" {
			return true
		}
		for _, p := range patterns {
			dirOnly := strings.HasSuffix(p, "/")
			p = strings.TrimSuffix(p, "/")
			if dirOnly && !isDir {
				continue
			}
			if ok, _ := path.Match(p, rel); ok {
				return true
			}
			if ok, _ := path.Match(p, path.Base(rel)); ok {
				return true
			}
		}
		return false
	}
}

// files is .Files: the chart's non-template files by path relative to the chart.
type files map[string][]byte

func (f files) Get(name string) string      { return string(f[name]) }
func (f files) GetBytes(name string) []byte { return f[name] }
func (f files) Lines(name string) []string {
	return strings.Split(strings.TrimRight(string(f[name]), "\n"), "\n")
}
func (f files) Glob(pattern string) files {
	out := files{}
	for name, data := range f {
		if ok, _ := path.Match(pattern, name); ok {
			out[name] = data
		}
	}
	return out
}

// AsConfig renders the files as ConfigMap data (base name → content), as Helm's Files.AsConfig.
func (f files) AsConfig() string {
	m := map[string]string{}
	for name, data := range f {
		m[path.Base(name)] = string(data)
	}
	return toYAML(m)
}
