//go:build unix

package main

import (
	"fmt"
	"os"
	"syscall"
)

// lockDir holds an exclusive flock on dir until the returned function is
// called, so that two runs sharing a metrics file do not lose each other's
// figures. Locking the directory leaves no lock file beside the metrics.
func lockDir(dir string) (func(), error) {
	d, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(d.Fd()), syscall.LOCK_EX); err != nil {
		_ = d.Close()
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	return func() {
		_ = syscall.Flock(int(d.Fd()), syscall.LOCK_UN)
		_ = d.Close()
	}, nil
}
