// Package state is the record of what a mirror has synced.
//
// A state file holds, per path, the remote side as it was listed and the local
// side as it was written (plan.Record), plus a little metadata such as the data
// channel mode that last worked. It is a bbolt database: crash-safe, a single
// file, and its file lock is the lock that keeps two runs of the same mirror
// from overlapping. State knows storage only; it never speaks FTP and never
// touches the mirrored tree.
package state
