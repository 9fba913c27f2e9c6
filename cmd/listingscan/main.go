// Command listingscan keeps a low-code app marketplace honest: it finds
// listings that copy other providers' images and text.
//
// Run `listingscan --help` for the subcommands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/listingscan/listingscan/scanner"
)

// Exit codes, as promised to cron jobs and hooks.
const (
	exitOK         = 0
	exitFindings   = 1
	exitUsage      = 2
	exitIncomplete = 4
)

// exitError carries an exit code to main.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageError(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// errFindings is returned when findings at or above --fail-on exist: not a
// failure of the tool, a verdict for the caller.
var errFindings = &exitError{code: exitFindings, err: errors.New("findings at or above the --fail-on severity")}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes the command line and maps errors to exit codes.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRootCmd(stdout, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	if perr := root.PersistentPostRunE(root, nil); perr != nil {
		fmt.Fprintf(stderr, "listingscan: %v\n", perr)
	}
	var ee *exitError
	switch {
	case errors.As(err, &ee):
		if ee != errFindings && ee.err != errDecided {
			fmt.Fprintf(stderr, "listingscan: %v\n", ee.err)
		}
		return ee.code
	case errors.Is(err, scanner.ErrStore):
		fmt.Fprintf(stderr, "listingscan: could not complete: %v\n", err)
		return exitIncomplete
	default:
		// Flag and argument errors from cobra.
		fmt.Fprintf(stderr, "listingscan: %v\n", err)
		return exitUsage
	}
}

func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "listingscan",
		Short: "Find copied and misleading listings on a low-code app marketplace",
		Long: `listingscan indexes marketplace listings and reports providers who copy
other providers' images, titles and descriptions, even when the copy was
re-encoded, cropped, mirrored, or its text disguised.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	addStoreFlags(root.PersistentFlags())
	addProfileFlags(root.PersistentFlags())
	var stopProfiles func() error
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		var err error
		stopProfiles, err = startProfiles(cmd)
		return err
	}
	// Also called by run when the command failed, so a profile of a scan
	// that ends with findings (exit 1) is still written.
	root.PersistentPostRunE = func(*cobra.Command, []string) error {
		if stopProfiles == nil {
			return nil
		}
		stop := stopProfiles
		stopProfiles = nil
		return stop()
	}
	root.AddCommand(newScanCmd(), newFindingsCmd(), newEvalCmd(), newVersionCmd(), newRulesCmd(), newServeCmd(), newCheckCmd(), newLoadTestCmd())
	return root
}
