package mirror

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
)

func TestCharsetConvertsNamesBothWaysAndKeepsWhatItCannot(t *testing.T) {
	gbk, err := ParseCharset("GBK")
	if err != nil || gbk == nil {
		t.Fatalf("ParseCharset(GBK) = %v, %v", gbk, err)
	}
	if got := gbk.decode("\xc4\xe3\xba\xc3.txt"); got != "你好.txt" {
		t.Errorf("decode = %q, want 你好.txt", got)
	}
	if got := gbk.encodeCommand("RETR /dir/你好.txt"); got != "RETR /dir/\xc4\xe3\xba\xc3.txt" {
		t.Errorf("encodeCommand = %q", got)
	}
	for _, keep := range []string{"plain.txt", "\xff\xfe broken"} {
		if got := gbk.decode(keep); got != keep {
			t.Errorf("decode(%q) = %q, want it kept", keep, got)
		}
	}
	if got := gbk.encodeCommand("PASS pässwörd"); got != "PASS pässwörd" {
		t.Errorf("the password was converted: %q", got)
	}
	latin1, err := ParseCharset("latin1")
	if err != nil || latin1.decode("caf\xe9") != "café" || latin1.encodeCommand("STOR café") != "STOR caf\xe9" {
		t.Errorf("latin1: %v", err)
	}
	if cs, err := ParseCharset("utf-8"); cs != nil || err != nil {
		t.Errorf("ParseCharset(utf-8) = %v, %v; want nothing to convert", cs, err)
	}
	if _, err := ParseCharset("no-such-charset"); err == nil {
		t.Error("an unknown charset was accepted")
	}
}

// --remote-charset: a GBK server's names arrive as UTF-8 locally, and the
// files are fetched by their GBK names; without it the same bytes are
// written (TestPullMirrorsTabAndNonUTF8NamesAsTheirBytes).
func TestPullWithRemoteCharsetWritesUTF8Names(t *testing.T) {
	gbk, _ := ParseCharset("gbk")
	f := newPullFixture(t, map[string]string{"\xc4\xe3\xba\xc3/\xd6\xd0\xce\xc4.txt": "zh", "plain.txt": "p"}, ftptest.Options{})
	r := f.mustPull(func(o *PullOptions) { o.Conn.Charset = gbk })
	if b, err := os.ReadFile(filepath.Join(f.local, "你好", "中文.txt")); err != nil || string(b) != "zh" {
		t.Errorf("你好/中文.txt: %q, %v (done %+v)", b, err, r.Done)
	}
	if r = f.mustPull(func(o *PullOptions) { o.Conn.Charset = gbk }); len(r.Plan.Actions) != 0 {
		t.Errorf("second pull plans %v", r.Plan.Actions)
	}
	// And back: a local UTF-8 name is created on the server in GBK.
	if err := os.WriteFile(filepath.Join(f.local, "你好", "新.txt"), []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	f.mustPush(func(o *PushOptions) { o.Conn.Charset = gbk })
	if b, err := os.ReadFile(filepath.Join(f.remote, "\xc4\xe3\xba\xc3", "\xd0\xc2.txt")); err != nil || string(b) != "new" {
		t.Errorf("pushed name in GBK: %q, %v", b, err)
	}
}
