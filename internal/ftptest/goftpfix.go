package ftptest

import (
	"fmt"
	"reflect"
	"unsafe"

	ftpserver "goftp.io/server/v2"
)

// goftp v2.0.3 keeps some state we must set in unexported fields:
//
//   - Server.tlsConfig is only filled by ListenAndServe, not by Serve(l);
//     without it AUTH TLS is refused. We serve on our own 127.0.0.1:0
//     listener, so we set it before Serve.
//   - Session.tls is only set by AUTH TLS; with implicit TLS it stays false,
//     so goftp refuses PBSZ/PROT and sends data in clear. We set it.
//   - Session.dataConn can only be set by goftp's own PASV/EPSV/PORT/EPRT;
//     our replacements (datasock.go) set it.
//
// The module version is pinned in go.mod; if a field disappears these
// helpers return an error (or panic inside a session, which goftp recovers
// and logs) instead of silently misbehaving.

func setUnexported(ptr any, name string, val any) error {
	v := reflect.ValueOf(ptr)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return fmt.Errorf("ftptest: setUnexported needs a non-nil pointer, got %T", ptr)
	}
	f := v.Elem().FieldByName(name)
	if !f.IsValid() {
		return fmt.Errorf("ftptest: goftp %T has no field %q (module version changed?)", ptr, name)
	}
	nv := reflect.ValueOf(val)
	if !nv.IsValid() {
		nv = reflect.Zero(f.Type())
	}
	if !nv.Type().AssignableTo(f.Type()) {
		return fmt.Errorf("ftptest: goftp field %T.%s is %s, not %s", ptr, name, f.Type(), nv.Type())
	}
	reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().Set(nv)
	return nil
}

func setTLSConfig(srv *ftpserver.Server, conf any) error {
	return setUnexported(srv, "tlsConfig", conf)
}

func mustSet(sess *ftpserver.Session, name string, val any) {
	if err := setUnexported(sess, name, val); err != nil {
		panic(err)
	}
}

// sessionTLS reports whether the session's control connection is TLS.
func sessionTLS(sess *ftpserver.Session) bool {
	f := reflect.ValueOf(sess).Elem().FieldByName("tls")
	return f.IsValid() && f.Kind() == reflect.Bool && f.Bool()
}
