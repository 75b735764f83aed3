package mirror

import (
	"testing"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
)

// Push against vsftpd: no MLSD (LIST times to the minute or the day), no
// MFMT but "MDTM time path" to set times (mdtm_write), REST before STOR and
// renames over existing files.

func vsftpdWritable(t *testing.T, remote string) Server {
	return serverFor(ftptest.StartVsftpd(t, remote, ftptest.VsftpdOptions{Writable: true}))
}

func TestVsftpdPushFreshIsByteIdenticalWithMtimesThenIdle(t *testing.T) {
	pushFreshThenNothingToDo(t, vsftpdWritable)
}

func TestVsftpdPushCarriesLocalChangeAddDelete(t *testing.T) {
	pushCarriesLocalChangeAddDelete(t, vsftpdWritable)
}

func TestVsftpdPushDryRunChangesNothing(t *testing.T) {
	pushDryRunChangesNothing(t, vsftpdWritable)
}

func TestVsftpdPushKilledMidwayResumes(t *testing.T) {
	pushKilledMidway(t, vsftpdWritable)
}
