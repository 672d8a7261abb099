package scheduler_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/ewsconnector/ews_connector/internal/scheduler"
)

// BenchmarkLatency measures the end-to-end latency of active mode: an
// Exchange change until it is in Nextcloud (streaming notification,
// debounce, run), and a Nextcloud change until it is in Exchange (webhook
// delivery, debounce, run). The debounce is 20 ms here (2 s by default).
func BenchmarkLatency(b *testing.B) {
	b.Run("exchange_to_nextcloud_streaming", func(b *testing.B) {
		w := newWorld(b, map[string]string{scheduler.KeyMode: "active", scheduler.KeyInterval: "1h"}, nil)
		w.waitFor(5*time.Second, "the subscription", func() bool {
			s, _ := w.sched.Status(w.ctx, fUser)
			return len(s.Accounts) == 1 && s.Accounts[0].Subscribed
		})
		time.Sleep(300 * time.Millisecond)
		b.ResetTimer()
		for i := range b.N {
			subject := fmt.Sprintf("bench remote %d", i)
			w.createRemote(subject)
			w.waitFor(20*time.Second, subject, func() bool { return w.localHas(subject) })
		}
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/change")
	})
	b.Run("nextcloud_to_exchange_webhook", func(b *testing.B) {
		w := newWorld(b, map[string]string{scheduler.KeyMode: "active", scheduler.KeyInterval: "1h"}, nil)
		w.waitFor(5*time.Second, "webhooks", func() bool { return len(w.nc.Webhooks()) >= 5 })
		time.Sleep(100 * time.Millisecond)
		b.ResetTimer()
		for i := range b.N {
			subject := fmt.Sprintf("bench local %d", i)
			w.createLocal(fmt.Sprintf("bench-local-%d", i), subject)
			w.nc.DeliverWebhooks(w.ctx)
			w.waitFor(20*time.Second, subject, func() bool { return w.remoteHas(subject) })
		}
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/change")
	})
}
