package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/ftpmirror/ftpmirror/internal/ftpproxy"
)

// serveScenario generates the tree of one scenario, serves it through the
// scenario's link emulator and prints how to connect, until ctx ends: for
// profiling a tool by hand (-serve a). On exit it prints the proxy's
// command counts.
func (b *bench) serveScenario(ctx context.Context, id string, w io.Writer) error {
	for _, g := range groups(b.cfg) {
		for _, s := range g.scenarios {
			if s.id != id {
				continue
			}
			src := filepath.Join(b.tmp, "src-"+g.id)
			defer os.RemoveAll(src)
			if err := writeTree(src, g.tree); err != nil {
				return err
			}
			srv, stop, err := b.serve(src)
			if err != nil {
				return err
			}
			defer stop()
			addr := srv.Addr
			var px *ftpproxy.Proxy
			if s.proxied() {
				px, err = ftpproxy.Start(ftpproxy.Options{Upstream: srv.Addr, Delay: s.delay, BytesPerSec: s.bytesPerSec})
				if err != nil {
					return err
				}
				defer px.Close()
				addr = px.Addr
			}
			fmt.Fprintf(w, "ftpbench: (%s) %s\n  source  %s\n  url     ftp://%s@%s/\n  password %s\n  (Ctrl-C to stop)\n",
				s.id, s.title, src, srv.User, addr, srv.Password)
			<-ctx.Done()
			if px != nil {
				st := px.Stats()
				counts := map[string]int{}
				for _, v := range px.Commands() {
					counts[cleanVerb(v)]++
				}
				fmt.Fprintf(w, "ftpbench: %d control and %d data connections; commands %v\n", st.ControlConns, st.DataConns, counts)
			}
			return nil
		}
	}
	return fmt.Errorf("-serve %q: no such scenario (a, b, c, d-small, d-big, m)", id)
}
