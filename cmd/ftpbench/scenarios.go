package main

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/ftpmirror/ftpmirror/internal/ftpproxy"
	"github.com/ftpmirror/ftpmirror/internal/ftptest"
)

// scenarioIDs are the scenarios in run order. "d" on the command line
// selects both of its parts.
func scenarioIDs() []string { return []string{"a", "b", "c", "d", "m", "f"} }

// scenario is one measured situation: a link, a tree and whether the
// destination starts empty.
type scenario struct {
	id    string // as printed: "a", "b", "c", "d-small", "d-big", "m", "f"
	title string
	// delay is the one-way delay of the emulated link (RTT = 2*delay);
	// bytesPerSec caps each direction of each data connection. With
	// neither, the tools connect to the server directly, without the proxy.
	delay       time.Duration
	bytesPerSec int64
	// resync runs into the destination the previous scenario of the group
	// left, with its state: the "nothing changed" case.
	resync bool
	// pget asks lftp for segmented downloads (mirror --use-pget-n=8).
	pget bool
	// passive is what the proxy does with passive replies: a blackhole is
	// a firewall that drops passive data connections.
	passive ftpproxy.PassiveFault
	// only, if set, is the one tool the scenario runs (the others have no
	// way past its fault, and would only wait out their timeouts).
	only string
	// target is the goal for ftpmirror, checked by the report.
	target target
}

func (s scenario) proxied() bool {
	return s.delay > 0 || s.bytesPerSec > 0 || s.passive != ftpproxy.PassiveOK
}

// target is a goal for ftpmirror in one scenario.
type target struct {
	vs       string        // toolRclone or toolLftp: time ratio at most maxRatio
	maxRatio float64       // 0: no time goal
	maxRSSMB float64       // 0: no memory goal
	maxWall  time.Duration // 0: no goal on the time of ftpmirror alone
	text     string
}

// group is a source tree served once, and the scenarios run against it,
// in order, by each tool into the same destination.
type group struct {
	id        string
	tree      treeSpec
	scenarios []scenario
}

// treeSpec says what source tree to generate.
type treeSpec struct {
	files, dirs, maxSize int
	bigFiles             int
	bigSize              int64
	seed                 int64
}

// groups returns the groups to run for the selected scenarios.
func groups(c config) []group {
	want := map[string]bool{}
	for _, s := range c.scenarios {
		want[s] = true
	}
	delay := c.rtt / 2
	var out []group
	if want["a"] || want["b"] {
		g := group{id: "small", tree: treeSpec{files: c.files, dirs: c.dirs, maxSize: c.maxSize, seed: 1}}
		// (b) needs the destination (a) leaves, so (a) runs whenever (b) does.
		g.scenarios = append(g.scenarios, scenario{
			id: "a", title: fmt.Sprintf("%d files, %d dirs, 0-%s, RTT %s, fresh", c.files, c.dirs, sizeText(int64(c.maxSize)), c.rtt),
			delay: delay, target: target{vs: toolRclone, maxRatio: 0.5, text: "<= 0.5 x rclone"},
		})
		if want["b"] {
			g.scenarios = append(g.scenarios, scenario{
				id: "b", title: "the same, nothing changed", delay: delay, resync: true,
				target: target{vs: toolRclone, maxRatio: 0.15, text: "<= 0.15 x rclone"},
			})
		}
		out = append(out, g)
	}
	if want["c"] {
		out = append(out, group{id: "big", tree: treeSpec{bigFiles: 1, bigSize: c.big, seed: 3}, scenarios: []scenario{{
			id: "c", title: fmt.Sprintf("1 x %s, RTT %s, %s/s per connection", sizeText(c.big), c.rtt, rateText(c.bandwidth)),
			delay: delay, bytesPerSec: c.bandwidth, pget: true,
			target: target{vs: toolLftp, maxRatio: 1, text: "<= 1 x lftp pget-n=8"},
		}}})
	}
	if want["d"] {
		dirs := max(1, c.smallFiles*c.dirs/max(1, c.files))
		out = append(out,
			group{id: "loop-small", tree: treeSpec{files: c.smallFiles, dirs: dirs, maxSize: c.maxSize, seed: 4}, scenarios: []scenario{{
				id: "d-small", title: fmt.Sprintf("loopback, %d files, %d dirs", c.smallFiles, dirs),
				target: target{vs: toolRclone, maxRatio: 1, text: "<= 1 x rclone"},
			}}},
			group{id: "loop-big", tree: treeSpec{bigFiles: c.bigCount, bigSize: c.big, seed: 5}, scenarios: []scenario{{
				id: "d-big", title: fmt.Sprintf("loopback, %d x %s", c.bigCount, sizeText(c.big)),
				target: target{vs: toolRclone, maxRatio: 1, text: "<= 1 x rclone"},
			}}})
	}
	if want["m"] {
		dirs := max(1, c.memFiles/100)
		out = append(out, group{id: "mem", tree: treeSpec{files: c.memFiles, dirs: dirs, maxSize: 1024, seed: 6}, scenarios: []scenario{{
			id: "m", title: fmt.Sprintf("loopback, %d files, %d dirs, 0-1KiB: time and peak RSS", c.memFiles, dirs),
			target: target{vs: toolRclone, maxRatio: 0.8, maxRSSMB: 150, text: "<= 0.8 x rclone, peak RSS < 150 MB"},
		}}})
	}
	if want["f"] {
		out = append(out, group{id: "firewall", tree: treeSpec{files: c.firewallFiles, dirs: max(1, c.firewallFiles/20), maxSize: c.maxSize, seed: 7},
			scenarios: []scenario{{
				id: "f", title: fmt.Sprintf("first run behind a firewall dropping passive data connections, loopback, %d files", c.firewallFiles),
				passive: ftpproxy.PassiveBlackhole, only: toolFtpmirror,
				target: target{maxWall: 12 * time.Second, text: "<= 12 s (one 10 s data timeout, then the files)"},
			}}})
	}
	return out
}

// writeTree generates the source tree of spec under root.
func writeTree(root string, spec treeSpec) error {
	if err := os.MkdirAll(root, 0o755); err != nil {
		return err
	}
	if spec.files > 0 {
		if err := ftptest.RandomTree(root, spec.seed, spec.files, spec.dirs, spec.maxSize); err != nil {
			return err
		}
	}
	for i := range spec.bigFiles {
		name := filepath.Join(root, fmt.Sprintf("big%02d.bin", i))
		if err := writeRandomFile(name, spec.bigSize, spec.seed+int64(i)); err != nil {
			return err
		}
	}
	return nil
}

// writeRandomFile writes size pseudo-random (incompressible) bytes with an
// mtime in 2024.
func writeRandomFile(name string, size, seed int64) error {
	var key [32]byte
	key[0], key[1] = byte(seed), byte(seed>>8)
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if _, err := io.CopyN(f, rand.NewChaCha8(key), size); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	mt := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC).Add(time.Duration(seed) * time.Hour)
	return os.Chtimes(name, mt, mt)
}

func sizeText(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%dGiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%dMiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%dKiB", n>>10)
	}
	return fmt.Sprintf("%dB", n)
}

func rateText(bps int64) string {
	if bps >= 1e6 {
		return fmt.Sprintf("%gMB", float64(bps)/1e6)
	}
	return fmt.Sprintf("%gkB", float64(bps)/1e3)
}
