package ftptest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
)

// setupSystem makes sure the FTP user and PAM service exist, and returns
// the user's ids.
func setupSystem() (uid, gid int, err error) {
	lock, err := os.OpenFile(setupLockFile, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return 0, 0, fmt.Errorf("ftptest: setup lock: %w", err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return 0, 0, fmt.Errorf("ftptest: setup lock: %w", err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)

	if _, err := user.Lookup(VsftpdUser); err != nil {
		out, err := exec.Command("useradd", "--system", "--no-create-home",
			"--home-dir", "/", "--shell", "/usr/sbin/nologin", VsftpdUser).CombinedOutput()
		if err != nil {
			return 0, 0, fmt.Errorf("ftptest: useradd %s: %w: %s", VsftpdUser, err, out)
		}
	}
	if u, err := user.Lookup(VsftpdUser); err == nil {
		// vsftpd changes to the home directory before local_root.
		if fi, err := os.Stat(u.HomeDir); err != nil || !fi.IsDir() {
			if out, err := exec.Command("usermod", "--home", "/", VsftpdUser).CombinedOutput(); err != nil {
				return 0, 0, fmt.Errorf("ftptest: usermod %s: %w: %s", VsftpdUser, err, out)
			}
		}
	}
	chpasswd := exec.Command("chpasswd")
	chpasswd.Stdin = strings.NewReader(VsftpdUser + ":" + VsftpdPassword + "\n")
	if out, err := chpasswd.CombinedOutput(); err != nil {
		return 0, 0, fmt.Errorf("ftptest: chpasswd: %w: %s", err, out)
	}
	if cur, err := os.ReadFile(pamFile); err != nil || string(cur) != pamConfig {
		tmp := pamFile + ".tmp"
		if err := os.WriteFile(tmp, []byte(pamConfig), 0o644); err != nil {
			return 0, 0, fmt.Errorf("ftptest: PAM service: %w", err)
		}
		if err := os.Rename(tmp, pamFile); err != nil {
			return 0, 0, fmt.Errorf("ftptest: PAM service: %w", err)
		}
	}
	u, err := user.Lookup(VsftpdUser)
	if err != nil {
		return 0, 0, fmt.Errorf("ftptest: %w", err)
	}
	if _, err := fmt.Sscan(u.Uid, &uid); err != nil {
		return 0, 0, fmt.Errorf("ftptest: uid %q: %w", u.Uid, err)
	}
	if _, err := fmt.Sscan(u.Gid, &gid); err != nil {
		return 0, 0, fmt.Errorf("ftptest: gid %q: %w", u.Gid, err)
	}
	return uid, gid, nil
}

func chownTree(root string, uid, gid int) error {
	err := filepath.WalkDir(root, func(p string, _ os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, gid)
	})
	if err != nil {
		return fmt.Errorf("ftptest: chown %s: %w", root, err)
	}
	return nil
}

// killTree ends vsftpd and its session processes, which vsftpd puts in
// sessions of their own (setsid), by pid: the listener is stopped first so
// it forks no more, then its descendants are found in /proc and killed.
func killTree(pid int) {
	_ = syscall.Kill(pid, syscall.SIGSTOP)
	children := map[int][]int{}
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		// "pid (comm) state ppid ...": comm may hold spaces, so cut at ')'.
		i := bytes.LastIndexByte(b, ')')
		var p, ppid int
		var state string
		if i < 0 {
			continue
		}
		if _, err := fmt.Sscan(string(b[:bytes.IndexByte(b, ' ')]), &p); err != nil {
			continue
		}
		if _, err := fmt.Sscan(string(b[i+1:]), &state, &ppid); err != nil {
			continue
		}
		children[ppid] = append(children[ppid], p)
	}
	var victims []int
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range children[p] {
			victims = append(victims, c)
			queue = append(queue, c)
		}
	}
	for _, v := range victims {
		_ = syscall.Kill(v, syscall.SIGKILL)
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
}

// allowTraverse adds o+x to dir and its ancestors where it is missing
// (t.TempDir makes 0700 directories): vsftpd changes to local_root as the
// FTP user, before the chroot.
func allowTraverse(dir string) error {
	for {
		fi, err := os.Stat(dir)
		if err != nil {
			return fmt.Errorf("ftptest: %w", err)
		}
		if fi.Mode().Perm()&0o001 == 0 {
			if err := os.Chmod(dir, fi.Mode().Perm()|0o001); err != nil {
				return fmt.Errorf("ftptest: %w", err)
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return nil
		}
		dir = parent
	}
}
