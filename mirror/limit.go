package mirror

import "fmt"

// errLargerThanListed is written when a download carries more bytes than the
// listing gave the file: the file changed, or the server never stops.
type errLargerThanListed struct{ size int64 }

func (e errLargerThanListed) Error() string {
	return fmt.Sprintf("the server sent more than the %d bytes the listing gave: the file changed during the transfer, or the server is broken", e.size)
}

// sizeLimitWriter passes at most n bytes through; one byte more is an error,
// which ends the transfer.
type sizeLimitWriter struct {
	w    interface{ Write([]byte) (int, error) }
	n    int64
	size int64
}

func (l *sizeLimitWriter) Write(p []byte) (int, error) {
	if int64(len(p)) > l.n {
		n, err := l.w.Write(p[:l.n])
		l.n -= int64(n)
		if err != nil {
			return n, err
		}
		return n, errLargerThanListed{size: l.size}
	}
	n, err := l.w.Write(p)
	l.n -= int64(n)
	return n, err
}
