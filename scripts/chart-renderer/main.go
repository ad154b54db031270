// Command chart-renderer renders a Helm chart the way `helm template` does, with the engines Helm itself uses: Go
// text/template, the sprig function library, Helm's own functions (include, tpl, required, toYaml, fromYaml, ...)
// and Helm's value handling (values.yaml, -f files, --set, coalescing where null deletes a default). Helm cannot be
// installed on the machines this project is built on; this program is what the chart tests and
// `npm run chart:render` run instead. It is built offline from Debian's Go packages:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o chart-renderer ./scripts/chart-renderer
//
// Usage:
//
//	chart-renderer values [flags] CHART   prints the coalesced values as JSON (for values.schema.json validation)
//	chart-renderer render [flags] CHART   prints the manifests in Helm's install order
//	chart-renderer notes  [flags] CHART   prints the rendered NOTES.txt
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
)

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

type options struct {
	chartDir    string
	releaseName string
	namespace   string
	valueFiles  listFlag
	sets        listFlag
	setStrings  listFlag
	includeCRDs bool
	kubeVersion string
	apiVersions listFlag
	isUpgrade   bool
}

func main() {
	if len(os.Args) < 2 {
		fail(fmt.Errorf("usage: chart-renderer values|render|notes [flags] CHART"))
	}
	mode := os.Args[1]
	o, err := parseFlags(os.Args[2:])
	if err != nil {
		fail(err)
	}
	if err := run(mode, o); err != nil {
		fail(err)
	}
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("chart-renderer", flag.ContinueOnError)
	fs.StringVar(&o.releaseName, "name", "id3-operator", "release name (.Release.Name)")
	fs.StringVar(&o.namespace, "namespace", "default", "release namespace (.Release.Namespace)")
	fs.Var(&o.valueFiles, "f", "values file (repeatable; later files win)")
	fs.Var(&o.valueFiles, "values", "values file (repeatable; later files win)")
	fs.Var(&o.sets, "set", "set values on the command line (key=value[,key=value]; typed: true/false/null/integers)")
	fs.Var(&o.setStrings, "set-string", "set string values on the command line")
	fs.BoolVar(&o.includeCRDs, "include-crds", false, "print the chart's crds/ first, as `helm install` applies them")
	fs.StringVar(&o.kubeVersion, "kube-version", "v1.31.0", ".Capabilities.KubeVersion")
	fs.Var(&o.apiVersions, "api-versions", "extra .Capabilities.APIVersions (repeatable)")
	fs.BoolVar(&o.isUpgrade, "is-upgrade", false, ".Release.IsUpgrade instead of .Release.IsInstall")
	// Flags may follow the chart path, as with helm; Go's flag package stops at the first positional argument.
	var positional []string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			return o, err
		}
		args = fs.Args()
		if len(args) > 0 {
			positional = append(positional, args[0])
			args = args[1:]
		}
	}
	if len(positional) != 1 {
		return o, fmt.Errorf("expected exactly one chart directory, got %d", len(positional))
	}
	o.chartDir = positional[0]
	return o, nil
}

func run(mode string, o options) error {
	chart, err := loadChart(o.chartDir)
	if err != nil {
		return err
	}
	values, err := userValues(o, chart.defaults)
	if err != nil {
		return err
	}
	switch mode {
	case "values":
		out, err := json.MarshalIndent(values, "", "  ")
		if err != nil {
			return err
		}
		fmt.Println(string(out))
		return nil
	case "render", "notes":
		caps, err := capabilities(o.kubeVersion, o.apiVersions)
		if err != nil {
			return err
		}
		if err := checkKubeVersion(chart.meta.KubeVersion, caps.KubeVersion); err != nil {
			return err
		}
		top := topValues(chart, values, o, caps)
		rendered, err := renderTemplates(chart, top, mode == "notes")
		if err != nil {
			return err
		}
		if mode == "notes" {
			fmt.Print(rendered[chart.meta.Name+"/templates/NOTES.txt"])
			return nil
		}
		fmt.Print(formatManifests(chart, rendered, o.includeCRDs))
		return nil
	default:
		return fmt.Errorf("unknown mode %q: use values, render or notes", mode)
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "Error: %v\n", err)
	os.Exit(1)
}
