package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/ftpmirror/ftpmirror/plan"
)

// flagValues turns a TOML value into the strings of --flag=value options,
// by the flag's type.
func flagValues(fl *pflag.Flag, v any) ([]string, error) {
	switch typ := fl.Value.Type(); typ {
	case "bool":
		if b, ok := v.(bool); ok {
			return []string{strconv.FormatBool(b)}, nil
		}
		return nil, errors.New("must be true or false")
	case "int", "count":
		if n, ok := v.(int64); ok {
			return []string{strconv.FormatInt(n, 10)}, nil
		}
		return nil, errors.New("must be a whole number")
	case "duration":
		if s, ok := v.(string); ok {
			return []string{s}, nil
		}
		return nil, errors.New(`must be a duration in quotes, such as "30s" or "5m"`)
	case "stringArray", "stringSlice":
		switch v := v.(type) {
		case string:
			return []string{v}, nil
		case []any:
			out := make([]string, 0, len(v))
			for _, e := range v {
				s, ok := e.(string)
				if !ok {
					return nil, errors.New(`must be a list of strings, such as ["a", "b"]`)
				}
				out = append(out, s)
			}
			return out, nil
		}
		return nil, errors.New(`must be a list of strings, such as ["a", "b"]`)
	default:
		switch v := v.(type) {
		case string:
			return []string{v}, nil
		case int64:
			return []string{strconv.FormatInt(v, 10)}, nil
		}
		return nil, errors.New("must be a string")
	}
}

// checkValues checks values as the flag would take them, with globs compiled
// and paths made absolute (against the config file's directory, with ~/ for
// $HOME).
func (j *job) checkValues(c *config, fl *pflag.Flag, values []string, getenv func(string) string) error {
	kind, _ := pflag.UnquoteUsage(fl)
	for i, v := range values {
		switch kind {
		case "GLOB":
			if _, err := plan.NewFilter([]string{v}, nil); err != nil {
				return fmt.Errorf("invalid pattern %q", v)
			}
		case "FILE", "DIR":
			if v == "-" {
				return errors.New("a job has no standard input to read; give a file")
			}
			values[i] = expandPath(v, filepath.Dir(c.path), getenv)
		}
		if fl.Value.Type() == "duration" {
			if _, err := time.ParseDuration(v); err != nil {
				return fmt.Errorf("invalid duration %q", v)
			}
		}
		if err := fl.Value.Set(values[i]); err != nil {
			return err
		}
	}
	return nil
}

// expandPath makes p absolute: ~/ is $HOME, and a relative path is relative
// to dir.
func expandPath(p, dir string, getenv func(string) string) string {
	if p == "" {
		return p
	}
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home := getenv("HOME"); home != "" {
			p = filepath.Join(home, strings.TrimPrefix(p, "~"))
		}
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(dir, p)
	}
	return filepath.Clean(p)
}

// suggestKey names the job key closest to key, if one is close.
func suggestKey(key string, flags *pflag.FlagSet) string {
	best, bestD := "", 3
	consider := func(k string) {
		if d := editDistance(key, k); d < bestD {
			best, bestD = k, d
		}
	}
	for _, k := range jobKeys() {
		consider(k)
	}
	flags.VisitAll(func(fl *pflag.Flag) {
		if !isRunLevelFlag(fl.Name) && !fl.Hidden {
			consider(strings.ReplaceAll(fl.Name, "-", "_"))
		}
	})
	if best != "" {
		return fmt.Sprintf("did you mean %q? 'ftpmirror config example' lists every key", best)
	}
	return "'ftpmirror config example' lists every key"
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for i := range prev {
		prev[i] = i
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for k := 1; k <= len(b); k++ {
			cost := 1
			if a[i-1] == b[k-1] {
				cost = 0
			}
			cur[k] = min(prev[k]+1, cur[k-1]+1, prev[k-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
