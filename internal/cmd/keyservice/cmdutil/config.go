package cmdutil

import (
	"os"
	"strings"

	"github.com/spf13/pflag"

	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/output"
)

// Environment variables, the same as the provider's.
const (
	EnvEndpoint  = "KEYSERVICE_ENDPOINT"
	EnvToken     = "KEYSERVICE_TOKEN"
	EnvProjectID = "KEYSERVICE_PROJECT_ID"
	EnvOTP       = "KEYSERVICE_OTP"
)

// GlobalFlags are the flags every command takes. A flag given wins over its environment
// variable.
type GlobalFlags struct {
	Endpoint   string
	TokenStdin bool
	Project    string
	OTP        string
	Format     string
	Quiet      bool
	Debug      bool

	set *pflag.FlagSet
}

// Register adds the flags to fs (the root command's persistent flags).
func (g *GlobalFlags) Register(fs *pflag.FlagSet) {
	g.set = fs
	fs.StringVar(&g.Endpoint, "endpoint", "", "base URL of the key service, e.g. http://127.0.0.1:8080 (env "+EnvEndpoint+")")
	fs.BoolVar(&g.TokenStdin, "token-stdin", false, "read the bearer token from standard input instead of "+EnvToken)
	fs.StringVarP(&g.Project, "project", "p", "", "project id or name that names are looked up in (env "+EnvProjectID+")")
	fs.StringVar(&g.OTP, "otp", "", "current one-time code, for a project that requires one for every change (env "+EnvOTP+"); each code is taken once")
	fs.StringVarP(&g.Format, "format", "f", string(output.FormatTable), "output format: table, json or yaml")
	fs.BoolVarP(&g.Quiet, "quiet", "q", false, "print only ids (only the secret on api-key create and rotate)")
	fs.BoolVarP(&g.Debug, "debug", "d", false, "trace every request and response on stderr (secrets and the token redacted)")
}

// Config is what a command talks to the key service with.
type Config struct {
	Endpoint string
	Token    string
	Project  string // a project id or name; empty when none is configured
	OTP      string
}

// config merges the flags with the environment; the token comes from stdin with --token-stdin.
func (g *GlobalFlags) config(readSecret func(prompt string) (string, error)) (Config, error) {
	c := Config{
		Endpoint: g.flagOrEnv("endpoint", g.Endpoint, EnvEndpoint),
		Project:  g.flagOrEnv("project", g.Project, EnvProjectID),
		OTP:      g.flagOrEnv("otp", g.OTP, EnvOTP),
		Token:    strings.TrimSpace(os.Getenv(EnvToken)),
	}
	if g.TokenStdin {
		token, err := readSecret("Token: ")
		if err != nil {
			return Config{}, err
		}
		if token == "" {
			return Config{}, UsageErrorf("--token-stdin: standard input held no token")
		}
		c.Token = token
	}
	if c.Endpoint == "" {
		return Config{}, UsageErrorf("no key service endpoint: set %s or pass --endpoint (e.g. http://127.0.0.1:8080)", EnvEndpoint)
	}
	return c, nil
}

func (g *GlobalFlags) flagOrEnv(flag, value, env string) string {
	if g.set != nil && g.set.Changed(flag) {
		return strings.TrimSpace(value)
	}
	return strings.TrimSpace(os.Getenv(env))
}
