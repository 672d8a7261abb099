package config

import (
	"errors"
	"testing"
)

func TestLoadMetricsAddr(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil || c.MetricsAddr != "" {
		t.Fatalf("Load() MetricsAddr = %q, %v; want off by default", c.MetricsAddr, err)
	}
	c, err = Load(env(map[string]string{"EWS_METRICS_ADDR": "127.0.0.1:9464"}))
	if err != nil || c.MetricsAddr != "127.0.0.1:9464" {
		t.Fatalf("Load() MetricsAddr = %q, %v", c.MetricsAddr, err)
	}
	_, err = Load(env(map[string]string{"EWS_METRICS_ADDR": "9464"}))
	var ce *Error
	if !errors.As(err, &ce) || ce.Var != "EWS_METRICS_ADDR" {
		t.Fatalf("Load(EWS_METRICS_ADDR=9464) = %v, want an error naming the variable", err)
	}
}
