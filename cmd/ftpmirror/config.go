package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/spf13/pflag"
)

// A config file names jobs, each a mirror command line written as TOML:
//
//	[jobs.site]
//	direction = "pull"                      # the command: pull, push or sync
//	source = "ftp://alice@host/site"        # its first argument
//	target = "/srv/mirror/site"             # its second argument
//	password_env = "SITE_PASSWORD"          # or password_file, or ~/.netrc
//	delete = true                           # any flag of the command: --delete
//	exclude = ["*.tmp", "cache/"]           # repeatable flags take a list
//
// A job's keys are the flags of its direction's command, with '_' for '-',
// checked against that command's own flag set. Running a job runs that
// command (run_job.go), so a job and the equivalent command line do the same
// thing, share a state file, and are validated by the same code.

// configName is the file read from $XDG_CONFIG_HOME/ftpmirror/.
const configName = "config.toml"

// jobKeys are a job's keys that are not flags.
func jobKeys() []string { return []string{"direction", "source", "target", "password_env"} }

// directions are the commands a job may run. The URL is the source of a
// pull and the target of a push or sync, as on their command lines.
func directions() []string { return []string{"pull", "push", "sync"} }

// isRunLevelFlag reports whether a flag belongs to one invocation of
// "ftpmirror run", not to a job.
func isRunLevelFlag(name string) bool {
	switch name {
	case "json", "quiet", "verbose", "progress", "log-file", "log-format", "dry-run", "help":
		return true
	}
	return false
}

// config is a loaded config file.
type config struct {
	path string
	jobs []*job // in file order
}

// job is one [jobs.NAME] table.
type job struct {
	name                      string
	line                      int
	direction, source, target string
	passwordEnv               string
	passwordFile              bool // the job sets password_file
	// keyLine is the line of each key of the job.
	keyLine map[string]int
	// settings are the job's flags, in file order.
	settings []setting
	// problems are what is wrong with this job; it cannot run while there
	// are any. Other jobs can.
	problems []*configError
}

// setting is one flag a job sets: --flag=value for each value.
type setting struct {
	flag   string
	values []string
	line   int
}

// configError is a mistake in the config file, at a line when known.
type configError struct {
	path string
	line int
	msg  string
	hint string
}

func (e *configError) Error() string {
	if e.line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.path, e.line, e.msg)
	}
	return e.path + ": " + e.msg
}

// usage turns the mistake into a usage error (exit 2) for describe.
func (e *configError) usage() error { return usageErr(e.Error(), e.hint) }

// defaultConfigPath is $XDG_CONFIG_HOME/ftpmirror/config.toml, or
// ~/.config/ftpmirror/config.toml when XDG_CONFIG_HOME is unset or relative.
func defaultConfigPath(getenv func(string) string) (string, error) {
	base := getenv("XDG_CONFIG_HOME")
	if !filepath.IsAbs(base) {
		home := getenv("HOME")
		if home == "" {
			return "", usageErr("cannot find the config file: neither XDG_CONFIG_HOME nor HOME is set", "name it with --config FILE")
		}
		base = filepath.Join(home, ".config")
	}
	return filepath.Join(base, "ftpmirror", configName), nil
}

// flagSets returns a direction's flags, or nil when this build has no such
// command. The flag sets it returns are fresh: setting them changes nothing.
type flagSets func(direction string) *pflag.FlagSet

// loadConfig reads and checks the config file at path. A syntax error or a
// mistake outside any job is returned as the error; mistakes in a job are
// kept in its problems.
func loadConfig(path string, flagsFor flagSets, getenv func(string) string) (*config, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, usageErr("no config file at "+path, "write one with 'ftpmirror config example > "+path+"', or name another with --config FILE")
	}
	if err != nil {
		return nil, usageErr("cannot read the config file: "+err.Error(), "")
	}
	text := string(data)
	var raw map[string]any
	md, err := toml.Decode(text, &raw)
	if err != nil {
		return nil, tomlError(path, err)
	}
	lines := keyLines(text)
	c := &config{path: path}
	for _, k := range md.Keys() {
		if len(k) == 1 && k[0] != "jobs" {
			return nil, &configError{path: path, line: lines.find(k), msg: fmt.Sprintf("unknown key %q", k[0]),
				hint: "jobs are tables such as [jobs.site]"}
		}
	}
	jobsTable, ok := raw["jobs"].(map[string]any)
	if _, present := raw["jobs"]; present && !ok {
		return nil, &configError{path: path, line: lines.find(toml.Key{"jobs"}), msg: "jobs must be a table",
			hint: "write each job as a table such as [jobs.site]"}
	}
	for _, k := range md.Keys() {
		if len(k) != 2 || k[0] != "jobs" {
			continue
		}
		t, ok := jobsTable[k[1]].(map[string]any)
		if !ok {
			return nil, &configError{path: path, line: lines.find(k), msg: fmt.Sprintf("job %q must be a table", k[1]),
				hint: "write it as [jobs." + k[1] + "] followed by its keys"}
		}
		j := &job{name: k[1], line: lines.find(k)}
		j.parse(c, t, lines, flagsFor, getenv)
		c.jobs = append(c.jobs, j)
	}
	return c, nil
}

// tomlError points at the line of a TOML syntax or type error.
func tomlError(path string, err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		msg := pe.Message
		if pe.LastKey != "" {
			msg = pe.LastKey + ": " + msg
		}
		return (&configError{path: path, line: pe.Position.Line, msg: msg, hint: "see 'ftpmirror config example' for the syntax"}).usage()
	}
	return (&configError{path: path, msg: strings.TrimPrefix(err.Error(), "toml: ")}).usage()
}

// job returns the job named name.
func (c *config) job(name string) *job {
	for _, j := range c.jobs {
		if j.name == name {
			return j
		}
	}
	return nil
}

func (c *config) names() []string {
	var out []string
	for _, j := range c.jobs {
		out = append(out, j.name)
	}
	return out
}

// parse reads the job's table t, recording its mistakes in j.problems.
func (j *job) parse(c *config, t map[string]any, lines keyLineMap,
	flagsFor flagSets, getenv func(string) string) {
	at := func(key string) int {
		if l := lines.find(toml.Key{"jobs", j.name, key}); l > 0 {
			return l
		}
		return j.line
	}
	bad := func(key, msg, hint string) {
		j.problems = append(j.problems, &configError{path: c.path, line: at(key), msg: fmt.Sprintf("job %q: %s", j.name, msg), hint: hint})
	}
	str := func(key string) string {
		v, ok := t[key]
		if !ok {
			return ""
		}
		s, ok := v.(string)
		if !ok {
			bad(key, key+" must be a string", "quote it: "+key+` = "..."`)
		}
		return s
	}
	j.direction, j.source, j.target, j.passwordEnv = str("direction"), str("source"), str("target"), str("password_env")
	var flags *pflag.FlagSet
	switch {
	case j.direction == "":
		bad("direction", "direction is missing", `add direction = "pull" (or "push" or "sync")`)
	case !contains(directions(), j.direction):
		bad("direction", fmt.Sprintf("unknown direction %q", j.direction), "use pull, push or sync")
	default:
		if flags = flagsFor(j.direction); flags == nil {
			bad("direction", j.direction+" jobs are not available in this build", "run them with a newer ftpmirror")
		}
	}
	for _, key := range []string{"source", "target"} {
		if _, ok := t[key]; !ok {
			bad(key, key+" is missing", fmt.Sprintf("add %s = %q", key, j.example(key)))
		}
	}
	j.checkSides(c, bad, getenv)
	if _, ok := t["password"]; ok {
		bad("password", "a password must not be written in the config file",
			"use password_env = \"VARIABLE\", password_file = \"FILE\" or ~/.netrc")
	}
	keys := make([]string, 0, len(t))
	j.keyLine = map[string]int{}
	for k := range t {
		keys = append(keys, k)
		j.keyLine[k] = at(k)
	}
	sort.Slice(keys, func(a, b int) bool { return at(keys[a]) < at(keys[b]) })
	for _, key := range keys {
		if contains(jobKeys(), key) || key == "password" {
			continue
		}
		if flags == nil {
			continue // the direction is unknown: its keys cannot be checked
		}
		name := strings.ReplaceAll(key, "_", "-")
		fl := flags.Lookup(name)
		if fl == nil || fl.Hidden {
			bad(key, fmt.Sprintf("unknown key %q", key), suggestKey(key, flags))
			continue
		}
		if isRunLevelFlag(name) {
			bad(key, fmt.Sprintf("%s is not a job setting", key), "give --"+name+" on the command line of 'ftpmirror run'")
			continue
		}
		values, err := flagValues(fl, t[key])
		if err == nil {
			err = j.checkValues(c, fl, values, getenv)
		}
		if err != nil {
			bad(key, fmt.Sprintf("%s: %v", key, err), "see 'ftpmirror "+j.direction+" --help' for --"+name)
			continue
		}
		if name == "password-file" {
			j.passwordFile = true
		}
		j.settings = append(j.settings, setting{flag: name, values: values, line: at(key)})
	}
	if j.passwordFile && j.passwordEnv != "" {
		bad("password_env", "both password_env and password_file are set", "keep one of them")
	}
	sort.SliceStable(j.problems, func(a, b int) bool { return j.problems[a].line < j.problems[b].line })
}

// checkSides checks source and target: one is a URL without a password,
// the other a local directory, made absolute against the config's directory.
func (j *job) checkSides(c *config, bad func(key, msg, hint string), getenv func(string) string) {
	if j.source == "" || j.target == "" || !contains(directions(), j.direction) {
		return
	}
	urlKey, localKey := "source", "target"
	if j.direction != "pull" { // push and sync take the local directory first
		urlKey, localKey = "target", "source"
	}
	side := map[string]*string{"source": &j.source, "target": &j.target}
	r, err := parseRemote(*side[urlKey])
	if err != nil {
		var ee *exitError
		msg := err.Error()
		if errors.As(err, &ee) {
			msg = ee.msg
		}
		bad(urlKey, fmt.Sprintf("%s: %s", urlKey, msg), fmt.Sprintf("a %s job's %s is a URL such as ftp://user@host/path", j.direction, urlKey))
	} else if r.HasPassword {
		bad(urlKey, urlKey+" holds a password, which must not be written in the config file",
			"remove it from the URL and use password_env, password_file or ~/.netrc")
	}
	if strings.Contains(*side[localKey], "://") {
		bad(localKey, fmt.Sprintf("%s must be a local directory for a %s job", localKey, j.direction),
			fmt.Sprintf("a %s job goes from %s to %s", j.direction, j.example("source"), j.example("target")))
		return
	}
	*side[localKey] = expandPath(*side[localKey], filepath.Dir(c.path), getenv)
}

// example is a placeholder for the job's source or target.
func (j *job) example(key string) string {
	url, dir := "ftp://user@host/path", "/path/to/mirror"
	if (key == "source") == (j.direction != "pull") {
		return dir
	}
	return url
}

// argv is the command line that runs the job: the direction, its flags,
// then extra (the options of this run, which win), then source and target.
func (j *job) argv(extra []string) []string {
	args := []string{j.direction}
	for _, s := range j.settings {
		for _, v := range s.values {
			args = append(args, "--"+s.flag+"="+v)
		}
	}
	args = append(args, extra...)
	return append(args, "--", j.source, j.target)
}

// env is the environment the job runs with: password_env becomes
// FTPMIRROR_PASSWORD, and a job with password_file ignores
// FTPMIRROR_PASSWORD so that its file is used.
func (j *job) env(getenv func(string) string) func(string) string {
	if j.passwordEnv == "" && !j.passwordFile {
		return getenv
	}
	return func(key string) string {
		if key != "FTPMIRROR_PASSWORD" {
			return getenv(key)
		}
		if j.passwordEnv != "" {
			return getenv(j.passwordEnv)
		}
		return ""
	}
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
