package mirror

import (
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
)

// proftpdFeat is the FEAT reply of proftpd 1.3.8 with mod_digest loaded.
var proftpdFeat = []string{
	"Features:",
	" AUTH TLS",
	" HASH SHA-1*;SHA-256;SHA-512;MD5",
	" MDTM",
	" MFMT",
	" XCRC",
	" XMD5",
	" XSHA1",
	" XSHA256",
	" XSHA512",
	" SIZE",
	"End",
}

func TestHashSupportPicksTheStrongestMethod(t *testing.T) {
	for _, tc := range []struct {
		name  string
		lines []string
		want  HashMethod
		ok    bool
	}{
		{"proftpd: HASH with SHA-512, selected by OPTS", proftpdFeat, HashMethod{Command: "HASH", Alg: HashSHA512}, true},
		{"HASH with its selected algorithm", []string{" HASH SHA-256*;MD5;CRC32"}, HashMethod{Command: "HASH", Alg: HashSHA256, Selected: true}, true},
		{"HASH with unknown algorithms only, then X", []string{" HASH SHA3-256*", " XMD5"}, HashMethod{Command: "XMD5", Alg: HashMD5}, true},
		{"X commands, strongest first", []string{" XCRC", " xsha1", " XMD5"}, HashMethod{Command: "XSHA1", Alg: HashSHA1}, true},
		{"XCRC alone", []string{" XCRC"}, HashMethod{Command: "XCRC", Alg: HashCRC32}, true},
		{"nothing", []string{" MDTM", " SIZE", " MLST type*;size*;modify*;"}, HashMethod{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := ParseHashFeatures(tc.lines).Best()
			if got != tc.want || ok != tc.ok {
				t.Errorf("Best() = %+v, %v; want %+v, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestParseHashReplyReadsOnlyARealDigest(t *testing.T) {
	sha256Hex := "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824" // "hello"
	md5Hex := "5d41402abc4b2a76b9719d911017c592"
	for _, tc := range []struct {
		name string
		m    HashMethod
		msg  string
		want string // hex; "" for an error
	}{
		{"HASH", HashMethod{Command: "HASH", Alg: HashSHA256}, "SHA-256 0-5 " + sha256Hex + " a b.txt", sha256Hex},
		{"proftpd's HASH, on two lines", HashMethod{Command: "HASH", Alg: HashSHA256}, "Computing SHA-256 digest\nSHA-256 0-5 " + sha256Hex + " /a", sha256Hex},
		{"HASH of another algorithm", HashMethod{Command: "HASH", Alg: HashSHA256}, "SHA-1 0-5 " + sha256Hex + " a", ""},
		{"HASH without a digest", HashMethod{Command: "HASH", Alg: HashSHA256}, "SHA-256 0-5", ""},
		{"proftpd XMD5", HashMethod{Command: "XMD5", Alg: HashMD5}, md5Hex, md5Hex},
		{"XMD5 with the name first", HashMethod{Command: "XMD5", Alg: HashMD5}, "dir/abc " + md5Hex, md5Hex},
		{"XMD5 digest too short", HashMethod{Command: "XMD5", Alg: HashMD5}, md5Hex[:30], ""},
		{"XCRC without leading zeros", HashMethod{Command: "XCRC", Alg: HashCRC32}, "86a610", "0086a610"},
		{"XCRC not hex", HashMethod{Command: "XCRC", Alg: HashCRC32}, "File not found", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sum, err := parseHashReply(tc.m, tc.msg)
			if tc.want == "" {
				if err == nil {
					t.Fatalf("parsed %x from %q, want an error", sum, tc.msg)
				}
				return
			}
			if err != nil || hex.EncodeToString(sum) != tc.want {
				t.Fatalf("got %x, %v; want %s", sum, err, tc.want)
			}
		})
	}
}

func TestHashFileMatchesWhatServersPrint(t *testing.T) {
	p := filepath.Join(t.TempDir(), "hello")
	if err := os.WriteFile(p, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	for alg, want := range map[HashAlgorithm]string{
		HashSHA256: "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
		HashSHA1:   "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d",
		HashMD5:    "5d41402abc4b2a76b9719d911017c592",
		HashCRC32:  "3610a686",
	} {
		got, err := HashFile(p, alg)
		if err != nil {
			t.Fatal(err)
		}
		if w, _ := hex.DecodeString(want); !bytes.Equal(got, w) {
			t.Errorf("%s: %x, want %s", alg, got, want)
		}
	}
	if _, err := HashFile(p, "SHA3-256"); err == nil {
		t.Error("an unknown algorithm hashed")
	}
}
