package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice"
)

// expiryCheckInterval is how often keys that expired or are about to are looked for.
const expiryCheckInterval = time.Minute

// eventsOptions configure the audit trail and the lifecycle events.
type eventsOptions struct {
	auditRetention   days
	expiringNotice   days
	deliveryInterval time.Duration
}

// days is a duration flag that also takes whole days ("400d"), the unit retention and notice
// periods are thought in.
type days time.Duration

func (d *days) String() string {
	if d == nil {
		return ""
	}
	v := time.Duration(*d)
	if v%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(v/(24*time.Hour)), 10) + "d"
	}
	return v.String()
}

func (d *days) Set(s string) error {
	v, err := parseDays(s)
	if err != nil {
		return err
	}
	*d = days(v)
	return nil
}

func parseDays(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		v, err := strconv.Atoi(n)
		if err != nil || v < 0 {
			return 0, fmt.Errorf("%q is not a number of days such as 7d", s)
		}
		return time.Duration(v) * 24 * time.Hour, nil
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("%q is not a duration such as 7d or 12h", s)
	}
	return v, nil
}

// register adds the events flags, whose defaults come from the environment.
func (o *eventsOptions) register(fs *flag.FlagSet, getenv func(string) string) error {
	o.auditRetention, o.expiringNotice = days(keyservice.DefaultAuditRetention), days(keyservice.DefaultExpiringNotice)
	for _, v := range []struct {
		env string
		dst *days
	}{{"KEYSERVICE_AUDIT_RETENTION", &o.auditRetention}, {"KEYSERVICE_EXPIRING_NOTICE", &o.expiringNotice}} {
		if s := getenv(v.env); s != "" {
			if err := v.dst.Set(s); err != nil {
				return fmt.Errorf("%s: %w", v.env, err)
			}
		}
	}
	var err error
	if o.deliveryInterval, err = envDuration(getenv, "KEYSERVICE_EVENTS_DELIVERY_INTERVAL", time.Second); err != nil {
		return err
	}
	fs.Var(&o.auditRetention, "audit-retention",
		"how long audit events are kept before they are pruned, such as 400d or 90d (env KEYSERVICE_AUDIT_RETENTION)")
	fs.Var(&o.expiringNotice, "expiring-notice",
		"how long before a key's expiry its api_key.expiring event is sent, such as 7d; 0 sends none (env KEYSERVICE_EXPIRING_NOTICE)")
	fs.DurationVar(&o.deliveryInterval, "events-delivery-interval", o.deliveryInterval,
		"how often lifecycle events waiting for a project's events webhook are sent; 0 sends none from this replica (env KEYSERVICE_EVENTS_DELIVERY_INTERVAL)")
	return nil
}

// validate refuses values the service cannot run with.
func (o eventsOptions) validate() error {
	if o.auditRetention < days(24*time.Hour) {
		return fmt.Errorf("--audit-retention must be at least 1d, got %s", o.auditRetention.String())
	}
	return nil
}

// config is the service's EventsConfig for these options.
func (o eventsOptions) config() keyservice.EventsConfig {
	c := keyservice.EventsConfig{
		AuditRetention:   time.Duration(o.auditRetention),
		ExpiringNotice:   time.Duration(o.expiringNotice),
		DeliveryInterval: o.deliveryInterval,
		ExpiryInterval:   expiryCheckInterval,
	}
	if c.ExpiringNotice == 0 {
		c.ExpiringNotice = -1 // none
	}
	return c
}
