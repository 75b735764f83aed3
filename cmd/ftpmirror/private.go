package main

import (
	"fmt"
	"os"
)

// A file that holds a password must be private to its owner, as ssh
// requires of a private key and ftp(1) of a netrc file with a password:
// checkPrivate refuses a regular file that its group or others may read or
// write. Pipes and other special files (--password-file /dev/stdin,
// <(pass show ftp)) are not checked: their mode says nothing of who else
// can read the password.

// checkPrivate returns a usage error naming what when the regular file at
// name is readable or writable by its group or others.
func checkPrivate(name, what string) error {
	fi, err := os.Stat(name)
	if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o077 == 0 {
		return nil
	}
	return usageErr(fmt.Sprintf("%s %s holds a password and other users may read it (mode %04o)", what, name, fi.Mode().Perm()),
		fmt.Sprintf("make it private: chmod 600 %s", name))
}

// warnShared warns when the existing log file at name can be read by
// others: debug logs name the server, the user and every path.
func warnShared(name string) string {
	fi, err := os.Stat(name)
	if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o044 == 0 {
		return ""
	}
	return fmt.Sprintf("the log file %s is readable by other users (mode %04o): chmod 600 %s", name, fi.Mode().Perm(), name)
}
