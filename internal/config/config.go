// Package config turns flags and environment variables into the emulator's
// configuration. Load is a pure function, so precedence is table-tested.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// Config is everything the emulator can be told at start.
type Config struct {
	Addr      string     // -addr, EMULATOR_ADDR
	DB        string     // -db, EMULATOR_DB
	Fixtures  string     // -fixtures, EMULATOR_FIXTURES ("" = embedded)
	LogFormat string     // -log-format, EMULATOR_LOG_FORMAT: text or json
	LogLevel  slog.Level // -log-level, EMULATOR_LOG_LEVEL: debug, info, warn, error

	// ControlToken, when set, is the bearer token every control-plane call
	// but the health check and the docs pages must carry (-control-token, EMULATOR_CONTROL_TOKEN).
	ControlToken string

	// How long one connection may take, so that a stalled or slow client
	// costs only its own connection (the defaults are far above any test's
	// request, so a suite never meets them by accident).
	ReadTimeout  time.Duration // -read-timeout, EMULATOR_READ_TIMEOUT: headers and body of a request
	WriteTimeout time.Duration // -write-timeout, EMULATOR_WRITE_TIMEOUT: from the end of the headers to the end of the answer
	IdleTimeout  time.Duration // -idle-timeout, EMULATOR_IDLE_TIMEOUT: a keep-alive connection between requests
	// ShutdownTimeout bounds how long in-flight requests may finish after
	// SIGINT/SIGTERM; connections still open then are closed.
	ShutdownTimeout time.Duration // -shutdown-timeout, EMULATOR_SHUTDOWN_TIMEOUT

	// WorldTTL is how long a world nobody calls lives (real time); MaxWorlds
	// how many worlds may exist at once besides the default one.
	WorldTTL  time.Duration // -world-ttl, EMULATOR_WORLD_TTL
	MaxWorlds int           // -max-worlds, EMULATOR_MAX_WORLDS

	// Webhooks: whether the emulator sends the vendors' webhooks (-webhooks,
	// EMULATOR_WEBHOOKS: on or off; off records every attempt as skipped).
	Webhooks bool
}

// The default timeouts.
const (
	DefaultReadTimeout  = 60 * time.Second
	DefaultWriteTimeout = 120 * time.Second
	DefaultIdleTimeout  = 120 * time.Second

	DefaultShutdownTimeout = 10 * time.Second

	DefaultWorldTTL  = time.Hour
	DefaultMaxWorlds = 1000
)

// DefaultAddr is loopback only: an emulator that accepts any credentials
// should not be reachable from the network unless asked (the Docker image
// sets ":8080").
const DefaultAddr = "127.0.0.1:8080"

// ErrHelp is returned when -h or -help was asked for; usage has been written.
var ErrHelp = flag.ErrHelp

// ErrVersion is returned when -version was asked for: the caller prints the
// version (only it knows it) and exits 0.
var ErrVersion = errors.New("version requested")

type option struct {
	flag, env, def, usage string
}

var options = []option{
	{"addr", "EMULATOR_ADDR", DefaultAddr, "listen address (\":8080\" for every interface)"},
	{"db", "EMULATOR_DB", ":memory:", "SQLite database: :memory: (fresh, seeded state at every start) or a file path that keeps state across restarts"},
	{"fixtures", "EMULATOR_FIXTURES", "", "directory of fixture files to seed from; a vendor without a file there keeps the embedded defaults"},
	{"log-format", "EMULATOR_LOG_FORMAT", "text", "log format: text or json"},
	{"log-level", "EMULATOR_LOG_LEVEL", "info", "log level: debug, info, warn or error"},
	{"read-timeout", "EMULATOR_READ_TIMEOUT", DefaultReadTimeout.String(), "longest time to read one request, headers and body"},
	{"write-timeout", "EMULATOR_WRITE_TIMEOUT", DefaultWriteTimeout.String(), "longest time from the end of a request's headers to the end of its answer (and the longest a timeout fault holds one)"},
	{"idle-timeout", "EMULATOR_IDLE_TIMEOUT", DefaultIdleTimeout.String(), "longest time a keep-alive connection waits for its next request"},
	{"shutdown-timeout", "EMULATOR_SHUTDOWN_TIMEOUT", DefaultShutdownTimeout.String(), "longest time in-flight requests may finish on SIGINT/SIGTERM; connections still open then are closed"},
	{"control-token", "EMULATOR_CONTROL_TOKEN", "", "when set, control-plane calls (all but /_emulator/health and /_emulator/docs/) need \"Authorization: Bearer <token>\""},
	{"world-ttl", "EMULATOR_WORLD_TTL", DefaultWorldTTL.String(), "a world (POST /_emulator/worlds) nobody calls for this long is deleted"},
	{"max-worlds", "EMULATOR_MAX_WORLDS", strconv.Itoa(DefaultMaxWorlds), "most worlds that may exist at once, besides the default one"},
	{"webhooks", "EMULATOR_WEBHOOKS", "on", "on: send the vendors' webhooks to the URLs they name; off: record every attempt as skipped (GET /_emulator/webhooks) without sending it"},
}

// Load reads args (without the program name) and the environment through getenv.
// Flags win over environment variables, which win over defaults. Usage and
// errors go to output.
func Load(args []string, getenv func(string) string, output io.Writer) (Config, error) {
	fs := flag.NewFlagSet("emulator", flag.ContinueOnError)
	// Parse quietly: a bad flag is reported once, as one line, by the caller.
	fs.SetOutput(io.Discard)
	vals := make(map[string]*string, len(options))
	for _, o := range options {
		def := o.def
		if v := getenv(o.env); v != "" {
			def = v
		}
		vals[o.flag] = fs.String(o.flag, def, fmt.Sprintf("%s (env %s)", o.usage, o.env))
	}
	showVersion := fs.Bool("version", false, "print the version and exit")
	fs.Usage = func() {}
	usage := func() {
		fs.SetOutput(output)
		fmt.Fprint(output, `Usage:
  emulator [flags]              serve every vendor on one port
  emulator healthcheck [flags]  ask a running emulator (at -addr) for /_emulator/health; exit 0 or 1
  emulator -version             print the version

An emulator of the LoopMessage, GreenArrow, 360dialog Partner and courier HTTP APIs.
Every flag can also be set by its environment variable; a flag wins.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage()
		}
		return Config{}, err
	}
	if *showVersion {
		return Config{}, ErrVersion
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	cfg := Config{Addr: *vals["addr"], DB: *vals["db"], Fixtures: *vals["fixtures"], LogFormat: *vals["log-format"],
		ControlToken: *vals["control-token"]}
	if cfg.Addr == "" {
		return Config{}, errors.New("-addr must not be empty")
	}
	if cfg.DB == "" {
		return Config{}, errors.New("-db must not be empty")
	}
	if cfg.LogFormat != "text" && cfg.LogFormat != "json" {
		return Config{}, fmt.Errorf("-log-format must be text or json, not %q", cfg.LogFormat)
	}
	if err := cfg.LogLevel.UnmarshalText([]byte(strings.ToLower(*vals["log-level"]))); err != nil {
		return Config{}, fmt.Errorf("-log-level must be debug, info, warn or error, not %q", *vals["log-level"])
	}
	for _, d := range []struct {
		name string
		into *time.Duration
	}{{"read-timeout", &cfg.ReadTimeout}, {"write-timeout", &cfg.WriteTimeout}, {"idle-timeout", &cfg.IdleTimeout},
		{"shutdown-timeout", &cfg.ShutdownTimeout}, {"world-ttl", &cfg.WorldTTL}} {
		v, err := time.ParseDuration(*vals[d.name])
		if err != nil || v <= 0 {
			return Config{}, fmt.Errorf("-%s must be a positive duration such as \"30s\", not %q", d.name, *vals[d.name])
		}
		*d.into = v
	}
	n, err := strconv.Atoi(*vals["max-worlds"])
	if err != nil || n < 0 {
		return Config{}, fmt.Errorf("-max-worlds must be a whole number, 0 or more, not %q", *vals["max-worlds"])
	}
	cfg.MaxWorlds = n
	switch w := strings.ToLower(*vals["webhooks"]); w {
	case "on", "off":
		cfg.Webhooks = w == "on"
	default:
		return Config{}, fmt.Errorf("-webhooks must be on or off, not %q", *vals["webhooks"])
	}
	return cfg, nil
}
