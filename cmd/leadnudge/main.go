// Command leadnudge is a self-hosted Slack bot that privately nudges people
// when their wording leans on positional authority instead of influence, and
// runs a weekly private reflection habit.
//
// main.go only wires subcommands together; each subcommand lives in its own
// file and business logic lives in the packages it calls.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // time zones in a static binary: prompts go out in each person's own time

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// exitError carries a process exit code through cobra without printing twice.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// newRootCmd builds the whole command tree. stdin/stdout/stderr are passed in
// so tests can run commands in-process.
func newRootCmd(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "leadnudge",
		Short:         "Private, in-the-moment leadership nudges and a weekly reflection for Slack",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(
		newVersionCmd(),
		newCheckCmd(),
		newScanCmd(),
		newReportCmd(),
		newRulesCmd(),
		newRunCmd(),
		newDemoCmd(),
		newConfigCmd(),
		newFakeslackCmd(),
		newManifestCmd(),
		newDataCmd(),
		newLoadtestCmd(),
	)
	return root
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(cmd.OutOrStdout(), "leadnudge", version)
			return err
		},
	}
}

// run executes the command line and returns the process exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRootCmd(stdin, stdout, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(stderr, "leadnudge:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "leadnudge:", err)
	return 2
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
