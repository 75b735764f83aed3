package mirror

import (
	"bufio"
	"bytes"
	"fmt"
	"net/textproto"
	"strconv"
	"strings"
)

// reply is one FTP reply as read from the server: its code, its text (the
// lines joined by "\n", codes stripped) and its raw bytes, which can be
// replayed to the library unchanged.
type reply struct {
	Code int
	Msg  string
	Raw  []byte
}

// err returns the reply as the error the library would return for it.
func (r reply) err() error { return &textproto.Error{Code: r.Code, Msg: r.Msg} }

// maxReplyLines bounds a multi-line reply, so a hostile server cannot make a
// reply that never ends. A STAT listing is bounded by its own, larger limit.
const maxReplyLines = 10000

// maxStatLines bounds a directory listed with STAT (about 100 MB).
const maxStatLines = 200000

// readReply reads one reply, single or multi-line (RFC 959 4.2), of at most
// maxLines lines.
func readReply(br *bufio.Reader, maxLines int) (reply, error) {
	var raw bytes.Buffer
	var msg []string
	line, err := readLine(br, &raw)
	if err != nil {
		return reply{}, err
	}
	code, multi, text, err := parseReplyLine(line)
	if err != nil {
		return reply{}, err
	}
	msg = append(msg, text)
	for multi {
		if len(msg) > maxLines || raw.Len() > maxLines*512 {
			return reply{}, fmt.Errorf("reply %d longer than %d lines", code, maxLines)
		}
		line, err = readLine(br, &raw)
		if err != nil {
			return reply{}, err
		}
		if len(line) >= 4 && line[3] == ' ' && line[:3] == strconv.Itoa(code) {
			msg = append(msg, line[4:])
			break
		}
		msg = append(msg, line)
	}
	// Joined once: adding line by line copies a STAT listing of n lines
	// n times over.
	return reply{Code: code, Msg: strings.Join(msg, "\n"), Raw: raw.Bytes()}, nil
}

// maxLineLen bounds one line of a reply.
const maxLineLen = 64 << 10

func readLine(br *bufio.Reader, raw *bytes.Buffer) (string, error) {
	var line []byte
	for {
		chunk, isPrefix, err := br.ReadLine()
		if err != nil {
			return "", err
		}
		line = append(line, chunk...)
		if len(line) > maxLineLen {
			return "", fmt.Errorf("reply line longer than %d bytes", maxLineLen)
		}
		if !isPrefix {
			break
		}
	}
	raw.Write(line)
	raw.WriteString("\r\n")
	return string(line), nil
}

func parseReplyLine(line string) (code int, multi bool, text string, err error) {
	if len(line) < 3 {
		return 0, false, "", fmt.Errorf("malformed reply %q", truncate(line, 80))
	}
	code, err = strconv.Atoi(line[:3])
	if err != nil || code < 100 || code > 599 {
		return 0, false, "", fmt.Errorf("malformed reply %q", truncate(line, 80))
	}
	if len(line) > 3 {
		switch line[3] {
		case '-':
			multi = true
		case ' ':
		default:
			return 0, false, "", fmt.Errorf("malformed reply %q", truncate(line, 80))
		}
		text = line[4:]
	}
	return code, multi, text, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
