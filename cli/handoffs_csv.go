package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/handoffbot/handoffbot/businesstime"
	"github.com/handoffbot/handoffbot/handoffcsv"
)

// importCSV is `handoffbot import [--raw] FILE.csv`: all rows or none.
// --raw reads a file `export --raw` wrote, taking every cell as it is.
func importCSV(ctx context.Context, e Env, args []string) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	raw := fs.Bool("raw", false, "the file was written by export --raw")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		return UsageError{errors.New("usage: handoffbot import [--raw] FILE.csv")}
	}
	name := fs.Arg(0)
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	defer f.Close()
	read := handoffcsv.Read
	if *raw {
		read = handoffcsv.ReadRaw
	}
	hs, warnings, err := read(bufio.NewReaderSize(f, 1<<16))
	for _, w := range warnings {
		fmt.Fprintf(e.Out, "%s: %s\n", name, w)
	}
	if err != nil {
		return fmt.Errorf("import %s: nothing imported:\n%w", name, err)
	}
	cal := businesstime.New(e.Config.Hours, e.Config.HolidayList, e.Config.Location)
	for i := range hs {
		hs[i].AcceptDueAt = cal.Add(hs[i].CreatedAt, e.Config.SLAAccept)
		hs[i].FirstTouchDueAt = cal.Add(hs[i].CreatedAt, e.Config.SLAFirstTouch)
		if decided := firstOf(hs[i].AcceptedAt, hs[i].RejectedAt); decided != nil {
			hs[i].DecisionSecs = cal.Between(hs[i].CreatedAt, *decided).Seconds()
		}
	}
	db, err := openDB(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := db.ImportHandoffs(ctx, hs, "import", time.Now())
	if err != nil {
		return fmt.Errorf("import %s: nothing imported: %w", name, err)
	}
	_, err = fmt.Fprintf(e.Out, "Imported %s: %d new, %d updated, %d unchanged.\n", name, res.Created, res.Updated, res.Unchanged)
	return err
}

// exportCSV is `handoffbot export [--from DATE] [--to DATE] [--raw]`: the
// handoffs created on those days (in TIMEZONE, both included) as CSV on
// stdout, streamed row by row. Cells a spreadsheet would run as formulas
// are neutralised unless --raw asks for the exact text.
func exportCSV(ctx context.Context, e Env, args []string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	from := fs.String("from", "", "first day, YYYY-MM-DD")
	to := fs.String("to", "", "last day, YYYY-MM-DD")
	raw := fs.Bool("raw", false, "cells exactly as stored, for programs")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return UsageError{errors.New("usage: handoffbot export [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--raw]")}
	}
	start, end, err := dayRange(*from, *to, e.Config.Location)
	if err != nil {
		return UsageError{err}
	}
	if !start.Before(end) {
		return UsageError{fmt.Errorf("--from %s is after --to %s: nothing would be exported", *from, *to)}
	}
	db, err := openDB(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close()
	out := bufio.NewWriter(e.Out)
	w := handoffcsv.NewWriter(out)
	if *raw {
		w = handoffcsv.NewRawWriter(out)
	}
	if err := db.ExportHandoffs(ctx, start, end, w.Write); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return out.Flush()
}

// dayRange turns optional first and last days into [start, end).
func dayRange(from, to string, loc *time.Location) (time.Time, time.Time, error) {
	start := time.Date(1, 1, 1, 0, 0, 0, 0, loc)
	end := time.Date(9999, 1, 1, 0, 0, 0, 0, loc)
	var err error
	if from != "" {
		if start, err = time.ParseInLocation(time.DateOnly, from, loc); err != nil {
			return start, end, fmt.Errorf("--from: want YYYY-MM-DD, not %q", from)
		}
	}
	if to != "" {
		if end, err = time.ParseInLocation(time.DateOnly, to, loc); err != nil {
			return start, end, fmt.Errorf("--to: want YYYY-MM-DD, not %q", to)
		}
		end = end.AddDate(0, 0, 1)
	}
	return start, end, nil
}

func firstOf(ts ...*time.Time) *time.Time {
	for _, t := range ts {
		if t != nil {
			return t
		}
	}
	return nil
}
