package ftpproxy

import (
	"bufio"
	"errors"
	"net"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestBlackholePortMakesDialTimeOutNotRefused(t *testing.T) {
	h, err := blackholePort(time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	for range 2 { // the hole stays shut for every client
		_, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(h.port), 300*time.Millisecond)
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() || errors.Is(err, syscall.ECONNREFUSED) {
			t.Fatalf("dial blackhole: %v, want a timeout", err)
		}
	}
}

func TestRefusingPortRefuses(t *testing.T) {
	h, err := refusingPort()
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	_, err = net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(h.port), 5*time.Second)
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("dial refusing port: %v, want connection refused", err)
	}
}

func TestReadReplyKeepsMultiLineRepliesWhole(t *testing.T) {
	in := "211-Features:\r\n EPSV\r\n211 trailing text\r\n" +
		"220 single\r\n" +
		"230-first\r\n230x not the end\r\n230 end\r\n"
	r := bufio.NewReader(strings.NewReader(in))
	for _, want := range []struct {
		code  int
		reply string
	}{
		{211, "211-Features:\r\n EPSV\r\n211 trailing text\r\n"},
		{220, "220 single\r\n"},
		{230, "230-first\r\n230x not the end\r\n230 end\r\n"},
	} {
		reply, code, err := readReply(r)
		if err != nil || code != want.code || string(reply) != want.reply {
			t.Fatalf("readReply = %q, %d, %v; want %q, %d", reply, code, err, want.reply, want.code)
		}
	}
}

func TestPassiveReplyRewrite(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
		code int
		in   string
		want string
	}{
		{"epsv", Options{Passive: PassiveRefuse}, 229, "229 Entering Extended Passive Mode (|||40000|)\r\n",
			"229 Entering Extended Passive Mode (|||PORT|)\r\n"},
		{"pasv", Options{Passive: PassiveRefuse}, 227, "227 Entering Passive Mode (127,0,0,1,156,64).\r\n",
			"227 Entering Passive Mode (127,0,0,1,P1,P2).\r\n"},
		{"pasv-nat", Options{Passive: PassiveRefuse, PASVAddress: "10.0.0.5"}, 227, "227 Entering Passive Mode (192,168,1,9,156,64)\r\n",
			"227 Entering Passive Mode (10,0,0,5,P1,P2)\r\n"},
		{"unparsable", Options{Passive: PassiveRefuse}, 229, "229 something else\r\n", "229 something else\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := refusingPort()
			if err != nil {
				t.Fatal(err)
			}
			defer h.Close()
			p := &Proxy{opts: tc.opts, refuse: h}
			want := strings.NewReplacer("PORT", strconv.Itoa(h.port),
				"P1", strconv.Itoa(h.port/256), "P2", strconv.Itoa(h.port%256)).Replace(tc.want)
			if got := string(p.passiveReply(tc.code, []byte(tc.in))); got != want {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
}

func TestParseActive(t *testing.T) {
	for _, tc := range []struct {
		verb, arg, want string
	}{
		{"EPRT", "|1|127.0.0.1|5000|", "127.0.0.1:5000"},
		{"EPRT", "!2!::1!5000!", "[::1]:5000"},
		{"PORT", "127,0,0,1,19,136", "127.0.0.1:5000"},
		{"EPRT", "|1|10.0.0.5|5000|", ""},
		{"EPRT", "|2|127.0.0.1|5000|", ""},
		{"EPRT", "|1|127.0.0.1|0|", ""},
		{"EPRT", "|1|127.0.0.1|5000", ""},
		{"PORT", "192,168,0,1,19,136", ""},
		{"PORT", "127,0,0,1,19", ""},
		{"PORT", "127,0,0,1,300,1", ""},
	} {
		got, err := parseActive(tc.verb, tc.arg)
		if tc.want == "" {
			if err == nil {
				t.Errorf("parseActive(%s %s) = %s, want an error", tc.verb, tc.arg, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("parseActive(%s %s) = %s, %v; want %s", tc.verb, tc.arg, got, err, tc.want)
		}
	}
}
