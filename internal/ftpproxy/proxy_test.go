package ftpproxy_test

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jlaffaye/ftp"

	"github.com/ftpmirror/ftpmirror/internal/ftpproxy"
	"github.com/ftpmirror/ftpmirror/internal/ftptest"
)

func TestPassiveRelayRetrievesExactBytes(t *testing.T) {
	for _, tc := range []struct {
		verb string
		opts []ftp.DialOption
	}{
		{"EPSV", nil},
		{"PASV", []ftp.DialOption{ftp.DialWithDisabledEPSV(true)}},
	} {
		t.Run(tc.verb, func(t *testing.T) {
			f := startServer(t, ftptest.Options{})
			p := startProxy(t, f, ftpproxy.Options{})
			c := login(t, f, p.Addr, tc.opts...)
			got, err := retr(c, "big.bin")
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, f.big) {
				t.Fatalf("retrieved %d bytes, differ from the %d served", len(got), len(f.big))
			}
			st := p.Stats()
			if st.DataConns != 1 || st.Verbs[tc.verb] != 1 || st.ControlConns != 1 {
				t.Errorf("stats = %+v; want 1 control, 1 data, 1 %s", st, tc.verb)
			}
		})
	}
}

func TestPassiveRelayCarriesUploads(t *testing.T) {
	f := startServer(t, ftptest.Options{})
	p := startProxy(t, f, ftpproxy.Options{})
	c := login(t, f, p.Addr)
	if err := c.Stor("up.bin", bytes.NewReader(f.big)); err != nil {
		t.Fatal(err)
	}
	got, err := retr(c, "up.bin")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, f.big) {
		t.Fatalf("uploaded then retrieved %d bytes, differ from the %d sent", len(got), len(f.big))
	}
	if n := p.Stats().DataConns; n != 2 {
		t.Errorf("data connections = %d, want 2", n)
	}
}

func TestPassiveRefuseMakesClientDataDialRefused(t *testing.T) {
	f := startServer(t, ftptest.Options{})
	p := startProxy(t, f, ftpproxy.Options{Passive: ftpproxy.PassiveRefuse})
	c := login(t, f, p.Addr)
	_, err := retr(c, "small.txt")
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("retr error = %v, want connection refused", err)
	}
}

func TestPassiveBlackholeMakesClientDataDialTimeOut(t *testing.T) {
	f := startServer(t, ftptest.Options{})
	p := startProxy(t, f, ftpproxy.Options{Passive: ftpproxy.PassiveBlackhole})
	c := login(t, f, p.Addr, ftp.DialWithDialer(net.Dialer{Timeout: 300 * time.Millisecond}))
	_, err := retr(c, "small.txt")
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() || errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("retr error = %v, want a dial timeout", err)
	}
}

func TestRejectPassiveAnswers500ToEPSVAndPASV(t *testing.T) {
	f := startServer(t, ftptest.Options{})
	p := startProxy(t, f, ftpproxy.Options{RejectPassive: true})
	c := login(t, f, p.Addr)
	_, err := retr(c, "small.txt")
	var te *textproto.Error
	if !errors.As(err, &te) || te.Code != 500 {
		t.Fatalf("retr error = %v, want 500", err)
	}
	cmds := p.Commands()
	i := slices.Index(cmds, "EPSV")
	if i < 0 || i+1 >= len(cmds) || cmds[i+1] != "PASV" {
		t.Errorf("commands = %v; want EPSV then PASV", cmds)
	}
	if st := p.Stats(); st.DataConns != 0 {
		t.Errorf("data connections = %d, want 0", st.DataConns)
	}
}

func TestRejectActiveAnswers500ToEPRTAndPORT(t *testing.T) {
	f := startServer(t, ftptest.Options{})
	p := startProxy(t, f, ftpproxy.Options{RejectActive: true})
	r := dialRaw(t, f, p.Addr)
	r.cmd(500, "EPRT |1|127.0.0.1|1234|")
	r.cmd(500, "PORT 127,0,0,1,4,210")
	// Passive still works after the rejections.
	r.cmd(229, "EPSV")
	if st := p.Stats(); st.Verbs["EPRT"] != 1 || st.Verbs["PORT"] != 1 {
		t.Errorf("verbs = %v; want one EPRT and one PORT", st.Verbs)
	}
}

func TestActiveRelayRetrievesExactBytes(t *testing.T) {
	for _, tc := range []struct {
		name, network, host string
		command             func(port int) string
	}{
		{"EPRT", "tcp4", "127.0.0.1", func(port int) string { return fmt.Sprintf("EPRT |1|127.0.0.1|%d|", port) }},
		{"PORT", "tcp4", "127.0.0.1", func(port int) string { return fmt.Sprintf("PORT 127,0,0,1,%d,%d", port/256, port%256) }},
		{"EPRT-IPv6", "tcp6", "::1", func(port int) string { return fmt.Sprintf("EPRT |2|::1|%d|", port) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ln, err := net.Listen(tc.network, net.JoinHostPort(tc.host, "0"))
			if err != nil {
				t.Skipf("cannot listen on %s: %v", tc.host, err)
			}
			defer ln.Close()
			f := startServer(t, ftptest.Options{})
			p := startProxy(t, f, ftpproxy.Options{})
			r := dialRaw(t, f, p.Addr)
			r.cmd(200, "%s", tc.command(ln.Addr().(*net.TCPAddr).Port))
			got := r.retrActive(ln, "big.bin")
			if !bytes.Equal(got, f.big) {
				t.Fatalf("retrieved %d bytes, differ from the %d served", len(got), len(f.big))
			}
			if st := p.Stats(); st.DataConns != 1 {
				t.Errorf("data connections = %d, want 1 (relayed by the proxy)", st.DataConns)
			}
		})
	}
}

func TestActiveAddressOutsideLoopbackIsRefused(t *testing.T) {
	f := startServer(t, ftptest.Options{})
	p := startProxy(t, f, ftpproxy.Options{})
	r := dialRaw(t, f, p.Addr)
	r.cmd(501, "EPRT |1|10.0.0.5|1234|")
	r.cmd(501, "PORT 10,0,0,5,4,210")
}

func TestPASVAddressIsAnnouncedButPortLeadsToProxy(t *testing.T) {
	f := startServer(t, ftptest.Options{})
	p := startProxy(t, f, ftpproxy.Options{PASVAddress: "10.0.0.5"})
	r := dialRaw(t, f, p.Addr)
	msg := r.cmd(227, "PASV")
	var h1, h2, h3, h4, p1, p2 int
	i := strings.Index(msg, "(")
	if i < 0 {
		t.Fatalf("PASV reply %q", msg)
	}
	if _, err := fmt.Sscanf(msg[i:], "(%d,%d,%d,%d,%d,%d)", &h1, &h2, &h3, &h4, &p1, &p2); err != nil {
		t.Fatalf("PASV reply %q: %v", msg, err)
	}
	if got := fmt.Sprintf("%d.%d.%d.%d", h1, h2, h3, h4); got != "10.0.0.5" {
		t.Fatalf("PASV announced %s, want 10.0.0.5", got)
	}
	// Never dial the announced host: the port is the proxy's, on loopback.
	dc, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", fmt.Sprint(p1*256+p2)), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer dc.Close()
	if _, err := r.c.Cmd("RETR small.txt"); err != nil {
		t.Fatal(err)
	}
	r.readReply(1)
	got, err := io.ReadAll(dc)
	if err != nil {
		t.Fatal(err)
	}
	r.readReply(226)
	if !bytes.Equal(got, f.small) {
		t.Fatalf("retrieved %q, want %q", got, f.small)
	}
}

func TestMaxConnsAnswers421ToTheExtraConnection(t *testing.T) {
	f := startServer(t, ftptest.Options{})
	p := startProxy(t, f, ftpproxy.Options{MaxConns: 1})
	first := dialRaw(t, f, p.Addr)
	_, err := ftp.Dial(p.Addr, ftp.DialWithTimeout(10*time.Second))
	var te *textproto.Error
	if !errors.As(err, &te) || te.Code != 421 {
		t.Fatalf("second dial error = %v, want 421", err)
	}
	first.cmd(200, "NOOP") // still served
	if st := p.Stats(); st.TooMany != 1 || st.ControlConns != 1 {
		t.Errorf("stats = %+v; want 1 relayed, 1 refused", st)
	}
	// A client that quit frees its slot before it gets the 221.
	first.cmd(221, "QUIT")
	login(t, f, p.Addr)
}

func TestUnreachableUpstreamAnswers421(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there any more
	p, err := ftpproxy.Start(ftpproxy.Options{Upstream: addr})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	_, err = ftp.Dial(p.Addr, ftp.DialWithTimeout(10*time.Second))
	var te *textproto.Error
	if !errors.As(err, &te) || te.Code != 421 {
		t.Fatalf("dial error = %v, want 421", err)
	}
}

func TestCutDataBreaksRetrieval(t *testing.T) {
	f := startServer(t, ftptest.Options{})
	p := startProxy(t, f, ftpproxy.Options{CutData: 1, Seed: 7})
	c := login(t, f, p.Addr)
	got, err := retr(c, "big.bin")
	if err == nil && bytes.Equal(got, f.big) {
		t.Fatal("retrieval through a cut data connection succeeded intact")
	}
	if len(got) >= 64<<10 {
		t.Errorf("received %d bytes, more than CutMaxBytes before the cut", len(got))
	}
	if !bytes.Equal(got, f.big[:len(got)]) {
		t.Error("bytes received before the cut are not a prefix of the file")
	}
	if st := p.Stats(); st.CutConns != 1 {
		t.Errorf("cut connections = %d, want 1", st.CutConns)
	}
}

func TestDelayAddsAtLeastOneRoundTripPerCommand(t *testing.T) {
	const delay = 40 * time.Millisecond
	f := startServer(t, ftptest.Options{})
	p := startProxy(t, f, ftpproxy.Options{Delay: delay})
	c := login(t, f, p.Addr)
	start := time.Now()
	if err := c.NoOp(); err != nil {
		t.Fatal(err)
	}
	if rtt := time.Since(start); rtt < 2*delay {
		t.Errorf("NOOP round trip %v, shorter than 2*Delay = %v", rtt, 2*delay)
	}
	got, err := retr(c, "big.bin")
	if err != nil || !bytes.Equal(got, f.big) {
		t.Fatalf("delayed retrieval: %d bytes, err %v", len(got), err)
	}
}

func TestBytesPerSecPacesData(t *testing.T) {
	const rate = 1 << 20
	f := startServer(t, ftptest.Options{})
	p := startProxy(t, f, ftpproxy.Options{BytesPerSec: rate})
	c := login(t, f, p.Addr)
	start := time.Now()
	got, err := retr(c, "big.bin")
	if err != nil || !bytes.Equal(got, f.big) {
		t.Fatalf("paced retrieval: %d bytes, err %v", len(got), err)
	}
	// The pacer lets n bytes through no earlier than n/rate after the start.
	if min := time.Duration(float64(len(f.big)) / rate * float64(time.Second)); time.Since(start) < min {
		t.Errorf("retrieval took %v, less than size/rate = %v", time.Since(start), min)
	}
}

func TestTLSControlIsPipedRaw(t *testing.T) {
	f := startServer(t, ftptest.Options{TLS: ftptest.TLSExplicit})
	p := startProxy(t, f, ftpproxy.Options{Delay: 5 * time.Millisecond})
	conf := &tls.Config{RootCAs: f.srv.CertPool, ServerName: "127.0.0.1"}
	c := login(t, f, p.Addr, ftp.DialWithExplicitTLS(conf))
	got, err := retr(c, "small.txt")
	if err != nil || !bytes.Equal(got, f.small) {
		t.Fatalf("retrieval over TLS: %q, err %v", got, err)
	}
	cmds := p.Commands()
	if len(cmds) == 0 || cmds[len(cmds)-1] != "AUTH" {
		t.Errorf("commands = %v; want nothing recorded after AUTH", cmds)
	}
	// Passive replies are encrypted, so the data connection bypasses the proxy.
	if n := p.Stats().DataConns; n != 0 {
		t.Errorf("data connections relayed under TLS = %d, want 0", n)
	}
}

func TestCloseEndsTransfersInProgress(t *testing.T) {
	f := startServer(t, ftptest.Options{})
	p := startProxy(t, f, ftpproxy.Options{BytesPerSec: 16 << 10, Delay: 10 * time.Millisecond})
	c := login(t, f, p.Addr)
	r, err := c.Retr("big.bin")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	// Data listeners still waiting for their connection must close too.
	raw := dialRaw(t, f, p.Addr)
	raw.cmd(229, "EPSV")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	raw.cmd(200, "EPRT |1|127.0.0.1|%d|", ln.Addr().(*net.TCPAddr).Port)
	if _, err := io.ReadFull(r, make([]byte, 1024)); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	assertNoProxyGoroutines(t)
	if got, _ := io.ReadAll(r); len(got)+1024 >= len(f.big) {
		t.Error("the whole file arrived although the proxy was closed mid-transfer")
	}
	if err := p.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestStartRefusesNonLoopbackUpstream(t *testing.T) {
	for _, up := range []string{"10.0.0.5:21", "example.com:21", "", "127.0.0.1"} {
		if p, err := ftpproxy.Start(ftpproxy.Options{Upstream: up}); err == nil {
			_ = p.Close()
			t.Errorf("Start(%q) succeeded", up)
		}
	}
}
