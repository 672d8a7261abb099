package pgcluster

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// ServerUser is the system user the server runs as when the caller is root
// (Debian's postgresql package creates it).
const ServerUser = "postgres"

// runner starts the server programs, as ServerUser when the caller is root:
// initdb and postgres refuse to run as root.
type runner struct {
	cred *syscall.Credential // nil: run as the caller
	log  *slog.Logger
}

func newRunner(dir string, log *slog.Logger) (*runner, error) {
	r := &runner{log: log}
	if os.Geteuid() != 0 {
		return r, nil
	}
	u, err := user.Lookup(ServerUser)
	if err != nil {
		return nil, fmt.Errorf("pgcluster: running as root needs the %q system user to run the server (install Debian's postgresql): %w", ServerUser, err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("pgcluster: user %q has a non-numeric uid or gid", ServerUser)
	}
	r.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{uint32(gid)}}
	return r, nil
}

// prepare makes dir usable by the server user: every parent directory must
// be traversable (o+x is added where missing, with a warning) and dir itself
// is owned by the server user.
func (r *runner) prepare(dir string) error {
	if r.cred == nil {
		return nil
	}
	for p := filepath.Dir(dir); ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("pgcluster: %w", err)
		}
		if st, ok := fi.Sys().(*syscall.Stat_t); ok && fi.Mode().Perm()&0o001 == 0 && st.Uid != r.cred.Uid {
			r.log.Warn("pgcluster: making a parent directory traversable for the postgres user", slog.String("dir", p))
			if err := os.Chmod(p, fi.Mode().Perm()|0o001); err != nil {
				return fmt.Errorf("pgcluster: %s is not traversable by user %s: %w", p, ServerUser, err)
			}
		}
		if p == filepath.Dir(p) {
			break
		}
	}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, int(r.cred.Uid), int(r.cred.Gid))
	})
	if err != nil {
		return fmt.Errorf("pgcluster: giving %s to user %s: %w", dir, ServerUser, err)
	}
	return nil
}

// command returns a command for a server program, running as the server
// user when needed, without the caller's PG* environment (PGDATA and the
// like would redirect the programs).
func (r *runner) command(ctx context.Context, path string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: r.cred}
	env := []string{"LC_ALL=C"}
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PG") || strings.HasPrefix(kv, "LC_") || strings.HasPrefix(kv, "LANG") {
			continue
		}
		env = append(env, kv)
	}
	cmd.Env = env
	cmd.Dir = "/"
	return cmd
}
