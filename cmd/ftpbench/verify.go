package main

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// verdict compares a tool's destination with the source tree.
type verdict struct {
	files      int // regular files in the source
	missing    int // source files absent from the destination
	differ     int // present with other bytes (or another kind)
	extra      int // files in the destination the source lacks
	mtimes     int // files with equal bytes but another mtime (to the second)
	dirsAbsent int // source directories absent from the destination
	first      string
}

// identical reports whether every source file is in the destination with
// the same bytes, and nothing else is.
func (v verdict) identical() bool { return v.missing == 0 && v.differ == 0 && v.extra == 0 }

// notes describes what differs besides file bytes.
func (v verdict) notes() string {
	var n []string
	if v.missing > 0 {
		n = append(n, fmt.Sprintf("%d missing", v.missing))
	}
	if v.differ > 0 {
		n = append(n, fmt.Sprintf("%d differ", v.differ))
	}
	if v.extra > 0 {
		n = append(n, fmt.Sprintf("%d extra", v.extra))
	}
	if v.mtimes > 0 {
		n = append(n, fmt.Sprintf("mtime differs on %d/%d", v.mtimes, v.files))
	}
	if v.dirsAbsent > 0 {
		n = append(n, fmt.Sprintf("%d empty dirs not created", v.dirsAbsent))
	}
	if v.first != "" && !v.identical() {
		n = append(n, "e.g. "+v.first)
	}
	return strings.Join(n, "; ")
}

// compareTrees walks src and checks every file's bytes in dst, then walks
// dst for extra files. Symlinks are not expected in the generated trees and
// count as files of another kind.
func compareTrees(src, dst string) (verdict, error) {
	var v verdict
	note := func(p, what string) {
		if v.first == "" {
			v.first = p + ": " + what
		}
	}
	bufA, bufB := make([]byte, 1<<20), make([]byte, 1<<20)
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if rel == "." {
			return nil
		}
		other := filepath.Join(dst, rel)
		if d.IsDir() {
			if fi, err := os.Stat(other); err != nil || !fi.IsDir() {
				v.dirsAbsent++
			}
			return nil
		}
		v.files++
		oi, err := os.Lstat(other)
		if err != nil {
			v.missing++
			note(rel, "missing")
			return nil
		}
		if !oi.Mode().IsRegular() {
			v.differ++
			note(rel, "not a regular file")
			return nil
		}
		si, err := d.Info()
		if err != nil {
			return err
		}
		same, err := sameBytes(p, other, si.Size(), oi.Size(), bufA, bufB)
		if err != nil {
			return err
		}
		if !same {
			v.differ++
			note(rel, fmt.Sprintf("bytes differ (sizes %d, %d)", si.Size(), oi.Size()))
			return nil
		}
		if !si.ModTime().Truncate(time.Second).Equal(oi.ModTime().Truncate(time.Second)) {
			v.mtimes++
		}
		return nil
	})
	if err != nil {
		return v, fmt.Errorf("compare %s: %w", src, err)
	}
	err = filepath.WalkDir(dst, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(dst, p)
		if _, err := os.Lstat(filepath.Join(src, rel)); err != nil {
			v.extra++
			note(rel, "extra")
		}
		return nil
	})
	if err != nil {
		return v, fmt.Errorf("compare %s: %w", dst, err)
	}
	return v, nil
}

// sameBytes compares two files of the given sizes.
func sameBytes(a, b string, sizeA, sizeB int64, bufA, bufB []byte) (bool, error) {
	if sizeA != sizeB {
		return false, nil
	}
	fa, err := os.Open(a)
	if err != nil {
		return false, err
	}
	defer fa.Close()
	fb, err := os.Open(b)
	if err != nil {
		return false, err
	}
	defer fb.Close()
	for {
		na, ea := io.ReadFull(fa, bufA)
		nb, eb := io.ReadFull(fb, bufB)
		if na != nb || !bytes.Equal(bufA[:na], bufB[:nb]) {
			return false, nil
		}
		if ea == io.EOF || ea == io.ErrUnexpectedEOF {
			return eb == io.EOF || eb == io.ErrUnexpectedEOF, nil
		}
		if ea != nil {
			return false, ea
		}
		if eb != nil && eb != io.EOF && eb != io.ErrUnexpectedEOF {
			return false, eb
		}
	}
}
