package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/ghodss/yaml"
)

// userValues merges -f files and --set flags in order (later wins, maps merge deeply), then coalesces the result
// over the chart's defaults, where an explicit null deletes a default key: Helm's precedence and semantics.
func userValues(o options, defaults map[string]interface{}) (map[string]interface{}, error) {
	user := map[string]interface{}{}
	for _, f := range o.valueFiles {
		raw, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		current := map[string]interface{}{}
		if err := yaml.Unmarshal(raw, &current); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		user = mergeMaps(user, current)
	}
	for _, s := range o.sets {
		if err := parseSet(s, user, false); err != nil {
			return nil, fmt.Errorf("--set %s: %w", s, err)
		}
	}
	for _, s := range o.setStrings {
		if err := parseSet(s, user, true); err != nil {
			return nil, fmt.Errorf("--set-string %s: %w", s, err)
		}
	}
	return coalesce(user, deepCopy(defaults).(map[string]interface{})), nil
}

func mergeMaps(a, b map[string]interface{}) map[string]interface{} {
	out := make(map[string]interface{}, len(a))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if bm, ok := v.(map[string]interface{}); ok {
			if am, ok := out[k].(map[string]interface{}); ok {
				out[k] = mergeMaps(am, bm)
				continue
			}
		}
		out[k] = v
	}
	return out
}

// coalesce lays user values over defaults: maps merge, anything else replaces, null removes the default.
func coalesce(user, defaults map[string]interface{}) map[string]interface{} {
	for k, v := range user {
		if v == nil {
			delete(defaults, k)
			continue
		}
		um, uok := v.(map[string]interface{})
		dm, dok := defaults[k].(map[string]interface{})
		if uok && dok {
			defaults[k] = coalesce(um, dm)
			continue
		}
		if uok {
			defaults[k] = coalesce(um, map[string]interface{}{})
			continue
		}
		defaults[k] = v
	}
	return defaults
}

func deepCopy(v interface{}) interface{} {
	switch t := v.(type) {
	case map[string]interface{}:
		out := make(map[string]interface{}, len(t))
		for k, x := range t {
			out[k] = deepCopy(x)
		}
		return out
	case []interface{}:
		out := make([]interface{}, len(t))
		for i, x := range t {
			out[i] = deepCopy(x)
		}
		return out
	default:
		return v
	}
}

// parseSet applies one --set argument: comma-separated key=value pairs (`\,` escapes a comma), dotted keys with
// list indexes (a.b[0].c=x), `{x,y}` lists, and typed scalars (true, false, null, integers) unless asString.
func parseSet(arg string, dst map[string]interface{}, asString bool) error {
	for _, pair := range splitTopLevel(arg) {
		eq := strings.IndexByte(pair, '=')
		if eq <= 0 {
			return fmt.Errorf("%q is not key=value", pair)
		}
		path, err := parseKey(pair[:eq])
		if err != nil {
			return err
		}
		raw := pair[eq+1:]
		var value interface{}
		if strings.HasPrefix(raw, "{") && strings.HasSuffix(raw, "}") {
			items := []interface{}{}
			for _, item := range splitTopLevel(raw[1 : len(raw)-1]) {
				items = append(items, typed(item, asString))
			}
			value = items
		} else {
			value = typed(raw, asString)
		}
		if err := setPath(dst, path, value); err != nil {
			return err
		}
	}
	return nil
}

// splitTopLevel splits on commas outside braces, honouring `\,`.
func splitTopLevel(s string) []string {
	var out []string
	var cur strings.Builder
	depth := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && s[i+1] == ',':
			cur.WriteByte(',')
			i++
		case c == '{':
			depth++
			cur.WriteByte(c)
		case c == '}':
			depth--
			cur.WriteByte(c)
		case c == ',' && depth == 0:
			out = append(out, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

func typed(s string, asString bool) interface{} {
	if asString {
		return s
	}
	switch strings.ToLower(s) {
	case "true":
		return true
	case "false":
		return false
	case "null":
		return nil
	}
	// Helm keeps numbers with a leading zero ("0755") as strings; floats stay strings too.
	if s == "0" || (len(s) > 0 && s[0] != '0' && s[0] != '+') {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n
		}
	}
	return s
}

// segment is one step of a --set key: a map key, optionally followed by list indexes.
type segment struct {
	key     string
	indexes []int
}

func parseKey(key string) ([]segment, error) {
	var out []segment
	for _, part := range splitKey(key) {
		seg := segment{}
		open := strings.IndexByte(part, '[')
		if open < 0 {
			seg.key = part
		} else {
			seg.key = part[:open]
			rest := part[open:]
			for rest != "" {
				end := strings.IndexByte(rest, ']')
				if !strings.HasPrefix(rest, "[") || end < 0 {
					return nil, fmt.Errorf("bad list index in %q", key)
				}
				n, err := strconv.Atoi(rest[1:end])
				if err != nil || n < 0 {
					return nil, fmt.Errorf("bad list index in %q", key)
				}
				seg.indexes = append(seg.indexes, n)
				rest = rest[end+1:]
			}
		}
		if seg.key == "" {
			return nil, fmt.Errorf("empty key segment in %q", key)
		}
		out = append(out, seg)
	}
	return out, nil
}

// splitKey splits on dots, honouring `\.` for keys that contain dots (label names, annotations).
func splitKey(key string) []string {
	var out []string
	var cur strings.Builder
	for i := 0; i < len(key); i++ {
		if key[i] == '\\' && i+1 < len(key) && key[i+1] == '.' {
			cur.WriteByte('.')
			i++
			continue
		}
		if key[i] == '.' {
			out = append(out, cur.String())
			cur.Reset()
			continue
		}
		cur.WriteByte(key[i])
	}
	return append(out, cur.String())
}

func setPath(m map[string]interface{}, path []segment, value interface{}) error {
	seg := path[0]
	last := len(path) == 1
	if len(seg.indexes) == 0 {
		if last {
			m[seg.key] = value
			return nil
		}
		child, ok := m[seg.key].(map[string]interface{})
		if !ok {
			child = map[string]interface{}{}
			m[seg.key] = child
		}
		return setPath(child, path[1:], value)
	}
	list, _ := m[seg.key].([]interface{})
	updated, err := setInList(list, seg.indexes, path[1:], value)
	if err != nil {
		return err
	}
	m[seg.key] = updated
	return nil
}

func setInList(list []interface{}, indexes []int, rest []segment, value interface{}) ([]interface{}, error) {
	i := indexes[0]
	for len(list) <= i {
		list = append(list, nil)
	}
	if len(indexes) > 1 {
		inner, _ := list[i].([]interface{})
		updated, err := setInList(inner, indexes[1:], rest, value)
		list[i] = updated
		return list, err
	}
	if len(rest) == 0 {
		list[i] = value
		return list, nil
	}
	child, ok := list[i].(map[string]interface{})
	if !ok {
		child = map[string]interface{}{}
		list[i] = child
	}
	return list, setPath(child, rest, value)
}
