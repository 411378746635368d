package provider

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/keyservice/terraform-provider-keyservice/internal/client"
)

// Environment variables that supply provider configuration; config overrides them.
const (
	envEndpoint  = "KEYSERVICE_ENDPOINT"
	envToken     = "KEYSERVICE_TOKEN"
	envProjectID = "KEYSERVICE_PROJECT_ID"
	envOTP       = "KEYSERVICE_OTP"
)

// otpPattern is the shape of a one-time code: RFC 6238 TOTP, six digits.
var otpPattern = regexp.MustCompile(`^[0-9]{6}$`)

var (
	_ provider.Provider                       = &KeyserviceProvider{}
	_ provider.ProviderWithEphemeralResources = &KeyserviceProvider{}
)

// Option changes how the provider is built; tests use it to inject a clock.
type Option func(*KeyserviceProvider)

// WithClock makes the provider read the time from now instead of time.Now.
func WithClock(now func() time.Time) Option {
	return func(p *KeyserviceProvider) { p.now = now }
}

// WithRetryWaits sets the client's backoff bounds. It is for tests that inject faults, so that
// hundreds of retries take seconds; users tune retries with max_retries only.
func WithRetryWaits(minWait, maxWait time.Duration) Option {
	return func(p *KeyserviceProvider) { p.retryWaitMin, p.retryWaitMax = minWait, maxWait }
}

// New returns a constructor for the provider, as providerserver.Serve and test factories need.
func New(version string, opts ...Option) func() provider.Provider {
	return func() provider.Provider {
		p := &KeyserviceProvider{version: version, now: time.Now}
		for _, opt := range opts {
			opt(p)
		}
		return p
	}
}

// NewServer returns the provider as Terraform and OpenTofu talk to it, over protocol 6: the
// framework's server, with the numbers of a refreshed state encoded as the state file holds them
// (refresh_numbers.go). main serves it; the acceptance tests run it in-process.
func NewServer(version string, opts ...Option) func() tfprotov6.ProviderServer {
	return func() tfprotov6.ProviderServer {
		return refreshNumbersServer{providerserver.NewProtocol6(New(version, opts...)())()}
	}
}

// KeyserviceProvider is the keyservice Terraform provider.
type KeyserviceProvider struct {
	version      string
	now          func() time.Time
	retryWaitMin time.Duration
	retryWaitMax time.Duration
}

// KeyserviceProviderModel describes the provider configuration.
type KeyserviceProviderModel struct {
	Endpoint         types.String `tfsdk:"endpoint"`
	Token            types.String `tfsdk:"token"`
	ProjectID        types.String `tfsdk:"project_id"`
	MaxRetries       types.Int64  `tfsdk:"max_retries"`
	RequestTimeout   types.String `tfsdk:"request_timeout"`
	TLSCACertificate types.String `tfsdk:"tls_ca_certificate"`
	OTP              types.String `tfsdk:"otp"`
}

// providerData is what Configure hands to every resource and data source.
type providerData struct {
	client    *client.Client
	projectID string
	now       func() time.Time
}

func (p *KeyserviceProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "keyservice"
	resp.Version = p.version
}

func (p *KeyserviceProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages API keys, projects and their lifecycle in a keyservice server (`keyserviced`).",
		Attributes: map[string]schema.Attribute{
			"endpoint": schema.StringAttribute{
				MarkdownDescription: "Base URL of the key service, e.g. `http://127.0.0.1:8080`. May also be set with the `" + envEndpoint + "` environment variable.",
				Optional:            true,
			},
			"token": schema.StringAttribute{
				MarkdownDescription: "Admin token of the key service, or an API key of one project with the management scope the workflow needs: `keys:read` to plan and detect drift, `keys:write` to manage keys, `keys:admin` for service accounts, environments and project settings. May also be set with the `" + envToken + "` environment variable.",
				Optional:            true,
				Sensitive:           true,
			},
			"project_id": schema.StringAttribute{
				MarkdownDescription: "Default project for resources and data sources that do not set `project_id`. May also be set with the `" + envProjectID + "` environment variable.",
				Optional:            true,
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("How many times a request is retried after a connection error, a 429 or a 5xx answer (not 501); `0` makes one attempt only. Defaults to %d.", client.DefaultMaxRetries),
				Optional:            true,
				Validators:          []validator.Int64{int64validator.Between(0, 20)},
			},
			"request_timeout": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Timeout of one request attempt, as a Go duration such as `30s` or `2m`. Defaults to `%s`.", client.DefaultRequestTimeout),
				Optional:            true,
				Validators:          []validator.String{durationValidator{min: time.Second, max: 10 * time.Minute}},
			},
			"tls_ca_certificate": schema.StringAttribute{
				MarkdownDescription: "PEM-encoded CA certificate(s) to trust for an `https` endpoint, in addition to the system roots.",
				Optional:            true,
			},
			"otp": schema.StringAttribute{
				MarkdownDescription: "Current one-time code (TOTP, six digits) for projects that require one for every change. " +
					"A project takes each code once, so a run may change one of its objects per code; pass the code per run, e.g. with the `" + envOTP + "` environment variable.",
				Optional:   true,
				Sensitive:  true,
				Validators: []validator.String{stringvalidator.RegexMatches(otpPattern, "must be the six digits of the current one-time code")},
			},
		},
	}
}

func (p *KeyserviceProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var config KeyserviceProviderModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}

	unknown := map[string]struct {
		value types.String
		env   string
	}{
		"endpoint":   {config.Endpoint, envEndpoint},
		"token":      {config.Token, envToken},
		"project_id": {config.ProjectID, envProjectID},
		"otp":        {config.OTP, envOTP},
	}
	for name, attr := range unknown {
		if attr.value.IsUnknown() {
			resp.Diagnostics.AddAttributeError(path.Root(name), "Unknown keyservice "+name,
				fmt.Sprintf("The provider cannot be configured because %q is not known until apply. Set it to a known value in the configuration, or use the %s environment variable.", name, attr.env))
		}
	}
	if config.MaxRetries.IsUnknown() || config.RequestTimeout.IsUnknown() || config.TLSCACertificate.IsUnknown() {
		resp.Diagnostics.AddError("Unknown Provider Configuration",
			"max_retries, request_timeout and tls_ca_certificate must be known at plan time.")
	}
	if resp.Diagnostics.HasError() {
		return
	}

	endpoint := valueOrEnv(config.Endpoint, envEndpoint)
	token := valueOrEnv(config.Token, envToken)
	projectID := valueOrEnv(config.ProjectID, envProjectID)
	otp := strings.TrimSpace(valueOrEnv(config.OTP, envOTP))

	if endpoint == "" {
		resp.Diagnostics.AddAttributeError(path.Root("endpoint"), "Missing keyservice endpoint",
			"Set endpoint in the provider configuration or the "+envEndpoint+" environment variable to the key service's base URL, e.g. http://127.0.0.1:8080.")
	}
	if token == "" {
		resp.Diagnostics.AddAttributeError(path.Root("token"), "Missing keyservice token",
			"Set token in the provider configuration or the "+envToken+" environment variable to the key service's admin token, or an API key with keys:read, keys:write or keys:admin.")
	}
	if otp != "" && !otpPattern.MatchString(otp) {
		resp.Diagnostics.AddAttributeError(path.Root("otp"), "Invalid keyservice otp",
			"The one-time code from otp or the "+envOTP+" environment variable must be six digits.")
	}
	if resp.Diagnostics.HasError() {
		return
	}

	cfg := client.Config{
		Endpoint:     strings.TrimRight(endpoint, "/"),
		Token:        token,
		Logger:       newTflogLogger(token, otp),
		UserAgent:    "terraform-provider-keyservice/" + p.version,
		OTP:          otp,
		RetryWaitMin: p.retryWaitMin,
		RetryWaitMax: p.retryWaitMax,
	}
	if !config.MaxRetries.IsNull() {
		cfg.MaxRetries = new(int(config.MaxRetries.ValueInt64()))
	}
	if !config.RequestTimeout.IsNull() {
		d, err := time.ParseDuration(config.RequestTimeout.ValueString())
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("request_timeout"), "Invalid request_timeout", err.Error())
			return
		}
		cfg.RequestTimeout = d
	}
	if pem := config.TLSCACertificate.ValueString(); pem != "" {
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM([]byte(pem)) {
			resp.Diagnostics.AddAttributeError(path.Root("tls_ca_certificate"), "Invalid tls_ca_certificate",
				"No PEM-encoded certificate could be read from tls_ca_certificate.")
			return
		}
		transport := http.DefaultTransport.(*http.Transport).Clone() //nolint:forcetypeassert // net/http sets it to an *http.Transport; nothing here replaces it
		transport.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
		cfg.HTTPClient = &http.Client{Transport: transport}
	}

	c, err := client.New(cfg)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("endpoint"), "Invalid keyservice endpoint", err.Error())
		return
	}

	data := &providerData{client: c, projectID: projectID, now: p.now}
	resp.DataSourceData = data
	resp.ResourceData = data
	resp.EphemeralResourceData = data
}

func (p *KeyserviceProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewProjectResource,
		NewServiceAccountResource,
		NewEnvironmentResource,
		NewAPIKeyResource,
	}
}

func (p *KeyserviceProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewProjectDataSource,
		NewServiceAccountDataSource,
		NewEnvironmentDataSource,
		NewAPIKeyDataSource,
		NewAPIKeysDataSource,
		NewAuditEventsDataSource,
	}
}

func (p *KeyserviceProvider) EphemeralResources(_ context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{
		NewAPIKeyEphemeralResource,
	}
}

// valueOrEnv returns the configured value, or the environment variable when the value is null.
func valueOrEnv(v types.String, env string) string {
	if !v.IsNull() {
		return v.ValueString()
	}
	return os.Getenv(env)
}
