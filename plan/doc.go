// Package plan decides what a mirror run must do.
//
// It takes a remote listing, the local tree and the last synced state, and
// returns a Plan of Actions. It is pure: it never opens a socket or a file.
// The only I/O it causes goes through the small interfaces it declares, such as
// Lister, which the mirror package implements over FTP and tests implement with
// fakes. Every decision it makes can be shown with a table test.
package plan
