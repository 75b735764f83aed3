// Package demoserver is a small, read-only FTP server over a directory, for
// `ftpmirror demo`: it ships in the release binary, so it holds no test
// helpers and imports neither package testing nor reflection tricks.
//
// It speaks what ftpmirror and common clients need to download a tree: the
// greeting, USER/PASS (one account, and "anonymous" when allowed), FEAT,
// SYST, TYPE, MODE, STRU, OPTS, NOOP, PWD, CWD, CDUP, EPSV, PASV, EPRT,
// PORT, REST, LIST, NLST, MLSD, MLST, RETR, SIZE, MDTM, ABOR and QUIT.
// Commands that would change the tree (STOR, DELE, RNFR, MKD ...) are
// answered "550 read-only". Changes to the tree are made on disk by the
// caller, and the server serves what is there at each command.
//
// It must never listen on, or connect to, anything but 127.0.0.1, and never
// serve a path outside its root: every file is opened through an *os.Root.
// Passive data listeners admit only the control connection's peer; active
// commands may name only 127.0.0.1. Its goroutines end when Close returns,
// and it never prints.
package demoserver
