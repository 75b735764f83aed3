package mirror

import (
	"context"
	"time"

	"github.com/jlaffaye/ftp"

	"github.com/ftpmirror/ftpmirror/plan"
)

// A server can offer MLSD and get it wrong: Serv-U has shipped versions
// whose MLSD leaves entries out, Synology refuses MLSD without a path. So
// the first directory is listed both ways, once per Dialer, and MLSD is
// used only when it agrees with LIST on the names, kinds and file sizes
// (LIST's times are coarser and may be local, so they are not compared).
// When they disagree the run lists with LIST (CWD, then a bare LIST -a),
// parsed by a second ServerConn of the library over the same transport.

// listMLSD lists dir on a server that offers MLSD, checking MLSD first.
func (c *Conn) listMLSD(ctx context.Context, dir string) ([]plan.Entry, error) {
	switch c.mlsdMode.get() {
	case statUsable:
		return c.listData(ctx, dir)
	case statUnusable:
		return c.listOp(ctx, &dataOp{viaLIST: true}, dir)
	}
	viaMLSD, mlsdErr := c.listData(ctx, dir)
	if mlsdErr != nil && c.Broken() {
		return nil, mlsdErr
	}
	viaLIST, err := c.listOp(ctx, &dataOp{viaLIST: true}, dir)
	if err != nil {
		if mlsdErr != nil {
			return nil, mlsdErr
		}
		return viaMLSD, nil // LIST cannot tell: MLSD stays unchecked
	}
	if mlsdErr == nil && agreeOnNames(viaMLSD, viaLIST) {
		c.mlsdMode.set(statUsable)
		return viaMLSD, nil
	}
	c.t.log.Info("the server's MLSD disagrees with its LIST; listing with LIST", "dir", dir, "mlsd_err", mlsdErr,
		"mlsd_entries", len(viaMLSD), "list_entries", len(viaLIST))
	c.mlsdMode.set(statUnusable)
	return viaLIST, nil
}

// agreeOnNames reports whether two listings of a directory agree on names,
// kinds and file sizes. A symlink agrees with any kind (servers list links
// in MLSD as files, links or what they point to), and one listed on one
// side only does not count: proftpd's MLSD leaves out a dangling link,
// which could not be mirrored anyway.
func agreeOnNames(mlsd, list []plan.Entry) bool {
	byName := make(map[string]plan.Entry, len(mlsd))
	for _, e := range mlsd {
		byName[e.Path] = e
	}
	for _, l := range list {
		m, ok := byName[l.Path]
		delete(byName, l.Path)
		switch {
		case !ok && l.Kind == plan.KindSymlink:
		case !ok:
			return false
		case m.Kind == plan.KindSymlink || l.Kind == plan.KindSymlink:
		case m.Kind != l.Kind, m.Kind == plan.KindFile && m.Size != l.Size:
			return false
		}
	}
	for _, m := range byName {
		if m.Kind != plan.KindSymlink {
			return false
		}
	}
	return true
}

// listConn returns a second library ServerConn over the same transport,
// with MLSD off and LIST -a, to parse LIST lines on an MLSD server.
func (c *Conn) listConn() (*ftp.ServerConn, error) {
	if c.lsc != nil {
		return c.lsc, nil
	}
	t := c.t
	t.handedLib = false
	t.local2lib.WriteString("220 ftpmirror: LIST\r\n")
	sc, err := ftp.Dial(t.neg.peer.String(), ftp.DialWithDialFunc(t.dial), ftp.DialWithLocation(time.UTC),
		ftp.DialWithDisabledMLSD(true), ftp.DialWithForceListHidden(true))
	if err != nil {
		return nil, err
	}
	if err := sc.Login("anonymous", ""); err != nil { // answered "230" by the transport
		return nil, err
	}
	c.lsc = sc
	return sc, nil
}
