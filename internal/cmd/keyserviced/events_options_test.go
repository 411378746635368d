package main

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"
)

func TestEventsOptions(t *testing.T) {
	parse := func(env map[string]string, args ...string) (eventsOptions, error) {
		var o eventsOptions
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		if err := o.register(fs, envFrom(env)); err != nil {
			return o, err
		}
		if err := fs.Parse(args); err != nil {
			return o, err
		}
		return o, o.validate()
	}
	day := 24 * time.Hour
	o, err := parse(nil)
	c := o.config()
	if err != nil || c.AuditRetention != 400*day || c.ExpiringNotice != 7*day || c.DeliveryInterval != time.Second || c.ExpiryInterval != time.Minute {
		t.Fatalf("defaults: %+v, %v", c, err)
	}
	o, err = parse(map[string]string{"KEYSERVICE_AUDIT_RETENTION": "90d", "KEYSERVICE_EXPIRING_NOTICE": "36h",
		"KEYSERVICE_EVENTS_DELIVERY_INTERVAL": "5s"})
	c = o.config()
	if err != nil || c.AuditRetention != 90*day || c.ExpiringNotice != 36*time.Hour || c.DeliveryInterval != 5*time.Second {
		t.Fatalf("from the environment: %+v, %v", c, err)
	}
	o, err = parse(map[string]string{"KEYSERVICE_AUDIT_RETENTION": "90d"}, "--audit-retention", "30d", "--expiring-notice", "0",
		"--events-delivery-interval", "0")
	c = o.config()
	if err != nil || c.AuditRetention != 30*day || c.ExpiringNotice >= 0 || c.DeliveryInterval != 0 {
		t.Fatalf("flags over the environment: %+v, %v", c, err)
	}
	for _, bad := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{map[string]string{"KEYSERVICE_AUDIT_RETENTION": "forever"}, nil, "KEYSERVICE_AUDIT_RETENTION"},
		{map[string]string{"KEYSERVICE_EXPIRING_NOTICE": "-1d"}, nil, "KEYSERVICE_EXPIRING_NOTICE"},
		{nil, []string{"--audit-retention", "12h"}, "at least 1d"},
		{nil, []string{"--expiring-notice", "soon"}, "soon"},
	} {
		if _, err := parse(bad.env, bad.args...); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%v %v: %v, want an error naming %q", bad.env, bad.args, err, bad.want)
		}
	}
}
