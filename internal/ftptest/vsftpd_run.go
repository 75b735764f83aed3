package ftptest

import (
	"errors"
	"fmt"
	"os"
)

// RunVsftpd is StartVsftpd for programs (benchmarks) rather than tests: it
// runs vsftpd on 127.0.0.1 serving root, as StartVsftpd does, and returns
// the server and a stop function that ends vsftpd and its sessions and
// removes its configuration directory. It fails, rather than skipping, when
// vsftpd is missing or the process is not root.
func RunVsftpd(root string, o VsftpdOptions) (*Server, func(), error) {
	if reason := vsftpdUnavailable(); reason != "" {
		return nil, nil, fmt.Errorf("ftptest: cannot run vsftpd: %s", reason)
	}
	dir, err := os.MkdirTemp("", "ftptest-vsftpd-")
	if err != nil {
		return nil, nil, fmt.Errorf("ftptest: %w", err)
	}
	var s *Server
	for attempt := 0; attempt < 5; attempt++ { // the free port may be taken meanwhile
		s, err = startVsftpd(root, dir, o)
		if !errors.Is(err, errPortTaken) {
			break
		}
	}
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, nil, err
	}
	stop := func() {
		_ = s.Close()
		_ = os.RemoveAll(dir)
	}
	return s, stop, nil
}
