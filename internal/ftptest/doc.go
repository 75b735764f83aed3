// Package ftptest runs real FTP servers on 127.0.0.1 for tests (the demo has
// its own, internal/demoserver, which ships in the binary), and offers
// helpers to build and compare local trees (WriteTree, SetMtime, TreeEqual,
// RandomTree).
//
// It must never listen on anything but the loopback address, never touch a
// path outside the roots it is given (except the vsftpd launcher's system
// setup described below), and never print: server logs go to an injected
// *slog.Logger or nowhere.
//
// # The in-process server
//
// Serve (and Start, its testing wrapper) runs goftp.io/server/v2 over a
// directory, listening on 127.0.0.1:0. It speaks USER/PASS, FEAT, SYST, PWD,
// CWD, CDUP, TYPE, MODE S, STRU F, NOOP, QUIT, PASV, EPSV, PORT, EPRT, LIST,
// NLST, MLSD, MLST, MDTM (read, and the vsftpd-style write form
// "MDTM YYYYMMDDHHMMSS path"), MFMT, SIZE, REST, RETR, STOR, APPE, RNFR/RNTO,
// DELE, MKD, RMD, and with TLS: AUTH TLS (explicit) or implicit TLS, PBSZ and
// PROT. Options.Disable answers chosen verbs with "502 Command not
// implemented" (FEAT stops advertising them; disabling MLSD also disables
// MLST, as on a server without machine listings).
//
// Where goftp's defaults are wrong for a mirror test, this package replaces
// them (see commands.go, listing.go, driver.go):
//
//   - Times are UTC everywhere (goftp formats MLSD/MDTM in local time).
//   - LIST prints symlinks as "lrwxrwxrwx ... name -> target" with real
//     permission bits; MLSD prints "Type=cdir" and "Type=pdir" entries for "."
//     and "..", "Type=OS.unix=slink:<target>" for symlinks, and
//     "UNIX.mode=0644" facts. Hidden files are always listed.
//   - MDTM and SIZE answer 550 for directories, follow symlinks, and are
//     advertised in FEAT, as is MFMT.
//   - APPE appends (goftp truncated); REST n + STOR writes from offset n
//     without truncating; RMD refuses non-empty directories and MKD does not
//     create parents (goftp did RemoveAll and MkdirAll).
//   - The data channel is ours (datasock.go): PASV/EPSV listen on 127.0.0.1
//     only (goftp listened on all interfaces) and admit only the client's
//     address; PORT/EPRT accept only the client's address and connect when
//     the transfer starts; data is TLS exactly when PROT P is in force, in
//     passive and active mode alike (goftp tied it to AUTH TLS and never
//     used TLS for active mode), and TLS data connections can resume the
//     control connection's session.
//   - With implicit TLS, PBSZ/PROT work (goftp refused them) and AUTH is 502.
//   - Nothing is written to the standard logger (goftp's SIZE and STAT did).
//
// Known limits of the in-process server: MLST (the control-channel fact
// line) reports symlinks as plain files and the base name rather than the
// path; STAT of a path is not supported; no PRET/HASH/SITE. goftp's
// unexported fields are set through reflection in goftpfix.go (pinned
// module version).
//
// # vsftpd
//
// StartVsftpd runs /usr/sbin/vsftpd as a foreground child for interop tests;
// see vsftpd.go for the system setup it needs (a local user and a PAM file).
// By default the session is chrooted into the root; VsftpdOptions.Debian
// runs it as Debian configures it, not chrooted, starting in the root as in
// a home directory (Server.LoginDir), with local times and dot files shown
// only to "LIST -a". LocalTime and Env (a TZ) set the zone of its times.
//
// # Other servers
//
// StartPyftpdlib runs Debian's python3-pyftpdlib (MLSD, GMT times) from an
// embedded script. StartPureFtpd (a chrooted virtual user, MLSD with
// "type=OS.unix=slink:") and StartProftpd (Debian's configuration, not
// chrooted, with mod_digest's HASH/XSHA256/XSHA1/XMD5/XCRC) run the packages
// unpacked under ServersDir by .ci/ftp-servers (see daemon.go). A launcher
// whose server is missing skips the test, or fails it when the CI
// environment variable is set. Every launcher picks free ports on 127.0.0.1
// and stops only the processes it started.
package ftptest
