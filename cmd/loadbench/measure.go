package main

import (
	"bufio"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// cpuTime returns the user and system CPU time this process has used
// (getrusage RUSAGE_SELF: all threads, cgo included).
func cpuTime() (user, sys time.Duration) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, 0
	}
	return time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano())
}

// procStatus reads a "kB" field (VmHWM, VmRSS) of /proc/self/status, in
// bytes; 0 where there is no /proc.
func procStatus(field string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok || name != field {
			continue
		}
		v, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		if err != nil {
			return 0
		}
		return v << 10
	}
	return 0
}

// heapSampler records the largest heap in use (live and not yet swept
// objects plus free space inside in-use spans, as MemStats.HeapInuse) seen
// while it runs. runtime/metrics reads it without stopping the world.
type heapSampler struct {
	stop chan struct{}
	wg   sync.WaitGroup
	peak uint64
}

var heapMetrics = []string{"/memory/classes/heap/objects:bytes", "/memory/classes/heap/unused:bytes"}

func heapInUse(s []metrics.Sample) uint64 {
	metrics.Read(s)
	var n uint64
	for _, x := range s {
		if x.Value.Kind() == metrics.KindUint64 {
			n += x.Value.Uint64()
		}
	}
	return n
}

// startHeapSampler samples every interval until Stop.
func startHeapSampler(every time.Duration) *heapSampler {
	h := &heapSampler{stop: make(chan struct{})}
	s := make([]metrics.Sample, len(heapMetrics))
	for i, name := range heapMetrics {
		s[i].Name = name
	}
	h.peak = heapInUse(s)
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-h.stop:
				h.peak = max(h.peak, heapInUse(s))
				return
			case <-t.C:
				h.peak = max(h.peak, heapInUse(s))
			}
		}
	}()
	return h
}

// Stop ends sampling and returns the peak.
func (h *heapSampler) Stop() uint64 {
	close(h.stop)
	h.wg.Wait()
	return h.peak
}

// heapAfterGC collects garbage and returns the heap in use and the number
// of goroutines.
func heapAfterGC() (inuse uint64, goroutines int) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse, runtime.NumGoroutine()
}

// measurement is what one measured stretch of work cost this process.
type measurement struct {
	Wall     float64 `json:"wall_s"`
	CPU      float64 `json:"cpu_s"` // user + sys
	User     float64 `json:"user_s"`
	Sys      float64 `json:"sys_s"`
	PeakHeap uint64  `json:"peak_heap_bytes"`    // heap in use, sampled
	VmHWM    int64   `json:"vm_hwm_bytes"`       // the process's peak resident set
	DBCPU    float64 `json:"db_cpu_s,omitempty"` // the PostgreSQL server's CPU meanwhile (-postgres)
}

// dbServerPID is the postmaster whose CPU measure adds up (-postgres); 0
// for SQLite, which runs inside the measured process.
var dbServerPID int

// measure runs f and reports its wall and CPU time, the peak heap in use
// sampled meanwhile and the process's peak resident set afterwards.
func measure(f func() error) (measurement, error) {
	h := startHeapSampler(5 * time.Millisecond)
	db0 := 0.0
	if dbServerPID > 0 {
		db0 = serverCPU(dbServerPID)
	}
	u0, s0 := cpuTime()
	t0 := time.Now()
	err := f()
	wall := time.Since(t0)
	u1, s1 := cpuTime()
	peak := h.Stop()
	m := measurement{
		Wall: wall.Seconds(), User: (u1 - u0).Seconds(), Sys: (s1 - s0).Seconds(),
		PeakHeap: peak, VmHWM: procStatus("VmHWM"),
	}
	m.CPU = m.User + m.Sys
	if dbServerPID > 0 {
		// A backend's time reaches the postmaster when it exits: close the
		// connections before reading (the phase is over).
		m.DBCPU = serverCPU(dbServerPID) - db0
	}
	return m, err
}
