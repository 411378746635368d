package main

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"
)

func TestRotationOptions(t *testing.T) {
	parse := func(env map[string]string, args ...string) (rotationOptions, error) {
		var o rotationOptions
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		if err := o.register(fs, envFrom(env)); err != nil {
			return o, err
		}
		return o, fs.Parse(args)
	}
	o, err := parse(nil)
	if err != nil || o.interval != time.Minute || o.grace != time.Hour {
		t.Fatalf("defaults: %+v, %v", o, err)
	}
	o, err = parse(map[string]string{"KEYSERVICE_ROTATION_INTERVAL": "5m", "KEYSERVICE_ROTATION_GRACE_PERIOD": "24h"})
	if err != nil || o.interval != 5*time.Minute || o.grace != 24*time.Hour {
		t.Fatalf("from the environment: %+v, %v", o, err)
	}
	o, err = parse(map[string]string{"KEYSERVICE_ROTATION_INTERVAL": "5m"}, "--rotation-interval", "0", "--rotation-grace-period", "30m")
	if err != nil || o.interval != 0 || o.grace != 30*time.Minute {
		t.Fatalf("flags over the environment: %+v, %v", o, err)
	}
	for _, bad := range []string{"soon", "-1m"} {
		if _, err := parse(map[string]string{"KEYSERVICE_ROTATION_INTERVAL": bad}); err == nil || !strings.Contains(err.Error(), "KEYSERVICE_ROTATION_INTERVAL") {
			t.Errorf("KEYSERVICE_ROTATION_INTERVAL=%q: %v", bad, err)
		}
	}
}
