package hostileftp

import (
	"net"
	"time"
)

// trickle writes data a byte at a time, one every TrickleEvery, and returns
// the final reply; it stops when the client goes away or the server closes.
func (ss *session) trickle(dc net.Conn, data []byte) string {
	tick := time.NewTicker(ss.s.opts.TrickleEvery)
	defer tick.Stop()
	for i := range data {
		if _, err := dc.Write(data[i : i+1]); err != nil {
			return "426 Transfer aborted"
		}
		select {
		case <-tick.C:
		case <-ss.Server().Done():
			return ""
		}
	}
	return "226 Transfer complete"
}
