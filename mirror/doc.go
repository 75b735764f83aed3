// Package mirror owns every byte of I/O of ftpmirror: FTP control and data
// connections, the connection pool, the workers and the local files. It never
// prints; it logs through an injected *slog.Logger and reports progress
// through the Progress interface.
//
// # The pipeline
//
// Pull, Push and Sync are one pipeline (run.go) with another planner:
//
//	pool    := NewPool(NewDialer(server, opts), parallel)
//	root    := openRemoteRoot(...)                        // the root: a relative RemoteDir joined to PWD, CWD into it;
//	                                                      // missing: an error (pull) or MKD with parents (push, sync) (remote_root.go)
//	pool.Warm(ctx, parallel)
//	listing := plan.Walk(ctx, &Lister{Pool: pool}, ...)  // list: directories in parallel
//	local   := ScanLocal(ctx, root, skip)                // the local tree
//	zone    := serverZone(...); absorbShift(...)          // the server's times as UTC, a move of its clock absorbed (clock.go)
//	p       := plan.Pull(listing, local, store.Snapshot()) // diff: pure (or plan.Push, plan.Sync)
//	p        = settle(p)                                 // sync: compare content that size and mtime cannot tell (sync_compare.go, hash.go);
//	                                                      // --track-renames: confirm each move by hash (renames_hash.go)
//	plan.CheckDeletes(p, ...)                            // the deletion guard, unless --force
//	executor.run(ctx, p)                                 // execute: stages, chained workers, retries, atomic writes
//	batch.Flush(); store.SetMeta(...)                    // commit: records as transfers finish, the method that worked
//
// Commit is ordered after durability: a download is renamed into place
// without waiting for the disk, its record queued in the state batch after
// the rename, and the batch's BeforeWrite hook calls syncfs(2) on the
// mirror root's file system (data, inodes and the renames' directory
// entries) after taking its records and before committing them. So the
// state never records a file whose data a power cut could still lose; a
// crash between rename and commit leaves a file without its record, which
// the next run compares again. One flush per batch (256 records or 2 s),
// not two fsyncs per file; files on another file system than the root's
// are flushed at their own commit (local_durable.go).
//
// Small downloads run in chains, one per connection, the next file's
// commands sent during the current transfer (execute_chain.go, ahead.go);
// large files are split into ranged RETRs over the pool (segment.go).
//
// # The connection layer
//
// One design serves the pull mirror, the data-channel fallback and the fault
// handling. github.com/jlaffaye/ftp speaks the FTP commands; beneath it sits a
// transport of ours (transport.go) that owns both kinds of TCP connection.
// It is composed of one type per behaviour:
//
//   - wire (wire.go): the control socket, its deadlines and broken, which
//     it alone sets: a failed read or write, an abort, a reply out of step.
//   - replyQueue (owed.go): the record of owed replies, one entry per line
//     written, in wire order, each naming its owner (library or transport)
//     and, for the transport's, the handler of its reply. A data command's
//     entry takes its 1xx replies before its final one. A reply that its
//     entry's command cannot get (213 where RETR's 226 is due) breaks the
//     connection at once; if commands were sent during a transfer, that
//     is ErrSendAhead.
//   - dataOp (dataop.go): one operation's data channel, given by Conn.do to
//     each library call: its byte limit, whether a STAT stands in for LIST,
//     the download it may take from those sent ahead, and what was done.
//   - negotiator (negotiate.go, methods.go, active.go, dataconn.go): a
//     type of its own, composed by the transport, that owns the method book,
//     the control connection's addresses and the data TLS config (PROT P),
//     and reaches the server only through controlLine (ask, broken). When
//     the library sends EPSV (or PASV) it opens a data channel
//     with the Method in force (EPSV, PASV, EPRT or PORT) and answers the
//     library with a synthetic "229"; the library's data "dial" (it calls
//     the same dial function, ftp.DialWithDialFunc, and uses the net.Conn
//     as it is) gets the connection prepared. PASV addresses are replaced
//     by the control peer unless TrustPASVIP; active mode admits only the
//     server's address.
//   - login (login.go) and TLS (dialer.go): USER, then PASS only after 331,
//     by reply codes; AUTH TLS (explicit, or auto when FEAT offers it) by
//     the transport, PBSZ 0 and PROT P by its negotiator, since the library
//     would put TLS above ctrlConn; data connections resume the control TLS
//     session.
//   - pipelinePolicy (pipeline.go), aheadSender (ahead.go), statBatch
//     (statlist.go): what is sent before its turn.
//
// Whose replies are whose, at each step (L: the library's, T: the
// transport's, with its handler; in wire order):
//
//	login            T: FEAT (auto TLS), AUTH TLS; T: USER; T: PASS after 331
//	library login    USER answered "230" locally; L: FEAT, L: TYPE I (sent with FEAT)
//	after login      T: PBSZ 0, PROT P
//	data op, settled method, pipelined:
//	                 T: EPSV (handler dials the port); L: RETR|STOR|LIST|MLSD (1xx, then final)
//	data op, method being found: T: EPSV|PASV|EPRT|PORT read before the library's command
//	download, LIST server: T: MDTM (exact time) sent first
//	chain, during a RETR's transfer (ahead.go):
//	                 L: RETR a | T: MDTM b, T: EPSV (dials b), L: RETR b (claimed when the library writes it)
//	LIST listing     T: CWD DIR; T: EPSV; L: LIST -a (no path: see below)
//	STAT listing     T: CWD DIR; T: STAT -a; the library's LIST gets "150" and "226" locally
//	STAT batch       T: CWD D1, T: STAT -a, ... CWD Dn, T: STAT -a; each kept until Dn's listing asks
//	MLSD check       L: MLSD DIR, then as a LIST listing, by a second library ServerConn (mlsdcheck.go)
//	ranged RETR      L: RETR's final reply read after closing early (conn_range.go)
//
// A directory of a LIST server is listed from inside it: "CWD DIR", then a
// LIST or STAT without a path, since some servers hand LIST's argument to
// ls (a name with a space becomes two, a leading dash an option, *?[
// expand). Every other command takes an absolute path, so the working
// directory matters to nothing else. Directories are listed with "STAT -a"
// on the control connection, the directories waiting sent together; STAT
// is checked against LIST on the first directory, and a mismatch makes the
// walk start again over data connections (statlist.go, lister.go). MLSD
// takes the path (no server hands it to ls), but is checked against LIST
// on the first directory too, and a server whose MLSD disagrees (Serv-U
// leaving entries out) is listed with LIST (mlsdcheck.go). The library still parses
// the lines. Every listing's lines are counted as
// they arrive, and a directory with lines the library could not read fails
// rather than hide a file (linecount.go).
//
// Once a passive method has carried data, the transport pipelines: it sends
// EPSV together with the library's data command and reads the reply (and
// dials the port) when the library reads the command's reply; for LIST
// servers the MDTM that gives a file's exact time rides along too.
// Options.NoPipeline turns this off. A server that mishandles the next
// download sent during a transfer (pyftpdlib cuts the transfer) is told
// apart from a broken data channel by the replies out of step: sending
// ahead stops for it, the data method stays, and the state remembers
// (state.Meta.NoSendAhead), as lftp's ftp:sync-mode does.
//
// Every wait has a deadline: connecting (ConnectTimeout), each read or write
// on the control or a data connection (IdleTimeout), opening a data
// connection (DataTimeout). Cancelling the context aborts a connection at
// once from any goroutine (transport.abort); the Conn is then broken and the
// Pool replaces it. A data connection that trickles, resetting the idle
// deadline with every byte, is cut when it moves less than Options.MinRate
// in a window (minrate.go).
//
// # Local files
//
// Every local file is reached through an *os.Root opened on the mirror root
// (local_paths.go): the kernel resolves each path beneath the root, so no
// hostile listing and no local process swapping a directory for a symlink
// can make a run write, delete or read outside the tree. Downloads go to a
// temporary name beside the target and are renamed over it when complete;
// they keep the permission bits the listing gives, less the umask
// (listmode.go), and uploads get the local mode by SITE CHMOD
// (perms_push.go), unless Options.NoPerms.
//
// The Dialer shares what it learns between the pool's connections: the first
// Method that carries data is kept for the rest of the run (and saved in the
// state by the caller), and every attempt is recorded so that a run where no
// method works fails with a DataChannelError that explains why.
package mirror
