// Command handoffbot is a Slack bot for lead handoffs between sales and
// marketing. Everything it does is in package cli; this is the entry point.
package main

import (
	"os"
	_ "time/tzdata" // TIMEZONE must work in a distroless image without zoneinfo

	"github.com/handoffbot/handoffbot/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:]))
}
