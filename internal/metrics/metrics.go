// Package metrics is a small Prometheus metrics registry: counters, gauges
// and histograms with labels, written in the Prometheus text exposition
// format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format).
// It has no dependency: the app needs a handful of metrics, not the client
// library. Every method is safe on a nil receiver (metrics off) and for
// concurrent use.
package metrics

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Registry holds metric families in registration order.
type Registry struct {
	mu       sync.Mutex
	families []*family
	byName   map[string]*family
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{byName: map[string]*family{}} }

type kind string

const (
	kindCounter   kind = "counter"
	kindGauge     kind = "gauge"
	kindHistogram kind = "histogram"
)

type family struct {
	name, help string
	kind       kind
	labels     []string
	buckets    []float64
	mu         sync.Mutex
	series     map[string]*series
}

type series struct {
	values []string
	value  float64  // counter, gauge; histogram sum
	count  uint64   // histogram
	bucket []uint64 // histogram, cumulative at write time
}

func (r *Registry) add(name, help string, k kind, buckets []float64, labels []string) *family {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if f, ok := r.byName[name]; ok {
		return f
	}
	f := &family{name: name, help: help, kind: k, labels: labels, buckets: buckets, series: map[string]*series{}}
	r.families = append(r.families, f)
	r.byName[name] = f
	return f
}

func (f *family) get(values []string) *series {
	if len(values) != len(f.labels) {
		panic(fmt.Sprintf("metrics: %s: %d label values for %d labels", f.name, len(values), len(f.labels)))
	}
	key := strings.Join(values, "\x00")
	s, ok := f.series[key]
	if !ok {
		s = &series{values: append([]string(nil), values...)}
		if f.kind == kindHistogram {
			s.bucket = make([]uint64, len(f.buckets))
		}
		f.series[key] = s
	}
	return s
}

// Counter is a monotonically increasing metric family.
type Counter struct{ f *family }

// Counter registers (or returns) the counter name with the label names.
func (r *Registry) Counter(name, help string, labels ...string) *Counter {
	return &Counter{r.add(name, help, kindCounter, nil, labels)}
}

// Add adds delta (>= 0) to the series of the label values.
func (c *Counter) Add(delta float64, values ...string) {
	if c == nil || c.f == nil || delta < 0 {
		return
	}
	c.f.mu.Lock()
	c.f.get(values).value += delta
	c.f.mu.Unlock()
}

// Inc adds 1.
func (c *Counter) Inc(values ...string) { c.Add(1, values...) }

// Gauge is a metric family that goes up and down.
type Gauge struct{ f *family }

// Gauge registers (or returns) the gauge name with the label names.
func (r *Registry) Gauge(name, help string, labels ...string) *Gauge {
	return &Gauge{r.add(name, help, kindGauge, nil, labels)}
}

// Set sets the series of the label values.
func (g *Gauge) Set(v float64, values ...string) {
	if g == nil || g.f == nil {
		return
	}
	g.f.mu.Lock()
	g.f.get(values).value = v
	g.f.mu.Unlock()
}

// Add adds delta (possibly negative).
func (g *Gauge) Add(delta float64, values ...string) {
	if g == nil || g.f == nil {
		return
	}
	g.f.mu.Lock()
	g.f.get(values).value += delta
	g.f.mu.Unlock()
}

// Histogram counts observations in buckets.
type Histogram struct{ f *family }

// DefaultBuckets suit durations in seconds from 5 ms to 5 min.
var DefaultBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300}

// Histogram registers (or returns) the histogram name with upper bounds
// buckets (sorted; nil means DefaultBuckets) and the label names.
func (r *Registry) Histogram(name, help string, buckets []float64, labels ...string) *Histogram {
	if buckets == nil {
		buckets = DefaultBuckets
	}
	return &Histogram{r.add(name, help, kindHistogram, buckets, labels)}
}

// Observe records v.
func (h *Histogram) Observe(v float64, values ...string) {
	if h == nil || h.f == nil {
		return
	}
	h.f.mu.Lock()
	s := h.f.get(values)
	s.value += v
	s.count++
	for i, b := range h.f.buckets {
		if v <= b {
			s.bucket[i]++
			break
		}
	}
	h.f.mu.Unlock()
}

// WriteText writes every family in the text exposition format.
func (r *Registry) WriteText(w io.Writer) error {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	fams := append([]*family(nil), r.families...)
	r.mu.Unlock()
	bw := bufio.NewWriter(w)
	for _, f := range fams {
		f.write(bw)
	}
	return bw.Flush()
}

func (f *family) write(w *bufio.Writer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", f.name, escapeHelp(f.help), f.name, f.kind)
	keys := make([]string, 0, len(f.series))
	for k := range f.series {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s := f.series[k]
		switch f.kind {
		case kindHistogram:
			var cum uint64
			for i, b := range f.buckets {
				cum += s.bucket[i]
				fmt.Fprintf(w, "%s_bucket%s %d\n", f.name, f.labelText(s.values, "le", formatFloat(b)), cum)
			}
			fmt.Fprintf(w, "%s_bucket%s %d\n", f.name, f.labelText(s.values, "le", "+Inf"), s.count)
			fmt.Fprintf(w, "%s_sum%s %s\n", f.name, f.labelText(s.values, "", ""), formatFloat(s.value))
			fmt.Fprintf(w, "%s_count%s %d\n", f.name, f.labelText(s.values, "", ""), s.count)
		default:
			fmt.Fprintf(w, "%s%s %s\n", f.name, f.labelText(s.values, "", ""), formatFloat(s.value))
		}
	}
}

func (f *family) labelText(values []string, extraName, extraValue string) string {
	if len(values) == 0 && extraName == "" {
		return ""
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, n := range f.labels {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%s=\"%s\"", n, escapeValue(values[i]))
	}
	if extraName != "" {
		if len(values) > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%s=\"%s\"", extraName, extraValue)
	}
	b.WriteByte('}')
	return b.String()
}

func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

var valueEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
var helpEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`)

func escapeValue(s string) string { return valueEscaper.Replace(s) }
func escapeHelp(s string) string  { return helpEscaper.Replace(s) }

// Handler serves the registry at any path (GET /metrics).
func (r *Registry) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodGet && req.Method != http.MethodHead {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		_ = r.WriteText(w)
	})
}
