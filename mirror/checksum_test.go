package mirror

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
	"github.com/ftpmirror/ftpmirror/internal/hostileftp"
	"github.com/ftpmirror/ftpmirror/state"
)

func TestChecksumVerifiesEveryTransferWithProftpdDigests(t *testing.T) {
	files := map[string]string{"a.txt": "alpha\n", "d/b.bin": strings.Repeat("b", 300<<10), "empty": ""}
	t.Run("pull", func(t *testing.T) {
		remote := t.TempDir()
		ftptest.WriteTree(t, remote, files)
		s := ftptest.StartProftpd(t, remote, ftptest.ProftpdOptions{Chroot: true, ReadOnly: true})
		f := &pullFixture{t: t, remote: remote, local: filepath.Join(t.TempDir(), "m"), state: filepath.Join(t.TempDir(), "s.db"), srv: serverFor(s)}
		r := f.mustPull(func(o *PullOptions) { o.Checksum = true })
		if r.Checksum == "" || r.Verified != 3 {
			t.Errorf("checksum %q, verified %d; want a digest and 3", r.Checksum, r.Verified)
		}
		ftptest.TreeEqual(t, remote, f.local)
		st, err := state.Open(f.state, state.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if m, _ := st.Meta(); m.Checksum != string(r.Checksum) {
			t.Errorf("the state records checksum %q, want %q", m.Checksum, r.Checksum)
		}
	})
	t.Run("push", func(t *testing.T) {
		local := t.TempDir()
		ftptest.WriteTree(t, local, files)
		remote := t.TempDir()
		s := ftptest.StartProftpd(t, remote, ftptest.ProftpdOptions{Chroot: true})
		f := &pullFixture{t: t, remote: remote, local: local, state: filepath.Join(t.TempDir(), "s.db"), srv: serverFor(s)}
		r := f.mustPush(func(o *PushOptions) { o.Checksum = true })
		if r.Checksum == "" || r.Verified != 3 {
			t.Errorf("checksum %q, verified %d; want a digest and 3", r.Checksum, r.Verified)
		}
		ftptest.TreeEqual(t, local, remote)
	})
}

func TestChecksumMismatchIsRetriedThenAFailureThatLeavesNothing(t *testing.T) {
	good := []byte("the real content\n")
	sum := sha256.Sum256(good)
	o := hostileftp.Options{
		MLST: true,
		Listings: map[string][]string{"/": {
			hostileftp.MLSDLine("file", "17", "good.txt"), hostileftp.MLSDLine("file", "17", "bad.txt"),
		}},
		Files:  map[string]hostileftp.File{"/good.txt": {Data: good}, "/bad.txt": {Data: good}},
		SHA256: map[string]string{"/good.txt": hex.EncodeToString(sum[:]), "/bad.txt": strings.Repeat("ab", 32)},
	}
	h := newHostile(t, o)
	r, err := h.pull(context.Background(), func(o *PullOptions) { o.Checksum = true; o.Retries = 1 })
	if err != nil {
		t.Fatal(err)
	}
	var ce *ChecksumError
	if len(r.Failed) != 1 || r.Failed[0].Path != "bad.txt" || !errors.As(r.Failed[0].Err, &ce) || ce.Alg != HashSHA256 {
		t.Fatalf("failed: %v", r.Failed)
	}
	if n := h.srv.Stats().Count("RETR"); n != 3 { // good once, bad twice
		t.Errorf("RETR sent %d times, want 3", n)
	}
	if _, err := os.Stat(filepath.Join(h.local, "bad.txt")); !os.IsNotExist(err) {
		t.Errorf("a file that failed its checksum is under its name: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(h.local, "good.txt")); err != nil || string(b) != string(good) {
		t.Errorf("good.txt: %q, %v", b, err)
	}
	if temps := h.tempNames(); len(temps) > 0 {
		t.Errorf("temporary files left: %v", temps)
	}
}

func TestChecksumWithoutServerDigestsGoesOnBySize(t *testing.T) {
	f := newPullFixture(t, map[string]string{"a.txt": "a\n"}, ftptest.Options{})
	r := f.mustPull(func(o *PullOptions) { o.Checksum = true })
	if r.Checksum != "" || r.Verified != 0 || r.Done.Downloads != 1 {
		t.Errorf("checksum %q, verified %d, downloads %d", r.Checksum, r.Verified, r.Done.Downloads)
	}
	st, err := state.Open(f.state, state.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if m, _ := st.Meta(); m.Checksum != "size" {
		t.Errorf("the state records checksum %q, want size", m.Checksum)
	}
}
