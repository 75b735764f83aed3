// Package ftpcore is the connection core shared by the small FTP servers in
// internal/ (demoserver, which ships, and hostileftp, for tests): the accept
// loop with its bound on control connections, the session's command reader
// and reply writer, and the passive or active data connection of a transfer.
//
// Of the commands it answers only those that keep a session's state (the
// data connection of EPSV/PASV/EPRT/PORT, the REST offset, the working
// directory of PWD/CWD/CDUP, asking the server whether a directory
// exists): each server answers its own commands on a Session. Like its users, it must never import
// package testing (the release binary carries it), never listen on or
// connect to anything but 127.0.0.1, and never print. Close releases every
// blocking call and waits for every goroutine it started.
package ftpcore
