package app

import (
	"context"
	"fmt"
	"runtime"
)

// cmdVersion prints the version.
func cmdVersion(_ context.Context, args []string, env Env) error {
	fs := newFlags("version", env)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "ews-connector %s (%s, %s/%s)\n", Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}
