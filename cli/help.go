package cli

import (
	"fmt"
	"io"

	"github.com/handoffbot/handoffbot/config"
)

const usage = `handoffbot — lead handoffs between sales and marketing, in Slack.

Usage: handoffbot [command]

Commands:
  serve                  run the bot (the default; migrates the database first)
  migrate [status]       apply database migrations and exit; status lists them
  check                  verify tokens, channels, groups, database and webhooks
  healthcheck            exit 0 if the running bot's /healthz on HTTP_ADDR answers
  digest [--week YYYY-MM-DD] [--dry-run]
                         build (and unless --dry-run, send) a week's digest
  import [--raw] FILE.csv
                         import handoffs (--raw: a file written by export --raw)
  export [--from DATE] [--to DATE] [--raw]
                         write handoffs as CSV to stdout; cells that spreadsheets
                         would run as formulas start with ' unless --raw
  keys create NAME | keys list | keys revoke NAME
                         intake API keys: create prints a new key once
  routing check FILE     validate routing rules, naming every problem by line
  routing explain [--direction … --country … … | --json '{…}']
                         say where a lead would go and why, changing nothing
  accounts import FILE.csv
                         account owners by email domain (domain, company, owner)
  events replay --since TIME|DURATION [--sink URL]
                         send outbound events again from TIME (RFC 3339) or DURATION
                         ago (24h), to one URL or all; switches a URL that answered
                         410 back on
  demo [--interactive]   the real bot against a simulated Slack workspace, through
                         a scripted week (or what you type)
  help                   this text

Configuration (environment variables):
`

func printHelp(w io.Writer) error {
	if _, err := fmt.Fprint(w, usage); err != nil {
		return err
	}
	return config.Usage(w)
}
