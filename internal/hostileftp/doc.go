// Package hostileftp is a small, deliberately broken FTP server for tests.
// It serves scripted raw listing lines and file contents on 127.0.0.1 and
// misbehaves on request, so that tests can show that a client survives a
// hostile or broken server: listing entries named "..", "/etc/passwd" or
// "x\x00y", duplicates, sizes that do not fit an int64, symlinks that leave
// the tree, a listing that never ends, a reply that never comes, a file
// longer or shorter than its listing says, a transfer cut or stalled
// half-way.
//
// It speaks just enough FTP for github.com/jlaffaye/ftp and the transport of
// package mirror: the greeting, USER/PASS (anything is accepted), FEAT (with
// or without MLST, see Options.MLST), TYPE, OPTS, SYST, PWD, CWD, CDUP,
// EPSV, PASV, REST, LIST, NLST, MLSD, RETR, SIZE, MDTM, NOOP, ABOR and QUIT.
// Active mode (EPRT/PORT) is refused. Listings are not generated from a tree:
// Options.Listings holds, per directory, the very lines sent on the data
// connection, so a test controls every byte a client parses.
//
// The server must never touch the file system, and never listen on, or
// connect to, anything but 127.0.0.1. Its goroutines are bounded (one accept
// loop and one per control connection, at most Options.MaxConns), every
// blocking call is released by Close, and it never prints.
package hostileftp
