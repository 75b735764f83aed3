// Package mirror owns every byte of I/O of ftpmirror: FTP control and data
// connections, the connection pool, the workers and the local files. It never
// prints; it logs through an injected *slog.Logger and reports progress
// through the Progress interface.
//
// # The pipeline
//
// Pull, Push and Sync are one pipeline (run.go) with another planner:
//
//	pool    := NewPool(NewDialer(server, opts), parallel); pool.Warm(ctx, parallel)
//	listing := plan.Walk(ctx, &Lister{Pool: pool}, ...)  // list: directories in parallel
//	local   := ScanLocal(ctx, root, skip)                // the local tree
//	p       := plan.Pull(listing, local, store.Snapshot()) // diff: pure (or plan.Push, plan.Sync)
//	plan.CheckDeletes(p, ...)                            // the deletion guard, unless --force
//	executor.run(ctx, p)                                 // execute: stages, chained workers, retries, atomic writes
//	batch.Flush(); store.SetMeta(...)                    // commit: records as transfers finish, the method that worked
//
// Small downloads run in chains, one per connection, the next file's
// commands sent during the current transfer (execute_chain.go, ahead.go);
// large files are split into ranged RETRs over the pool (segment.go).
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
// Directories of a LIST server are listed with "STAT -a DIR" on the control
// connection, the directories waiting sent together; STAT is checked against
// LIST on the first directory, and a mismatch makes the walk start again
// over data connections (statlist.go, lister.go). The library still parses
// the lines. Every listing's lines are counted as
// they arrive, and a directory with lines the library could not read fails
// rather than hide a file (linecount.go).
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
