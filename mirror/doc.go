// Package mirror owns every byte of I/O of ftpmirror: FTP control and data
// connections, the connection pool, the workers and the local files. It never
// prints; it logs through an injected *slog.Logger and reports progress
// through the Progress interface.
//
// # The pipeline
//
//	pool    := NewPool(NewDialer(server, opts), parallel)
//	listing := plan.Walk(ctx, Lister{pool}, ...)        // list: directories in parallel
//	local   := ScanLocal(ctx, root, filter)              // the local tree
//	p       := plan.Pull(listing, local, store.Snapshot()) // diff: pure
//	Execute(ctx, pool, p, batch)                         // execute: workers, retries, atomic writes
//	batch.Flush()                                        // commit: state records as transfers finish
//
// # The connection layer
//
// One design serves the pull mirror, the data-channel fallback and the fault
// handling. github.com/jlaffaye/ftp speaks the FTP commands; beneath it sits a
// transport of ours that owns both kinds of TCP connection:
//
//   - The control connection handed to the library (ftp.DialWithDialFunc) is a
//     controlConn. It passes commands and replies through, except the data
//     channel negotiation: when the library sends EPSV (or PASV) the transport
//     negotiates with the server itself, with the Method in force (EPSV, PASV,
//     EPRT or PORT), and answers the library with a synthetic "229" reply.
//   - In v0.2.4 the library calls the same dial function for every data
//     connection and uses the net.Conn it returns as it is (it adds TLS only
//     when no dial function is set). So the data "dial" returns the connection
//     the transport prepared: a passive connection dialled with a short
//     --data-timeout, or, in active mode, a lazily accepted connection from the
//     listener named in EPRT/PORT that only admits the server's address.
//   - Passive replies are checked: an address in a PASV reply that is not the
//     control connection's peer is replaced by it unless TrustPASVIP is set.
//   - TLS (AUTH TLS, PBSZ 0, PROT P) is done by the transport, not the
//     library, because the library would put TLS above controlConn and hide
//     the commands from it. Data connections are TLS clients that resume the
//     control connection's session, as vsftpd requires.
//
// Once a passive method has carried data, the transport pipelines: it sends
// EPSV together with the library's data command and reads the reply (and
// dials the port) when the library reads the command's reply; for LIST
// servers the MDTM that gives a file's exact time rides along too. Replies
// owed to such commands are consumed, in order, before any reply reaches the
// library (pipeline.go). Options.NoPipeline turns this off.
//
// Every wait has a deadline: connecting (ConnectTimeout), each read or write
// on the control or a data connection (IdleTimeout), opening a data
// connection (DataTimeout). Cancelling the context aborts a connection at
// once from any goroutine (transport.abort); the Conn is then broken and the
// Pool replaces it.
//
// The Dialer shares what it learns between the pool's connections: the first
// Method that carries data is kept for the rest of the run (and saved in the
// state by the caller), and every attempt is recorded so that a run where no
// method works fails with a DataChannelError that explains why.
package mirror
