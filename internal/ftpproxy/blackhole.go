package ftpproxy

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"syscall"
	"time"
)

// holdSocket is a loopback port the proxy holds so that it keeps behaving
// the same for the proxy's lifetime: refusing connections, or never
// completing them.
type holdSocket struct {
	fd      int
	port    int
	fillers []net.Conn // connections that keep a blackhole's accept queue full
}

func (h *holdSocket) Close() {
	for _, c := range h.fillers {
		_ = c.Close()
	}
	_ = syscall.Close(h.fd)
}

// boundSocket returns a TCP socket bound to 127.0.0.1:0 and its port.
func boundSocket() (fd, port int, err error) {
	fd, err = syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, 0, fmt.Errorf("ftpproxy: socket: %w", err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		_ = syscall.Close(fd)
		return -1, 0, fmt.Errorf("ftpproxy: bind: %w", err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		_ = syscall.Close(fd)
		return -1, 0, fmt.Errorf("ftpproxy: getsockname: %w", err)
	}
	return fd, sa.(*syscall.SockaddrInet4).Port, nil
}

// refusingPort holds a port that is bound but not listening: nobody else
// can take it, and a connect to it is answered with RST ("connection
// refused").
func refusingPort() (*holdSocket, error) {
	fd, port, err := boundSocket()
	if err != nil {
		return nil, err
	}
	return &holdSocket{fd: fd, port: port}, nil
}

// blackholePort holds a port whose connects never complete. It listens
// with a backlog of 0 and never accepts; the proxy fills the accept queue
// with its own connections, after which Linux drops further SYNs (with the
// default net.ipv4.tcp_abort_on_overflow=0), so a client's connect hangs
// until its own timeout. Everything stays on loopback.
func blackholePort(dialTimeout time.Duration) (*holdSocket, error) {
	fd, port, err := boundSocket()
	if err != nil {
		return nil, err
	}
	h := &holdSocket{fd: fd, port: port}
	if err := syscall.Listen(fd, 0); err != nil {
		h.Close()
		return nil, fmt.Errorf("ftpproxy: listen: %w", err)
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	// Fill until a connect times out: that one proves the hole works.
	probe := min(dialTimeout, 150*time.Millisecond)
	for range 4 {
		c, err := net.DialTimeout("tcp", addr, probe)
		if err == nil {
			h.fillers = append(h.fillers, c)
			continue
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return h, nil
		}
		h.Close()
		return nil, fmt.Errorf("ftpproxy: blackhole probe: %w", err)
	}
	h.Close()
	return nil, fmt.Errorf("ftpproxy: blackhole port %d kept accepting connections", port)
}
