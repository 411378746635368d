// Package iostreams holds the standard streams of a keyservice command and what it knows about
// them (whether stdin is a terminal), so that a test can give a command buffers and pretend.
package iostreams

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// IOStreams are a command's standard streams.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	// stdinTTY is whether In is a terminal; a test sets it with SetStdinTTY.
	stdinTTY bool
	// readHidden reads one line from the terminal without echoing it.
	readHidden func() (string, error)
	// lines reads In line by line; made on first use so that every read shares one buffer.
	lines *bufio.Reader
}

// System returns the process's streams.
func System() *IOStreams {
	fd := int(os.Stdin.Fd())
	return &IOStreams{
		In:       os.Stdin,
		Out:      os.Stdout,
		ErrOut:   os.Stderr,
		stdinTTY: term.IsTerminal(fd),
		readHidden: func() (string, error) {
			b, err := term.ReadPassword(fd)
			return string(b), err
		},
	}
}

// Test returns streams on the given reader and writers, stdin not a terminal.
func Test(in io.Reader, out, errOut io.Writer) *IOStreams {
	return &IOStreams{In: in, Out: out, ErrOut: errOut}
}

// SetStdinTTY makes the streams claim (or deny) that stdin is a terminal; a line typed there is
// then read from In as it is.
func (s *IOStreams) SetStdinTTY(tty bool) {
	s.stdinTTY = tty
}

// IsStdinTTY reports whether standard input is a terminal, i.e. a person may be asked.
func (s *IOStreams) IsStdinTTY() bool { return s.stdinTTY }

// ReadLine reads one line of In without its line ending. An empty input is io.EOF.
func (s *IOStreams) ReadLine() (string, error) {
	if s.lines == nil {
		s.lines = bufio.NewReader(s.In)
	}
	line, err := s.lines.ReadString('\n')
	// A last line without a line ending is still a line.
	if err != nil && (!errors.Is(err, io.EOF) || line == "") {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// ReadSecret reads a secret (a token, an API key) from standard input: from a terminal after
// prompting on stderr, without echo, so that it lands neither on the screen nor in the shell's
// history; from a pipe or a file as its first line. Surrounding white space is dropped.
func (s *IOStreams) ReadSecret(prompt string) (string, error) {
	var (
		secret string
		err    error
	)
	if s.stdinTTY && s.readHidden != nil {
		fmt.Fprint(s.ErrOut, prompt)
		secret, err = s.readHidden()
		fmt.Fprintln(s.ErrOut)
	} else {
		secret, err = s.ReadLine()
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("reading standard input: %w", err)
	}
	return strings.TrimSpace(secret), nil
}
