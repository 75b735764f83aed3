package plan

import (
	"encoding/json"
	"testing"
)

func TestSummary(t *testing.T) {
	p := Plan{Actions: []Action{
		{Op: OpMkdirLocal, Path: "d", Kind: KindDir},
		{Op: OpDownload, Path: "d/a", Size: 100, Reason: ReasonNew},
		{Op: OpDownload, Path: "b", Size: 20, Reason: ReasonLocalEdit},
		{Op: OpUpload, Path: "u", Size: 3},
		{Op: OpSymlinkLocal, Path: "l", Size: 9},
		{Op: OpAdopt, Path: "c", Size: 1000},
		{Op: OpDeleteLocal, Path: "x", Kind: KindFile},
		{Op: OpDeleteLocal, Path: "y", Kind: KindDir},
		{Op: OpForget, Path: "z"},
	}}
	got := p.Summary()
	want := Summary{Downloads: 2, Uploads: 1, Deletes: 2, Mkdirs: 1, Symlinks: 1, Adopted: 1, Forgets: 1, Bytes: 123, LocalEdits: 1}
	if got != want {
		t.Errorf("Summary = %+v\nwant      %+v", got, want)
	}
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	wantJSON := `{"downloads":2,"uploads":1,"deletes":2,"mkdirs":1,"symlinks":1,"adopted":1,"forgets":1,"bytes":123,"local_edits":1}`
	if string(b) != wantJSON {
		t.Errorf("JSON = %s\nwant   %s", b, wantJSON)
	}
}
