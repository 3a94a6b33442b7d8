package config_test

import (
	"bytes"
	"errors"
	"flag"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/config"
)

func TestLoad(t *testing.T) {
	t.Parallel()
	timeouts := func(c config.Config) config.Config {
		c.ReadTimeout, c.WriteTimeout, c.IdleTimeout = config.DefaultReadTimeout, config.DefaultWriteTimeout, config.DefaultIdleTimeout
		c.ShutdownTimeout = config.DefaultShutdownTimeout
		c.WorldTTL, c.MaxWorlds = config.DefaultWorldTTL, config.DefaultMaxWorlds
		c.Webhooks = true
		return c
	}
	defaults := timeouts(config.Config{Addr: "127.0.0.1:8080", DB: ":memory:", LogFormat: "text", LogLevel: slog.LevelInfo})
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want config.Config
		err  string
	}{
		{name: "defaults", want: defaults},
		{name: "env", env: map[string]string{"EMULATOR_ADDR": ":9000", "EMULATOR_DB": "/tmp/x.db",
			"EMULATOR_FIXTURES": "/fx", "EMULATOR_LOG_FORMAT": "json", "EMULATOR_LOG_LEVEL": "debug"},
			want: timeouts(config.Config{Addr: ":9000", DB: "/tmp/x.db", Fixtures: "/fx", LogFormat: "json", LogLevel: slog.LevelDebug})},
		{name: "flags", args: []string{"-addr", "127.0.0.1:0", "-db", "a.db", "-fixtures", "dir", "-log-format", "json", "-log-level", "WARN"},
			want: timeouts(config.Config{Addr: "127.0.0.1:0", DB: "a.db", Fixtures: "dir", LogFormat: "json", LogLevel: slog.LevelWarn})},
		{name: "flag wins over env", args: []string{"-addr", ":7000", "-log-level=error"},
			env:  map[string]string{"EMULATOR_ADDR": ":9000", "EMULATOR_LOG_LEVEL": "debug", "EMULATOR_DB": "env.db"},
			want: timeouts(config.Config{Addr: ":7000", DB: "env.db", LogFormat: "text", LogLevel: slog.LevelError})},
		{name: "timeouts", args: []string{"-read-timeout", "5s", "-idle-timeout=1m"}, env: map[string]string{"EMULATOR_WRITE_TIMEOUT": "90s", "EMULATOR_READ_TIMEOUT": "1h"},
			want: config.Config{Addr: "127.0.0.1:8080", DB: ":memory:", LogFormat: "text", LogLevel: slog.LevelInfo,
				ReadTimeout: 5 * time.Second, WriteTimeout: 90 * time.Second, IdleTimeout: time.Minute, ShutdownTimeout: config.DefaultShutdownTimeout,
				WorldTTL: config.DefaultWorldTTL, MaxWorlds: config.DefaultMaxWorlds, Webhooks: true}},
		{name: "webhooks off", args: []string{"-webhooks", "OFF"}, want: func() config.Config {
			c := defaults
			c.Webhooks = false
			return c
		}()},
		{name: "webhooks off by env", env: map[string]string{"EMULATOR_WEBHOOKS": "off"}, want: func() config.Config {
			c := defaults
			c.Webhooks = false
			return c
		}()},
		{name: "bad webhooks", env: map[string]string{"EMULATOR_WEBHOOKS": "maybe"}, err: `-webhooks must be on or off, not "maybe"`},
		{name: "worlds", args: []string{"-world-ttl", "5m"}, env: map[string]string{"EMULATOR_MAX_WORLDS": "3", "EMULATOR_WORLD_TTL": "1s"},
			want: func() config.Config {
				c := timeouts(config.Config{Addr: "127.0.0.1:8080", DB: ":memory:", LogFormat: "text", LogLevel: slog.LevelInfo})
				c.WorldTTL, c.MaxWorlds = 5*time.Minute, 3
				return c
			}()},
		{name: "bad max worlds", args: []string{"-max-worlds", "-1"}, err: `-max-worlds must be a whole number, 0 or more, not "-1"`},
		{name: "bad world ttl", env: map[string]string{"EMULATOR_WORLD_TTL": "forever"}, err: `-world-ttl must be a positive duration such as "30s", not "forever"`},
		{name: "shutdown timeout and control token", args: []string{"-shutdown-timeout", "250ms"}, env: map[string]string{"EMULATOR_CONTROL_TOKEN": "s3cret"},
			want: func() config.Config {
				c := timeouts(config.Config{Addr: "127.0.0.1:8080", DB: ":memory:", LogFormat: "text", LogLevel: slog.LevelInfo, ControlToken: "s3cret"})
				c.ShutdownTimeout = 250 * time.Millisecond
				return c
			}()},
		{name: "bad timeout", args: []string{"-write-timeout", "soon"}, err: `-write-timeout must be a positive duration such as "30s", not "soon"`},
		{name: "zero timeout from env", env: map[string]string{"EMULATOR_IDLE_TIMEOUT": "0s"}, err: `-idle-timeout must be a positive duration such as "30s", not "0s"`},
		{name: "unknown flag", args: []string{"-nope"}, err: "flag provided but not defined: -nope"},
		{name: "bad log format", args: []string{"-log-format", "xml"}, err: `-log-format must be text or json, not "xml"`},
		{name: "bad log level from env", env: map[string]string{"EMULATOR_LOG_LEVEL": "loud"}, err: `-log-level must be debug, info, warn or error, not "loud"`},
		{name: "empty addr", args: []string{"-addr", ""}, err: "-addr must not be empty"},
		{name: "stray argument", args: []string{"serve"}, err: `unexpected argument "serve"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			got, err := config.Load(tc.args, func(k string) string { return tc.env[k] }, &out)
			if tc.err != "" {
				require.EqualError(t, err, tc.err)
				assert.Empty(t, out.String(), "a bad flag is reported once, by the caller")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestHelpListsEveryFlagWithItsEnv(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	_, err := config.Load([]string{"-h"}, func(string) string { return "" }, &out)
	require.True(t, errors.Is(err, flag.ErrHelp))
	for _, s := range []string{"-addr", "EMULATOR_ADDR", "-db", "EMULATOR_DB", "-fixtures", "EMULATOR_FIXTURES",
		"-log-format", "EMULATOR_LOG_FORMAT", "-log-level", "EMULATOR_LOG_LEVEL", "-read-timeout", "-write-timeout", "-idle-timeout",
		"-shutdown-timeout", "-control-token", "EMULATOR_CONTROL_TOKEN", "-version", "emulator healthcheck [flags]"} {
		assert.Contains(t, out.String(), s)
	}
}

func TestVersionFlag(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	_, err := config.Load([]string{"-version"}, func(string) string { return "" }, &out)
	assert.ErrorIs(t, err, config.ErrVersion)
	assert.Empty(t, out.String(), "the caller prints the version")
}
