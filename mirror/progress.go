package mirror

// Progress receives what a run does, as it does it. Its methods may be called
// from many goroutines at once and must not block for long. The zero choice,
// a nil Progress in the options, reports nothing.
type Progress interface {
	// Start is called once the plan is known: the number of files and bytes
	// the run will transfer.
	Start(files int, bytes int64)
	// Bytes reports n more bytes transferred (n may be negative when a failed
	// attempt's bytes are taken back before a retry).
	Bytes(n int64)
	// Done reports one action finished: err is nil on success.
	Done(path string, op string, err error)
}

// nopProgress is the Progress used when none is given.
type nopProgress struct{}

func (nopProgress) Start(int, int64)           {}
func (nopProgress) Bytes(int64)                {}
func (nopProgress) Done(string, string, error) {}
