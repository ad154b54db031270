package main

import (
	"regexp"
	"sort"
	"strings"
)

// Helm's install order (releaseutil.InstallOrder): kinds others depend on come first. Unknown kinds go last.
var installOrder = []string{
	"PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy",
	"PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList", "ConfigMap", "StorageClass", "PersistentVolume",
	"PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole", "ClusterRoleList", "ClusterRoleBinding",
	"ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList", "Service", "DaemonSet", "Pod",
	"ReplicationController", "ReplicaSet", "Deployment", "HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob",
	"IngressClass", "Ingress", "APIService",
}

var (
	docSeparator = regexp.MustCompile(`(?m)^---\s*$`)
	kindLine     = regexp.MustCompile(`(?m)^kind:\s*["']?([A-Za-z0-9]+)["']?\s*$`)
	onlyComments = regexp.MustCompile(`(?m)^\s*(#.*)?$`)
)

type manifest struct {
	source string
	kind   string
	body   string
	order  int
}

// formatManifests prints each rendered document under a `# Source:` comment, documents that are empty after
// rendering dropped, sorted by install order (stable: file order within a kind), CRDs first when asked.
func formatManifests(c *loadedChart, rendered map[string]string, includeCRDs bool) string {
	var b strings.Builder
	if includeCRDs {
		for _, name := range sortedKeys(c.crds) {
			for _, doc := range splitDocs(c.crds[name]) {
				b.WriteString("---\n# Source: " + c.meta.Name + "/" + name + "\n" + doc + "\n")
			}
		}
	}
	var all []manifest
	for i, name := range sortedKeys(rendered) {
		if strings.HasSuffix(name, "NOTES.txt") {
			continue
		}
		for _, doc := range splitDocs(rendered[name]) {
			kind := ""
			if m := kindLine.FindStringSubmatch(doc); m != nil {
				kind = m[1]
			}
			all = append(all, manifest{source: name, kind: kind, body: doc, order: i})
		}
	}
	rank := map[string]int{}
	for i, k := range installOrder {
		rank[k] = i
	}
	rankOf := func(k string) int {
		if r, ok := rank[k]; ok {
			return r
		}
		return len(installOrder)
	}
	sort.SliceStable(all, func(i, j int) bool { return rankOf(all[i].kind) < rankOf(all[j].kind) })
	for _, m := range all {
		b.WriteString("---\n# Source: " + m.source + "\n" + m.body + "\n")
	}
	return b.String()
}

func splitDocs(s string) []string {
	var out []string
	for _, doc := range docSeparator.Split(s, -1) {
		if isBlank(doc) {
			continue
		}
		out = append(out, strings.Trim(doc, "\n"))
	}
	return out
}

func isBlank(doc string) bool {
	for _, line := range strings.Split(doc, "\n") {
		if !onlyComments.MatchString(line) {
			return false
		}
	}
	return true
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
