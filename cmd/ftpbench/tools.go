package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// The tools measured.
const (
	toolFtpmirror = "ftpmirror"
	toolRclone    = "rclone"
	toolLftp      = "lftp"
)

// endpoint is where a tool connects: the proxy or the server.
type endpoint struct {
	host     string
	port     int
	user     string
	password string
}

// runSpec is one tool run.
type runSpec struct {
	ep       endpoint
	dst      string // the local mirror directory
	work     string // the tool's private directory: state, HOME
	parallel int
	pget     bool // lftp: segmented download of big files
}

// tool builds the command line of one run of a mirroring program.
type tool struct {
	name    string
	bin     string
	version string
	// secret is derived from the password once (rclone's obscured form).
	secret  string
	command func(t *tool, s runSpec) (args, env []string)
}

// baseEnv is the environment of every tool run: a private HOME (so no
// user configuration is read and nothing is written outside work), C
// locale, and PATH.
func baseEnv(work string) []string {
	home := filepath.Join(work, "home")
	return []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"XDG_STATE_HOME=" + filepath.Join(home, ".local", "state"),
		"XDG_DATA_HOME=" + filepath.Join(home, ".local", "share"),
		"XDG_CACHE_HOME=" + filepath.Join(home, ".cache"),
		"LANG=C", "LC_ALL=C", "TZ=UTC",
	}
}

func ftpmirrorCommand(t *tool, s runSpec) ([]string, []string) {
	url := fmt.Sprintf("ftp://%s@%s:%d/", s.ep.user, s.ep.host, s.ep.port)
	args := []string{"pull", "--quiet", "--progress", "never",
		"--parallel", strconv.Itoa(s.parallel),
		"--state", filepath.Join(s.work, "ftpmirror.state"),
		url, s.dst}
	return args, append(baseEnv(s.work), "FTPMIRROR_PASSWORD="+s.ep.password)
}

func rcloneCommand(t *tool, s runSpec) ([]string, []string) {
	remote := fmt.Sprintf(":ftp,host=%s,port=%d,user=%s,pass=%s:/", s.ep.host, s.ep.port, s.ep.user, t.secret)
	args := []string{"copy", "--config", "", "-q",
		"--transfers", strconv.Itoa(s.parallel), "--checkers", strconv.Itoa(s.parallel),
		remote, s.dst}
	return args, baseEnv(s.work)
}

func lftpCommand(t *tool, s runSpec) ([]string, []string) {
	mirror := fmt.Sprintf("mirror --parallel=%d", s.parallel)
	if s.pget {
		mirror += " --use-pget-n=8"
	}
	script := strings.Join([]string{
		"set cmd:interactive false",
		"set ftp:passive-mode on",
		"set net:max-retries 2",
		"set net:timeout 30",
		"set xfer:clobber on",
		fmt.Sprintf("open -u %s,%s ftp://%s:%d", s.ep.user, s.ep.password, s.ep.host, s.ep.port),
		mirror + " / " + lftpQuote(s.dst),
	}, "; ")
	return []string{"-c", script}, baseEnv(s.work)
}

// lftpQuote quotes a local path for an lftp command line.
func lftpQuote(p string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(p) + `"`
}

// installHint is printed when rclone or lftp is missing.
const installHint = "apt-get install rclone lftp"

// findTools resolves the requested tools. ftpmirror is built into binDir
// unless prebuilt is set. A missing rclone or lftp is reported through
// warn and left out; a missing ftpmirror is an error.
func findTools(ctx context.Context, names []string, prebuilt, binDir, password string, warn func(string)) ([]*tool, error) {
	var out []*tool
	for _, name := range names {
		t := &tool{name: name}
		switch name {
		case toolFtpmirror:
			t.command = ftpmirrorCommand
			t.bin = prebuilt
			if t.bin == "" {
				bin, err := buildFtpmirror(ctx, binDir)
				if err != nil {
					return nil, err
				}
				t.bin = bin
			}
			t.version = firstLine(ctx, t.bin, "version")
		case toolRclone, toolLftp:
			bin, err := exec.LookPath(name)
			if err != nil {
				warn(fmt.Sprintf("%s is not installed; measuring without it (hint: %s)", name, installHint))
				continue
			}
			t.bin = bin
			t.version = firstLine(ctx, bin, "--version")
			if name == toolLftp {
				t.command = lftpCommand
				break
			}
			t.command = rcloneCommand
			obscured, err := exec.CommandContext(ctx, bin, "obscure", password).Output()
			if err != nil {
				return nil, fmt.Errorf("rclone obscure: %w", err)
			}
			t.secret = strings.TrimSpace(string(obscured))
		}
		out = append(out, t)
	}
	return out, nil
}

// buildFtpmirror runs go build for cmd/ftpmirror of the module in the
// current directory, so the binary measured is the code checked out.
func buildFtpmirror(ctx context.Context, binDir string) (string, error) {
	bin := filepath.Join(binDir, "ftpmirror")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/ftpmirror/ftpmirror/cmd/ftpmirror")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) || errors.Is(err, exec.ErrNotFound) {
			return "", fmt.Errorf("go build ./cmd/ftpmirror (run ftpbench inside the module, or pass -ftpmirror BINARY): %w\n%s", err, out.String())
		}
		return "", fmt.Errorf("go build ./cmd/ftpmirror: %w", err)
	}
	return bin, nil
}

// firstLine runs bin with args and returns the first line of its output.
func firstLine(ctx context.Context, bin string, args ...string) string {
	out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
	if err != nil && len(out) == 0 {
		return "unknown"
	}
	line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	return strings.TrimSpace(line)
}
