package harmony

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ewsconnector/ews_connector/internal/event"
	"github.com/ewsconnector/ews_connector/internal/ews"
	"github.com/ewsconnector/ews_connector/internal/ews/wire"
	"github.com/ewsconnector/ews_connector/internal/pgtest"
	"github.com/ewsconnector/ews_connector/internal/store"
)

const benchItems = 5000

// peakHeap samples the heap while a run is going and reports its peak.
type peakHeap struct {
	stop chan struct{}
	done sync.WaitGroup
	peak atomic.Uint64
}

func startPeak() *peakHeap {
	runtime.GC()
	p := &peakHeap{stop: make(chan struct{})}
	p.done.Add(1)
	go func() {
		defer p.done.Done()
		var ms runtime.MemStats
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > p.peak.Load() {
				p.peak.Store(ms.HeapInuse)
			}
			select {
			case <-p.stop:
				return
			case <-t.C:
			}
		}
	}()
	return p
}

func (p *peakHeap) end() float64 {
	close(p.stop)
	p.done.Wait()
	return float64(p.peak.Load()) / (1 << 20)
}

func benchContactCard(i int) []byte {
	return vcardText(fmt.Sprintf("bench-%05d", i), fmt.Sprintf("Person%05d Bench", i), fmt.Sprintf("p%05d@example.org", i))
}

func benchEventICS(i int) []byte {
	uid := fmt.Sprintf("bench-ev-%05d", i)
	day := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC).AddDate(0, 0, i%300)
	if i%10 == 0 { // 10% recurring, a third of them with an exception and a cancelled occurrence
		var ex []string
		ov := map[string]string{}
		if i%30 == 0 {
			ex = []string{"20260119T090000Z"}
			ov["20260126T090000Z"] = fmt.Sprintf("Series %d (moved)", i)
		}
		return weeklyICS(uid, fmt.Sprintf("Series %d", i), ex, ov)
	}
	return singleICS(uid, fmt.Sprintf("Event %d", i), day.Format("20060102T150405Z"), day.Add(time.Hour).Format("20060102T150405Z"))
}

// seedRemote creates n items in the link's Exchange folder, in batches, as
// another client would (events with their exceptions).
func (e *env) seedRemote(l store.Link, n int) {
	f := ews.FolderID(l.RemoteFolderID)
	var items wire.Items
	var series []*event.Series
	for i := range n {
		if l.Kind == store.KindContacts {
			c := &wire.Contact{GivenName: fmt.Sprintf("Person%05d", i), Surname: "Bench", DisplayName: fmt.Sprintf("Person%05d Bench", i),
				EmailAddresses: &wire.EmailAddresses{Entry: []wire.EmailAddressEntry{{Key: "EmailAddress1", Value: fmt.Sprintf("p%05d@example.org", i)}}}}
			items = append(items, wire.Item{Contact: c})
			continue
		}
		cal, err := event.Parse(benchEventICS(i))
		if err != nil {
			e.t.Fatal(err)
		}
		s, _, err := event.FromICal(cal, event.Options{})
		if err != nil {
			e.t.Fatal(err)
		}
		s.Master.ExtendedProperty = nil // as Outlook made it: no UID property
		items = append(items, wire.Item{CalendarItem: s.Master})
		series = append(series, s)
	}
	res, err := e.ews.CreateItems(e.ctx, &f, items)
	if err != nil {
		e.t.Fatalf("seed CreateItems = %v", err)
	}
	var refs wire.ItemRefs
	var withOcc []int
	for i, s := range series {
		if len(s.Overrides) > 0 || len(s.Deleted) > 0 {
			refs = append(refs, ews.ItemRef(*res[i].Item().Fields().ItemId))
			withOcc = append(withOcc, i)
		}
	}
	if len(refs) == 0 {
		return
	}
	full, err := e.ews.GetItems(e.ctx, refs, eventShape())
	if err != nil {
		e.t.Fatal(err)
	}
	var dels wire.ItemRefs
	var changes []wire.ItemChange
	for j, i := range withOcc {
		m := full[j].Item().CalendarItem
		writes, _, err := series[i].Plan(m, nil)
		if err != nil {
			e.t.Fatal(err)
		}
		for _, w := range writes {
			if w.Delete {
				dels = append(dels, ews.OccurrenceRef(m.ItemId.Id, w.InstanceIndex))
			} else {
				changes = append(changes, wire.ItemChange{OccurrenceItemId: &wire.OccurrenceItemId{RecurringMasterId: m.ItemId.Id, InstanceIndex: w.InstanceIndex}, Updates: w.Updates})
			}
		}
	}
	if _, err := e.ews.DeleteItems(e.ctx, dels, "HardDelete"); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.ews.UpdateItems(e.ctx, changes, ews.AutoResolve); err != nil {
		e.t.Fatal(err)
	}
}

// seedLocal stores n objects in the link's Nextcloud collection.
func (e *env) seedLocal(l store.Link, n int) {
	for i := range n {
		data := benchContactCard(i)
		if l.Kind == store.KindCalendar {
			data = benchEventICS(i)
		}
		e.putLocal(l, fmt.Sprintf("obj%05d", i), data)
	}
}

func sumInt64(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

// BenchmarkInitialSync is the first sync of 5,000 contacts or events (10%
// recurring, some with exceptions) from one side into an empty other side.
func BenchmarkInitialSync(b *testing.B) {
	e := newEnv(b, pgtest.DSN(b), Options{})
	seq := 0
	for _, k := range []store.LinkKind{store.KindContacts, store.KindCalendar} {
		for _, from := range []string{"exchange", "nextcloud"} {
			b.Run(string(k)+"/from-"+from, func(b *testing.B) {
				var ewsReqs, davReqs int64
				var peak float64
				for range b.N {
					b.StopTimer()
					seq++
					l := e.newLink(k, fmt.Sprintf("Bench%d", seq), nil)
					if from == "exchange" {
						e.seedRemote(l, benchItems)
					} else {
						e.seedLocal(l, benchItems)
					}
					e.ewsSim.ResetCounts()
					e.ncSim.ResetRequestCounts()
					p := startPeak()
					b.StartTimer()
					res, err := e.eng.SyncLink(e.ctx, testUser, l.ID, RunOptions{})
					b.StopTimer()
					peak = max(peak, p.end())
					if err != nil || len(res.Errors) != 0 || res.Local.Created+res.Remote.Created != benchItems {
						b.Fatalf("SyncLink = %v, %d errors (first %v), %d+%d created", err, len(res.Errors), firstErr(res), res.Local.Created, res.Remote.Created)
					}
					ewsReqs += sumInt64(e.ewsSim.Counts())
					davReqs += int64(sumCounts(e.ncSim.RequestCounts()))
					b.StartTimer()
				}
				b.ReportMetric(float64(ewsReqs)/float64(b.N), "ews-requests/op")
				b.ReportMetric(float64(davReqs)/float64(b.N), "dav-requests/op")
				b.ReportMetric(peak, "peak-heap-MB")
			})
		}
	}
}

func firstErr(r Result) string {
	if len(r.Errors) == 0 {
		return ""
	}
	return r.Errors[0].Err
}

// BenchmarkNoChangeCycle is one pass over 1,000 synced links where nothing
// changed: one SyncFolderItems and one sync-collection per link.
func BenchmarkNoChangeCycle(b *testing.B) {
	const links = 1000
	e := newEnv(b, pgtest.DSN(b), Options{})
	ls := make([]store.Link, links)
	for i := range ls {
		ls[i] = e.newLink(store.KindContacts, fmt.Sprintf("Quiet%d", i), nil)
		e.putLocal(ls[i], "one", benchContactCard(i))
		e.sync(ls[i])
	}
	e.ewsSim.ResetCounts()
	e.ncSim.ResetRequestCounts()
	p := startPeak()
	b.ResetTimer()
	for range b.N {
		for _, l := range ls {
			res, err := e.eng.SyncLink(e.ctx, testUser, l.ID, RunOptions{})
			if err != nil || res.Changed() {
				b.Fatalf("SyncLink(%d) = %+v, %v", l.ID, res, err)
			}
		}
	}
	b.StopTimer()
	b.ReportMetric(p.end(), "peak-heap-MB")
	b.ReportMetric(float64(sumInt64(e.ewsSim.Counts()))/float64(b.N*links), "ews-requests/link")
	b.ReportMetric(float64(sumCounts(e.ncSim.RequestCounts()))/float64(b.N*links), "dav-requests/link")
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*links), "µs/link")
}
