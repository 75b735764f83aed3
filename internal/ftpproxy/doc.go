// Package ftpproxy is an FTP-aware, fault-injecting TCP proxy for tests and
// benchmarks. It sits between an FTP client and a real FTP server, both on
// 127.0.0.1, relays the control connection line by line and carries every
// data connection through itself, so that faults and delays apply to both.
//
// What it can do to the traffic (see Options):
//
//   - Passive replies (227/229) are rewritten to name a one-shot listener of
//     the proxy (PassiveOK), a port that refuses connections (PassiveRefuse)
//     or a port whose connect never completes (PassiveBlackhole). PASVAddress
//     makes 227 replies announce a foreign host, as a NATed server does.
//   - EPSV/PASV or EPRT/PORT can be answered "500" by the proxy itself.
//   - Active commands (EPRT/PORT) are rewritten to name a listener of the
//     proxy; when the server connects to it, the proxy dials the client's
//     address and relays.
//   - Data connections can be cut (RST) after a random, seeded number of
//     bytes, delayed (a per-direction queue, so the delay does not limit
//     throughput beyond the queue size) and throttled.
//   - Control connections beyond MaxConns get "421 Too many connections".
//
// Under TLS (the client sends AUTH), the proxy cannot read the control
// connection any more: after the server accepts AUTH it switches to raw
// piping in both directions. Delay still applies to the control connection,
// but command recording, rejection and passive/active rewriting stop, so the
// client's data connections then go straight to the server, bypassing the
// proxy and its faults.
//
// The proxy must never listen on, connect to or announce-and-use anything but
// loopback addresses: Upstream must be a loopback IP, the host named in
// server passive replies is ignored (the upstream host is dialled instead),
// active addresses that are not loopback are refused with "501", and
// PASVAddress is only ever written into replies, never dialled. It never
// prints; diagnostics go to Options.Logger. Close ends every goroutine and
// connection it started.
package ftpproxy
