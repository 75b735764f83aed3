package ftptest

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"os"
	"strings"
	"testing"
	"time"
)

// tlsLogin opens an explicit-TLS control connection, logged in, with a
// session cache so data connections can resume the control session.
func tlsLogin(t *testing.T, s *Server) (*textproto.Conn, *tls.Config) {
	t.Helper()
	conf := &tls.Config{RootCAs: s.CertPool, ServerName: "127.0.0.1", ClientSessionCache: tls.NewLRUClientSessionCache(4)}
	conn, err := net.DialTimeout("tcp", s.Addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	tp := textproto.NewConn(conn)
	t.Cleanup(func() { tp.Close() })
	if _, _, err := tp.ReadResponse(220); err != nil {
		t.Fatal(err)
	}
	if code, msg := rawCmd(t, tp, "AUTH TLS"); code != 234 {
		t.Fatalf("AUTH TLS: %d %s", code, msg)
	}
	tc := tls.Client(conn, conf)
	if err := tc.Handshake(); err != nil {
		t.Fatal(err)
	}
	tp = textproto.NewConn(tc)
	t.Cleanup(func() { tp.Close() })
	for _, c := range []struct {
		cmd  string
		code int
	}{{"USER " + s.User, 331}, {"PASS " + s.Password, 230}, {"PBSZ 0", 200}} {
		if code, msg := rawCmd(t, tp, "%s", c.cmd); code != c.code {
			t.Fatalf("%s: %d %s", c.cmd, code, msg)
		}
	}
	return tp, conf
}

func epsvPort(t *testing.T, tp *textproto.Conn) int {
	t.Helper()
	code, msg := rawCmd(t, tp, "EPSV")
	var port int
	i := strings.Index(msg, "(|||")
	if code != 229 || i < 0 {
		t.Fatalf("EPSV: %d %s", code, msg)
	}
	if _, err := fmt.Sscanf(msg[i:], "(|||%d|)", &port); err != nil {
		t.Fatalf("EPSV %q: %v", msg, err)
	}
	return port
}

func TestDataPROTCSendsClearDataOverTLSControl(t *testing.T) {
	s := Start(t, sampleTree(t), Options{TLS: TLSExplicit})
	tp, _ := tlsLogin(t, s)
	if code, msg := rawCmd(t, tp, "PROT C"); code != 200 {
		t.Fatalf("PROT C: %d %s", code, msg)
	}
	data, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", epsvPort(t, tp)))
	if err != nil {
		t.Fatal(err)
	}
	defer data.Close()
	_ = data.SetDeadline(time.Now().Add(10 * time.Second))
	if code, msg := rawCmd(t, tp, "RETR sub/b.txt"); code != 150 {
		t.Fatalf("RETR: %d %s", code, msg)
	}
	b, _ := io.ReadAll(data)
	if string(b) != "0123456789" {
		t.Errorf("clear data = %q", b)
	}
	if _, _, err := tp.ReadResponse(226); err != nil {
		t.Fatal(err)
	}
}

func TestDataPROTPResumesControlSessionPassiveAndActive(t *testing.T) {
	s := Start(t, sampleTree(t), Options{TLS: TLSExplicit})
	tp, conf := tlsLogin(t, s)
	if code, msg := rawCmd(t, tp, "PROT P"); code != 200 {
		t.Fatalf("PROT P: %d %s", code, msg)
	}
	for _, mode := range []string{"EPSV", "EPRT"} {
		var raw net.Conn
		var accepted chan net.Conn
		if mode == "EPSV" {
			var err error
			if raw, err = net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", epsvPort(t, tp))); err != nil {
				t.Fatal(err)
			}
		} else {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			accepted = make(chan net.Conn, 1)
			go func() {
				defer ln.Close()
				c, _ := ln.Accept()
				accepted <- c
			}()
			if code, msg := rawCmd(t, tp, "EPRT |1|127.0.0.1|%d|", ln.Addr().(*net.TCPAddr).Port); code != 200 {
				t.Fatalf("EPRT: %d %s", code, msg)
			}
		}
		if code, msg := rawCmd(t, tp, "RETR sub/b.txt"); code != 150 {
			t.Fatalf("%s RETR: %d %s", mode, code, msg)
		}
		if accepted != nil {
			if raw = <-accepted; raw == nil {
				t.Fatalf("%s: server did not connect", mode)
			}
		}
		_ = raw.SetDeadline(time.Now().Add(10 * time.Second))
		data := tls.Client(raw, conf)
		b, err := io.ReadAll(data)
		if err != nil || string(b) != "0123456789" {
			t.Errorf("%s TLS data = %q, %v", mode, b, err)
		}
		if !data.ConnectionState().DidResume {
			t.Errorf("%s: data connection did not resume the control TLS session", mode)
		}
		data.Close()
		if _, _, err := tp.ReadResponse(226); err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
	}
}

func TestDataPORTToAnotherAddressIsRefused(t *testing.T) {
	s := Start(t, sampleTree(t), Options{})
	tp := rawLogin(t, s)
	for _, cmd := range []string{"PORT 10,1,2,3,4,5", "EPRT |1|10.1.2.3|1029|"} {
		if code, msg := rawCmd(t, tp, "%s", cmd); code != 500 {
			t.Errorf("%s = %d %s; want 500", cmd, code, msg)
		}
	}
	for _, cmd := range []string{"PORT 1,2,3", "EPRT |9|x|y|", "PORT a,b,c,d,e,f"} {
		if code, msg := rawCmd(t, tp, "%s", cmd); code != 501 {
			t.Errorf("%s = %d %s; want 501", cmd, code, msg)
		}
	}
}

func TestDataPassiveListensOnLoopbackOnly(t *testing.T) {
	if _, err := os.Stat("/proc/net/tcp"); err != nil {
		t.Skip("no /proc/net/tcp to inspect listening sockets")
	}
	s := Start(t, sampleTree(t), Options{})
	tp := rawLogin(t, s)
	port := epsvPort(t, tp)
	// In /proc/net/tcp a listening socket (state 0A) on 127.0.0.1:port
	// reads "0100007F:PPPP"; on all interfaces "00000000:PPPP".
	want := fmt.Sprintf("0100007F:%04X", port)
	var found []string
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			fields := strings.Fields(line)
			if len(fields) > 3 && fields[3] == "0A" && strings.HasSuffix(fields[1], fmt.Sprintf(":%04X", port)) {
				found = append(found, fields[1])
			}
		}
	}
	if len(found) != 1 || found[0] != want {
		t.Errorf("passive listener for port %d bound to %v; want only %s", port, found, want)
	}
}
