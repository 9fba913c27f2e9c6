package listing

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
)

// JSON Lines are decoded on all cores: a catalogue export of 100k
// listings is some 350 MB of JSON, and decoding it on one core took longer
// than an incremental scan's matching. Lines are read in order, decoded in
// batches by workers, and passed on in file order, so emit and report see
// exactly what a sequential reader would give them, from the caller's
// goroutine.
const (
	// lineBatchLines and lineBatchBytes bound one batch of lines.
	lineBatchLines = 256
	lineBatchBytes = 1 << 20
)

// jsonLine is one line of a JSON Lines file and what became of it.
type jsonLine struct {
	no      int
	raw     []byte // the object to decode; nil when problem is set
	problem error  // why the line is not an object, found while reading
	l       Listing
	err     error // the decoder's error
}

// lineBatch is a run of lines decoded by one worker; done is closed when
// they all are.
type lineBatch struct {
	lines []jsonLine
	done  chan struct{}
}

// decodeJSONLines streams JSON Lines: one listing object per line, blank
// lines ignored. A malformed or over-long line is reported and skipped; the
// lines after it are still read. Read errors end the file.
func decodeJSONLines(ctx context.Context, r io.Reader, file string, maxLine int, emit func(Listing) error, report func(InputError)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := runtime.GOMAXPROCS(0)
	work := make(chan *lineBatch)
	ordered := make(chan *lineBatch, 2*workers) // bounds how far reading runs ahead
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for b := range work {
				for i := range b.lines {
					if ln := &b.lines[i]; ln.raw != nil {
						ln.l, ln.err = DecodeJSON(ln.raw)
					}
				}
				close(b.done)
			}
		})
	}
	var readErr error
	go func() {
		defer close(ordered)
		defer close(work)
		readErr = readJSONLines(ctx, r, maxLine, func(b *lineBatch) bool {
			select {
			case ordered <- b:
			case <-ctx.Done():
				return false
			}
			select {
			case work <- b:
				return true
			case <-ctx.Done():
				close(b.done) // never decoded; the consumer has stopped
				return false
			}
		})
	}()
	// Drains the pipeline on every return, so no goroutine outlives the
	// call; readErr is read only after the reader has finished.
	defer wg.Wait()
	var emitErr error
	for b := range ordered {
		<-b.done
		if emitErr != nil || ctx.Err() != nil {
			continue
		}
		for _, ln := range b.lines {
			switch {
			case ln.problem != nil:
				report(InputError{File: file, Line: ln.no, Err: ln.problem})
			case ln.err != nil:
				report(InputError{File: file, Line: ln.no, ListingID: ln.l.ID, Err: ln.err})
			default:
				ln.l.Source = file
				if err := emit(ln.l); err != nil {
					emitErr = err
					cancel()
				}
			}
			if emitErr != nil {
				break
			}
		}
	}
	if emitErr != nil {
		return emitErr
	}
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	if readErr != nil {
		return readErr
	}
	return nil
}

// readJSONLines splits r into lines and passes them on in batches; send
// returns false when the batches are no longer wanted. A line's problems
// found without decoding it (too long, not an object, a read error) travel
// with it, so they are reported in order. It returns the context's error
// when cancelled.
func readJSONLines(ctx context.Context, r io.Reader, maxLine int, send func(*lineBatch) bool) error {
	br := bufio.NewReaderSize(r, 64<<10)
	batch := &lineBatch{done: make(chan struct{})}
	size := 0
	flush := func() bool {
		if len(batch.lines) == 0 {
			return true
		}
		ok := send(batch)
		batch, size = &lineBatch{done: make(chan struct{})}, 0
		return ok
	}
	var buf []byte
	for lineNo := 1; ; lineNo++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		buf = buf[:0]
		tooLong := false
		var readErr error
		for {
			chunk, err := br.ReadSlice('\n')
			if !tooLong {
				if len(buf)+len(chunk) > maxLine+1 { // +1: the newline itself
					tooLong = true
					buf = buf[:0]
				} else {
					buf = append(buf, chunk...)
				}
			}
			if errors.Is(err, bufio.ErrBufferFull) {
				continue
			}
			readErr = err
			break
		}
		ln := jsonLine{no: lineNo}
		switch {
		case readErr != nil && readErr != io.EOF:
			ln.problem = fmt.Errorf("read: %w", readErr)
		case tooLong:
			ln.problem = fmt.Errorf("line is longer than %s: %w", byteSize(int64(maxLine)), ErrTooLarge)
		default:
			line := buf
			if lineNo == 1 {
				line = bytes.TrimPrefix(line, []byte(utf8BOM))
			}
			line = bytes.TrimSpace(line)
			switch {
			case len(line) == 0:
			case line[0] != '{':
				if json.Valid(line) {
					ln.problem = fmt.Errorf("line holds a JSON %s, want an object", jsonKind(line[0]))
				} else {
					ln.problem = fmt.Errorf("malformed JSON: %w", jsonSyntaxError(line))
				}
			default:
				// DecodeJSON reports a malformed object itself.
				ln.raw = bytes.Clone(line)
				size += len(line)
			}
		}
		if ln.raw != nil || ln.problem != nil {
			batch.lines = append(batch.lines, ln)
		}
		last := readErr != nil
		if last || len(batch.lines) >= lineBatchLines || size >= lineBatchBytes {
			if !flush() {
				return ctx.Err()
			}
		}
		if last {
			return nil
		}
	}
}
