package mirror

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"path"
	"slices"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/ftpmirror/ftpmirror/plan"
)

// CheckMode is how Check compares files that both trees hold.
type CheckMode string

// The ways of comparing files in Check.
const (
	CheckSize     CheckMode = "size"     // by size alone
	CheckHash     CheckMode = "hash"     // and by the server's digest (hash.go)
	CheckDownload CheckMode = "download" // and by the bytes, downloaded
)

// CheckOptions configure Check: RunOptions' connection, directories,
// Filter, Parallel, Retries and Logger; DryRun and Store are not used (a
// check changes nothing and keeps no state).
type CheckOptions struct {
	RunOptions
	Mode CheckMode
}

// CheckDiff is a file both trees hold, found different.
type CheckDiff struct {
	Path string `json:"path"`
	Why  string `json:"why"`
}

// CheckReport is what Check found. Paths are sorted.
type CheckReport struct {
	// Method is how files were compared: "size", the digest's name, or
	// "download".
	Method string
	// OnlyRemote and OnlyLocal are the files only one tree holds.
	OnlyRemote, OnlyLocal []string
	Differ                []CheckDiff
	// Matched counts the files found alike.
	Matched int
	// Failed lists the listings and comparisons that failed.
	Failed []FileError
}

// Match reports whether the trees hold the same files, all alike.
func (r *CheckReport) Match() bool {
	return len(r.OnlyRemote)+len(r.OnlyLocal)+len(r.Differ)+len(r.Failed) == 0
}

// Check compares the remote tree at o.RemoteDir with the local tree at
// o.LocalDir without changing either (rclone check): the files each lacks,
// and those whose size differs; with CheckHash, the others by the server's
// digest (ErrNoHash when the server offers none); with CheckDownload, by
// their bytes. Directories and symlinks are not compared. It is the run
// pipeline in a dry run, whose plan is the comparison.
func Check(ctx context.Context, o CheckOptions) (*CheckReport, error) {
	rep := &CheckReport{Method: string(CheckSize)}
	var alike []string // same size on both sides: for the content check
	var mu sync.Mutex
	ro := o.RunOptions
	ro.DryRun, ro.Store, ro.Checksum, ro.BackupDir = true, nil, false, ""
	r, err := run(ctx, ro, direction{
		localMustExist: true,
		entryRulesOn:   judgeBoth,
		backupSide:     backupNone,
		plan: func(t trees) plan.Plan {
			alike = rep.compareSizes(t)
			return plan.Plan{}
		},
		settle: func(ctx context.Context, env settleEnv, p plan.Plan) (plan.Plan, []FileError, error) {
			if o.Mode == CheckSize || o.Mode == "" || len(alike) == 0 {
				return p, nil, nil
			}
			return p, nil, rep.compareContent(ctx, env, o.Mode, alike, &mu)
		},
		guard: func(plan.Plan, trees, plan.Limit) error { return nil },
	})
	if r != nil {
		rep.Failed = append(r.Failed, rep.Failed...)
	}
	if err != nil {
		return nil, err
	}
	slices.SortFunc(rep.Failed, func(a, b FileError) int { return plan.ComparePath(a.Path, b.Path) })
	slices.SortFunc(rep.Differ, func(a, b CheckDiff) int { return plan.ComparePath(a.Path, b.Path) })
	return rep, nil
}

// compareSizes pairs the files of both trees that the filter keeps, notes
// those one side lacks or whose sizes differ, and returns the others.
func (r *CheckReport) compareSizes(t trees) (alike []string) {
	files := func(es []plan.Entry) map[string]plan.Entry {
		m := map[string]plan.Entry{}
		for _, e := range es {
			if e.Kind == plan.KindFile && t.filter.Match(e.Path, e.Kind) {
				m[e.Path] = e
			}
		}
		return m
	}
	remote, local := files(t.listing.Entries), files(t.local)
	for p, re := range remote {
		le, ok := local[p]
		switch {
		case !ok:
			r.OnlyRemote = append(r.OnlyRemote, p)
		case le.Size != re.Size:
			r.Differ = append(r.Differ, CheckDiff{Path: p, Why: fmt.Sprintf("size %d on the server, %d here", re.Size, le.Size)})
		default:
			alike = append(alike, p)
		}
	}
	for p := range local {
		if _, ok := remote[p]; !ok {
			r.OnlyLocal = append(r.OnlyLocal, p)
		}
	}
	slices.SortFunc(r.OnlyRemote, plan.ComparePath)
	slices.SortFunc(r.OnlyLocal, plan.ComparePath)
	slices.SortFunc(alike, plan.ComparePath)
	r.Matched = len(alike)
	return alike
}

// compareContent compares the files of alike by the server's digest or by
// their downloaded bytes, over the pool.
func (r *CheckReport) compareContent(ctx context.Context, env settleEnv, mode CheckMode, alike []string, mu *sync.Mutex) error {
	var m HashMethod
	if mode == CheckHash {
		var hs HashSupport
		if err := env.pool.Do(ctx, func(c *Conn) (err error) { hs, err = c.HashSupport(ctx); return err }); err != nil {
			return err
		}
		var ok bool
		if m, ok = hs.Best(); !ok {
			return ErrNoHash
		}
		r.Method = string(m.Alg)
	} else {
		r.Method, m.Alg = string(CheckDownload), HashSHA256
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(env.pool.Limit())
	for _, rel := range alike {
		g.Go(func() error {
			remotePath := path.Join(env.o.RemoteDir, rel)
			var remote []byte
			err := retry(gctx, env.o.Retries, env.o.Logger, "check "+rel, func() error {
				return env.pool.Do(gctx, func(c *Conn) (err error) {
					if mode == CheckHash {
						remote, err = c.HashWith(gctx, remotePath, m)
						return err
					}
					h := sha256.New()
					_, err = c.Retr(gctx, remotePath, 0, h)
					remote = h.Sum(nil)
					return err
				})
			})
			var local []byte
			if err == nil {
				local, err = hashLocal(env.localRoot, rel, m.Alg)
			}
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil && Classify(err) == KindFatal:
				return err
			case err != nil:
				r.Failed = append(r.Failed, FileError{Path: rel, Op: "check", Err: err})
				r.Matched--
			case !bytes.Equal(remote, local):
				why := string(m.Alg) + " differs"
				if mode == CheckDownload {
					why = "the bytes differ"
				}
				r.Differ = append(r.Differ, CheckDiff{Path: rel, Why: why})
				r.Matched--
			}
			return nil
		})
	}
	return g.Wait()
}

// hashLocal is the digest of the local file at rel, read beneath root.
func hashLocal(root, rel string, alg HashAlgorithm) ([]byte, error) {
	f, _, err := openLocal(root, rel)
	if err != nil {
		return nil, &LocalError{Err: err}
	}
	defer f.Close()
	return HashReader(f, alg)
}
