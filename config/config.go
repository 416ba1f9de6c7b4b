// Package config reads handoffbot's settings from the environment and checks
// them before anything connects, so a typo costs one clear message instead of
// a half-started bot.
package config

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kelseyhightower/envconfig"
	"github.com/robfig/cron/v3"

	"github.com/handoffbot/handoffbot/businesstime"
)

// Config is every setting the README's Configuration table lists. The raw strings are kept for
// printing; Load fills the parsed fields below them.
type Config struct {
	AppToken        string        `envconfig:"SLACK_APP_TOKEN" need:"slack" desc:"app-level token, xapp-… (scope connections:write)"`
	BotToken        string        `envconfig:"SLACK_BOT_TOKEN" need:"slack" desc:"bot token, xoxb-…"`
	APIURL          string        `envconfig:"SLACK_API_URL" default:"https://slack.com/api/" desc:"Web API base URL (proxies, tests, the demo)"`
	DatabaseURL     string        `envconfig:"DATABASE_URL" default:"postgres://localhost:5432/handoff?sslmode=disable" desc:"Postgres connection URL"`
	MaxConns        int           `envconfig:"DATABASE_MAX_CONNS" default:"30" desc:"Postgres connections this process may open, River's included (at least 10); replicas × this must stay under the server's max_connections"`
	HandoffChannel  string        `envconfig:"HANDOFF_CHANNEL" need:"slack" desc:"channel ID where handoff cards are posted"`
	FeedbackChannel string        `envconfig:"FEEDBACK_CHANNEL" desc:"channel ID for feedback threads (default: HANDOFF_CHANNEL)"`
	DigestChannel   string        `envconfig:"DIGEST_CHANNEL" desc:"channel ID for the team-wide weekly digest; empty: DMs only"`
	ManagerChannel  string        `envconfig:"MANAGER_CHANNEL" desc:"channel ID for SLA escalations; empty: DM the managers"`
	Managers        IDs           `envconfig:"MANAGERS" desc:"user (U…) and user-group (S…) IDs who may query stats, export, start surveys; empty: everyone"`
	SalesTeam       IDs           `envconfig:"SALES_TEAM" desc:"user and user-group IDs of sales: receivers of handoffs to sales"`
	MarketingTeam   IDs           `envconfig:"MARKETING_TEAM" desc:"user and user-group IDs of marketing: receivers of handoffs to marketing and of digest DMs"`
	SLAAccept       time.Duration `envconfig:"SLA_ACCEPT" default:"4h" desc:"accept-or-reject SLA, business time (Go duration)"`
	SLAFirstTouch   time.Duration `envconfig:"SLA_FIRST_TOUCH" default:"24h" desc:"first-touch SLA, business time (Go duration)"`
	BusinessHours   string        `envconfig:"BUSINESS_HOURS" default:"Mon-Fri 09:00-17:00" desc:"working hours, e.g. Mon-Fri 09:00-17:00; always for wall-clock time"`
	Holidays        string        `envconfig:"HOLIDAYS" desc:"YYYY-MM-DD dates, comma-separated, with no working hours"`
	TimeZone        string        `envconfig:"TIMEZONE" default:"UTC" desc:"IANA zone for business hours, digests and periods"`
	DigestSchedule  string        `envconfig:"DIGEST_SCHEDULE" default:"0 9 * * MON" desc:"weekly digest time: 5-field cron or @weekly / @every 10m, in TIMEZONE"`
	HTTPAddr        string        `envconfig:"HTTP_ADDR" default:"127.0.0.1:8080" desc:"health and metrics listen address (:8080 in the container image); empty disables it"`
	IntakeAddr      string        `envconfig:"INTAKE_ADDR" desc:"listen address of the intake API (e.g. :8081); empty: off"`
	WebhookURLs     URLs          `envconfig:"WEBHOOK_URLS" desc:"comma-separated URLs that receive outbound events, signed"`
	WebhookSecret   string        `envconfig:"WEBHOOK_SECRET" desc:"HMAC key of the outbound events' signatures; required with WEBHOOK_URLS"`
	RoutingFile     string        `envconfig:"ROUTING_FILE" desc:"routing rules (YAML, docs/routing.md); empty: one fair rotation per team"`
	HubSpotToken    string        `envconfig:"HUBSPOT_TOKEN" desc:"HubSpot Service Key or private app token; empty: the HubSpot connector is off"`
	HubSpotAPIURL   string        `envconfig:"HUBSPOT_API_URL" default:"https://api.hubapi.com" desc:"HubSpot API base URL (proxies, tests, the demo)"`
	HubSpotMQLStage string        `envconfig:"HUBSPOT_MQL_STAGE" default:"marketingqualifiedlead" desc:"lifecycle stage whose contacts become handoffs to sales"`
	HubSpotPoll     time.Duration `envconfig:"HUBSPOT_POLL" default:"1m" desc:"how often HubSpot is polled for new MQLs"`
	HubSpotCreate   bool          `envconfig:"HUBSPOT_CREATE_CONTACTS" default:"false" desc:"create a HubSpot contact for a handoff whose email matches none"`
	LogLevel        string        `envconfig:"LOG_LEVEL" default:"info" desc:"debug, info, warn or error"`
	LogFormat       string        `envconfig:"LOG_FORMAT" default:"json" desc:"json or text"`
	Pprof           bool          `envconfig:"PPROF" default:"false" desc:"true serves Go's profiler on HTTP_ADDR under /debug/pprof/ (keep that port private)"`

	// Parsed forms, set by Load.
	Hours       businesstime.Hours  `ignored:"true"`
	HolidayList []businesstime.Date `ignored:"true"`
	Location    *time.Location      `ignored:"true"`
	Schedule    cron.Schedule       `ignored:"true"`
	Level       slog.Level          `ignored:"true"`
}

// IDs is a comma-separated list of Slack user and user-group IDs.
type IDs []string

// URLs is a comma-separated list of http(s) URLs.
type URLs []string

// Decode lets envconfig read "https://a, https://b" with spaces.
func (u *URLs) Decode(value string) error {
	*u = nil
	for _, v := range strings.Split(value, ",") {
		if v = strings.TrimSpace(v); v != "" {
			*u = append(*u, v)
		}
	}
	return nil
}

// Decode lets envconfig read "U1, S2" with spaces around the commas.
func (ids *IDs) Decode(value string) error {
	*ids = nil
	for _, id := range strings.Split(value, ",") {
		if id = strings.TrimSpace(id); id != "" {
			*ids = append(*ids, id)
		}
	}
	return nil
}

// Need says what a command works with, so that each asks only for the
// settings it uses: `migrate` or `export` should not want Slack tokens.
type Need uint8

// The parts a command may need; the database settings and the calendar are
// read by every command.
const (
	NeedDatabase Need = 1 << iota
	NeedSlack
	NeedAll = NeedDatabase | NeedSlack
)

// Load reads the process environment and validates what need asks for.
// Every problem is reported at once, each naming its variable.
func Load(need Need) (*Config, error) {
	var c Config
	if err := process(&c); err != nil {
		return nil, err
	}
	if err := c.ValidateFor(need); err != nil {
		return nil, err
	}
	return &c, nil
}

func process(c *Config) error {
	err := envconfig.Process("", c)
	if pe, ok := errors.AsType[*envconfig.ParseError](err); ok {
		// envconfig's own message quotes the value; ours names the variable only.
		want := pe.Err.Error()
		if strings.HasSuffix(pe.TypeName, "Duration") {
			want = `want a positive Go duration, e.g. "4h" or "90m"`
		}
		if pe.TypeName == "bool" {
			want = "want true or false"
		}
		return &Error{Problems: []string{pe.KeyName + ": " + want}}
	}
	return err
}

var (
	channelID = regexp.MustCompile(`^[CG][A-Z0-9]{2,}$`)
	memberID  = regexp.MustCompile(`^[UWS][A-Z0-9]{2,}$`)
)

// Validate checks every value against the form the README gives it and
// fills the parsed fields. It never quotes a token.
func (c *Config) Validate() error {
	return c.ValidateFor(NeedAll)
}

// ValidateFor is Validate for a command that needs only need.
func (c *Config) ValidateFor(need Need) error {
	var p problems
	if need&NeedSlack != 0 {
		c.validateSlack(&p)
	}
	p.add("DATABASE_URL", checkDatabaseURL(c.DatabaseURL))
	p.check(c.MaxConns == 0 || c.MaxConns >= MinMaxConns, "DATABASE_MAX_CONNS",
		fmt.Sprintf("want a whole number of at least %d (the bot holds up to 8 connections for deliveries and needs more to work), not %d", MinMaxConns, c.MaxConns))
	c.parseTime(&p)
	p.add("HTTP_ADDR", checkAddr(c.HTTPAddr))
	p.add("INTAKE_ADDR", checkAddr(c.IntakeAddr))
	c.validateIntegrations(&p)
	c.parseLogging(&p)
	return p.err()
}

// validateIntegrations checks the settings of the systems around the bot:
// webhooks, routing rules' file, HubSpot.
func (c *Config) validateIntegrations(p *problems) {
	for _, u := range c.WebhookURLs {
		p.add("WEBHOOK_URLS", checkWebURL(u))
	}
	if len(c.WebhookURLs) > 0 && len(c.WebhookSecret) < 16 {
		p.add("WEBHOOK_SECRET", errors.New("set at least 16 characters (e.g. openssl rand -hex 32): every event is signed with it"))
	}
	if c.HubSpotToken == "" {
		return // the connector is off: its other settings do not matter
	}
	p.add("HUBSPOT_API_URL", checkWebURL(c.HubSpotAPIURL))
	p.check(c.HubSpotMQLStage != "", "HUBSPOT_MQL_STAGE", "want a lifecycle stage's internal name, such as marketingqualifiedlead")
	p.check(c.HubSpotPoll >= 5*time.Second, "HUBSPOT_POLL", `want a Go duration of at least 5s, such as "1m"`)
}

// checkWebURL accepts an absolute http(s) URL; it quotes only the host,
// never a query or user info, which may hold secrets.
func checkWebURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New(`want an absolute http(s) URL such as "https://hooks.example.com/handoffs"`)
	}
	return nil
}

// validateSlack checks what talking to Slack needs: the tokens, the
// channels and the people.
func (c *Config) validateSlack(p *problems) {
	p.required("SLACK_APP_TOKEN", c.AppToken)
	p.required("SLACK_BOT_TOKEN", c.BotToken)
	p.required("HANDOFF_CHANNEL", c.HandoffChannel)
	p.check(c.AppToken == "" || strings.HasPrefix(c.AppToken, "xapp-"), "SLACK_APP_TOKEN", `want an app-level token starting with "xapp-"`)
	p.check(c.BotToken == "" || strings.HasPrefix(c.BotToken, "xoxb-"), "SLACK_BOT_TOKEN", `want a bot token starting with "xoxb-"`)
	p.add("SLACK_API_URL", c.normalizeAPIURL())
	p.channel("HANDOFF_CHANNEL", c.HandoffChannel, false)
	p.channel("FEEDBACK_CHANNEL", c.FeedbackChannel, false)
	if c.FeedbackChannel == "" {
		c.FeedbackChannel = c.HandoffChannel
	}
	p.channel("DIGEST_CHANNEL", c.DigestChannel, false)
	p.channel("MANAGER_CHANNEL", c.ManagerChannel, false)
	p.members("MANAGERS", c.Managers)
	p.members("SALES_TEAM", c.SalesTeam)
	p.members("MARKETING_TEAM", c.MarketingTeam)
	p.check(c.SLAAccept > 0, "SLA_ACCEPT", `want a positive Go duration, e.g. "4h" or "90m"`)
	p.check(c.SLAFirstTouch > 0, "SLA_FIRST_TOUCH", `want a positive Go duration, e.g. "24h"`)
}

func (c *Config) parseTime(p *problems) {
	var err error
	c.Hours, err = businesstime.ParseHours(c.BusinessHours)
	p.add("BUSINESS_HOURS", err)
	c.HolidayList, err = businesstime.ParseHolidays(c.Holidays)
	p.add("HOLIDAYS", err)
	c.Location, err = time.LoadLocation(c.TimeZone)
	if err != nil || c.TimeZone == "" || strings.EqualFold(c.TimeZone, "local") {
		p.add("TIMEZONE", fmt.Errorf("want an IANA zone such as UTC or Europe/Berlin, not %q", c.TimeZone))
	}
	parser := cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
	c.Schedule, err = parser.Parse(c.DigestSchedule)
	if err == nil && c.Schedule.Next(time.Now()).IsZero() {
		p.add("DIGEST_SCHEDULE", fmt.Errorf("%q never comes round (check the day of month)", c.DigestSchedule))
	} else if err != nil || strings.HasPrefix(c.DigestSchedule, "TZ=") || strings.HasPrefix(c.DigestSchedule, "CRON_TZ=") {
		p.add("DIGEST_SCHEDULE", fmt.Errorf(`want 5 cron fields such as "0 9 * * MON", or "@weekly" or "@every 10m" (the zone is TIMEZONE): %q`, c.DigestSchedule))
	}
}

func (c *Config) parseLogging(p *problems) {
	if err := c.Level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		p.add("LOG_LEVEL", fmt.Errorf("want debug, info, warn or error, not %q", c.LogLevel))
	}
	p.check(c.LogFormat == "json" || c.LogFormat == "text", "LOG_FORMAT", fmt.Sprintf("want json or text, not %q", c.LogFormat))
}

// normalizeAPIURL adds the trailing slash slack-go needs to join method names.
func (c *Config) normalizeAPIURL() error {
	u, err := url.Parse(c.APIURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New(`want an http(s) URL such as "https://slack.com/api/"`)
	}
	if !strings.HasSuffix(c.APIURL, "/") {
		c.APIURL += "/"
	}
	return nil
}

// checkDatabaseURL accepts a postgres:// URL or a libpq key=value string. The
// value may hold a password, so the message never quotes it.
func checkDatabaseURL(s string) error {
	if strings.Contains(s, "=") && !strings.Contains(s, "://") {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return errors.New(`want a URL such as "postgres://user@host:5432/handoff?sslmode=disable"`)
	}
	return nil
}

func checkAddr(addr string) error {
	if addr == "" {
		return nil
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return fmt.Errorf(`want host:port such as ":8080" or "127.0.0.1:8080", or empty to disable, not %q`, addr)
	}
	return nil
}

// MinMaxConns is the smallest DATABASE_MAX_CONNS the bot works with
// (storage.MinMaxConns, which a test keeps equal). Zero, as in a Config
// built in code, means the default.
const MinMaxConns = 10

// Error lists every configuration problem, one per line.
type Error struct{ Problems []string }

func (e *Error) Error() string {
	return "bad configuration:\n  " + strings.Join(e.Problems, "\n  ")
}

// problems collects validation messages so one run reports them all.
type problems []string

func (p *problems) add(name string, err error) {
	if err != nil {
		*p = append(*p, name+": "+err.Error())
	}
}

func (p *problems) required(name, value string) {
	if value == "" {
		*p = append(*p, name+": required, and not set")
	}
}

func (p *problems) check(ok bool, name, want string) {
	if !ok {
		*p = append(*p, name+": "+want)
	}
}

func (p *problems) channel(name, id string, required bool) {
	if id == "" && !required {
		return
	}
	p.check(channelID.MatchString(id), name, fmt.Sprintf(`want a channel ID such as "C0123ABCD" (channel details → About), not %q`, id))
}

func (p *problems) members(name string, ids IDs) {
	for _, id := range ids {
		p.check(memberID.MatchString(id), name, fmt.Sprintf(`want user IDs (U…) and user-group IDs (S…), comma-separated; %q is neither`, id))
	}
}

func (p problems) err() error {
	if len(p) == 0 {
		return nil
	}
	return &Error{Problems: p}
}

// LogValue keeps the tokens and the database password out of every log
// line. Its receiver is a value so that a Config logged by value is
// redacted too, not only a *Config.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("api_url", RedactURL(c.APIURL)),
		slog.String("database", RedactURL(c.DatabaseURL)),
		slog.Int("database_max_conns", c.MaxConns),
		slog.String("handoff_channel", c.HandoffChannel),
		slog.String("feedback_channel", c.FeedbackChannel),
		slog.String("timezone", c.TimeZone),
		slog.String("business_hours", c.BusinessHours),
		slog.Duration("sla_accept", c.SLAAccept),
		slog.Duration("sla_first_touch", c.SLAFirstTouch),
		slog.String("http_addr", c.HTTPAddr),
		slog.Bool("pprof", c.Pprof),
	)
}

// RedactURL is a database or API URL fit for a log line, `check`'s output
// or an error: the password of its user info and the values of its
// password and sslpassword parameters become xxxxx, in the URL form and in
// libpq's key=value form (host=db password=…) alike. An http(s) URL loses
// its whole user info, since a proxy's user name is often a token. Text
// that is neither form is not shown at all.
func RedactURL(s string) string {
	if isKeyValue(s) {
		return secretSetting.ReplaceAllString(s, "${1}${2}=xxxxx")
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		return "(not a URL)"
	}
	if u.User != nil && (u.Scheme == "http" || u.Scheme == "https") {
		u.User = url.User("xxxxx")
	}
	u.RawQuery = redactQuery(u.RawQuery)
	return u.Redacted()
}

// isKeyValue tells libpq's key=value form from a URL.
func isKeyValue(s string) bool {
	return strings.Contains(s, "=") && !strings.Contains(s, "://")
}

// secretSetting matches a password or sslpassword setting of libpq's
// key=value form: the key, spaces around "=", and the value, bare or
// single-quoted with backslash escapes (or a quote left open).
var secretSetting = regexp.MustCompile(`(?i)(^|\s)((?:ssl)?password)\s*=\s*(?:'(?:[^'\\]|\\.)*'?|\S*)`)

// redactQuery replaces the values of the password and sslpassword
// parameters of a raw query, keeping the rest as it was written.
func redactQuery(raw string) string {
	if raw == "" {
		return raw
	}
	params := strings.Split(raw, "&")
	for i, p := range params {
		key, _, _ := strings.Cut(p, "=")
		if k, err := url.QueryUnescape(key); err != nil || isSecretParam(k) {
			params[i] = key + "=xxxxx" // a key that does not decode may be one
		}
	}
	return strings.Join(params, "&")
}

func isSecretParam(key string) bool {
	return strings.EqualFold(key, "password") || strings.EqualFold(key, "sslpassword")
}

// Usage writes every variable with its default and meaning, for
// `handoffbot help`. It reads the struct tags with a plain loop: envconfig's
// template-based usage keeps every method of every reachable type alive in
// the linker and made the binary a third bigger.
func Usage(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  VARIABLE\tDEFAULT\tMEANING")
	for _, v := range Variables() {
		def := v.Default
		if v.Required {
			def = "required"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", v.Name, def, v.Meaning)
	}
	return tw.Flush()
}

// Variable is one environment variable the program reads.
type Variable struct {
	Name, Default, Meaning string
	Required               bool // by the commands that talk to Slack
}

// Variables lists every environment variable, in the order of Config.
func Variables() []Variable {
	t := reflect.TypeFor[Config]()
	var vs []Variable
	for i := range t.NumField() {
		f := t.Field(i)
		name := f.Tag.Get("envconfig")
		if name == "" || f.Tag.Get("ignored") == "true" {
			continue
		}
		vs = append(vs, Variable{Name: name, Default: f.Tag.Get("default"), Meaning: f.Tag.Get("desc"), Required: f.Tag.Get("need") != ""})
	}
	return vs
}
