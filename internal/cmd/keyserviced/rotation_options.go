package main

import (
	"flag"
	"fmt"
	"time"
)

// rotationOptions configure the scheduled rotation loop.
type rotationOptions struct {
	interval time.Duration
	grace    time.Duration
}

// register adds the rotation flags, whose defaults come from the environment.
func (o *rotationOptions) register(fs *flag.FlagSet, getenv func(string) string) error {
	var err error
	if o.interval, err = envDuration(getenv, "KEYSERVICE_ROTATION_INTERVAL", time.Minute); err != nil {
		return err
	}
	if o.grace, err = envDuration(getenv, "KEYSERVICE_ROTATION_GRACE_PERIOD", time.Hour); err != nil {
		return err
	}
	fs.DurationVar(&o.interval, "rotation-interval", o.interval,
		"how often keys due for scheduled rotation are looked for; 0 turns scheduled rotation off (env KEYSERVICE_ROTATION_INTERVAL)")
	fs.DurationVar(&o.grace, "rotation-grace-period", o.grace,
		"how long a key rotated on schedule keeps working after its successor was sent to the webhook (env KEYSERVICE_ROTATION_GRACE_PERIOD)")
	return nil
}

func envDuration(getenv func(string) string, name string, def time.Duration) (time.Duration, error) {
	v := getenv(name)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%s: %q is not a duration such as 1m or 1h", name, v)
	}
	return d, nil
}
