// The cluster workload of gocql_bench, the same as cqlwire_cluster_bench's: the table
// KEYSPACE.kv (k int PRIMARY KEY, v blob) made by `cqlwire_cluster_bench --setup`, a prepared
// INSERT of a fixed VALUE-BYTES blob and a prepared SELECT by key (gocql prepares statements
// with bind values by itself), request n using key (n * 7919) mod KEYS, the even requests
// inserting and the odd ones selecting in the mixed workload. DEPTH goroutines keep DEPTH
// requests in flight in all. Prints
//
//	RESULT kind=cluster client=gocql workload=W depth=D requests=R seconds=S req_per_s=X
//	       cpu_us_per_req=C errors=E served=ADDR:COUNT,...
package main

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gocql/gocql"
)

type clusterWorkload struct {
	hosts        string
	kind         string
	tokenAware   bool
	keyspace     string
	keys         int
	valueBytes   int
	connsPerNode int
	coalesceUs   int
}

func (w *clusterWorkload) configure() *gocql.ClusterConfig {
	cluster := gocql.NewCluster(strings.Split(w.hosts, ",")...)
	cluster.NumConns = w.connsPerNode
	if w.coalesceUs >= 0 {
		cluster.WriteCoalesceWaitTime = time.Duration(w.coalesceUs) * time.Microsecond
	}
	if w.tokenAware {
		cluster.PoolConfig.HostSelectionPolicy = gocql.TokenAwareHostPolicy(gocql.RoundRobinHostPolicy())
	} else {
		cluster.PoolConfig.HostSelectionPolicy = gocql.RoundRobinHostPolicy()
	}
	return cluster
}

func (w *clusterWorkload) run(session *gocql.Session, depth int, warmup, duration float64) int {
	if w.kind != "insert" && w.kind != "select" && w.kind != "mixed" {
		fmt.Fprintln(os.Stderr, "gocql_bench: -workload is insert, select or mixed, not", w.kind)
		return 2
	}
	insertCQL := "INSERT INTO " + w.keyspace + ".kv (k, v) VALUES (?, ?)"
	selectCQL := "SELECT v FROM " + w.keyspace + ".kv WHERE k = ?"
	value := make([]byte, w.valueBytes)
	for i := range value {
		value[i] = byte(i*31 + 7)
	}

	var measuring, stop atomic.Bool
	var next, done, failed atomic.Int64
	var firstError atomic.Value
	var mu sync.Mutex
	served := map[string]int64{}
	var wg sync.WaitGroup
	for g := 0; g < depth; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Counted per goroutine, merged at the end: no lock on the request path.
			mine := map[string]int64{}
			var v []byte
			for !stop.Load() {
				n := next.Add(1) - 1
				k := int((n * 7919) % int64(w.keys))
				var q *gocql.Query
				if w.kind == "insert" || (w.kind == "mixed" && n%2 == 0) {
					q = session.Query(insertCQL, k, value)
				} else {
					q = session.Query(selectCQL, k)
				}
				iter := q.Idempotent(true).Iter()
				for iter.Scan(&v) {
				}
				host := iter.Host()
				err := iter.Close()
				q.Release()
				if err != nil {
					firstError.CompareAndSwap(nil, err.Error())
				}
				if measuring.Load() {
					if err != nil {
						failed.Add(1)
					} else {
						done.Add(1)
						if host != nil {
							mine[host.ConnectAddress().String()]++
						}
					}
				}
			}
			mu.Lock()
			for h, c := range mine {
				served[h] += c
			}
			mu.Unlock()
		}()
	}
	time.Sleep(time.Duration(warmup * float64(time.Second)))
	measuring.Store(true)
	t0, c0 := time.Now(), cpuSeconds()
	time.Sleep(time.Duration(duration * float64(time.Second)))
	measuring.Store(false)
	seconds, cpu := time.Since(t0).Seconds(), cpuSeconds()-c0
	n := done.Load()
	stop.Store(true)
	wg.Wait()
	per := float64(max(n, 1))
	hosts := make([]string, 0, len(served))
	for h, c := range served {
		hosts = append(hosts, fmt.Sprintf("%s:%d", h, c))
	}
	sort.Strings(hosts)
	if len(hosts) == 0 {
		hosts = append(hosts, "none")
	}
	fmt.Printf("gocql cluster: %s, depth %d, token-aware %v: %d requests in %.2f s, %.0f requests/s, "+
		"client CPU %.1f us/request, errors %d\n", w.kind, depth, w.tokenAware, n, seconds, float64(n)/seconds,
		cpu/per*1e6, failed.Load())
	if e, ok := firstError.Load().(string); ok {
		fmt.Println("first error:", e)
	}
	tokenAware := 0
	if w.tokenAware {
		tokenAware = 1
	}
	fmt.Printf("RESULT kind=cluster client=gocql workload=%s depth=%d token_aware=%d requests=%d seconds=%.3f "+
		"req_per_s=%.1f cpu_us_per_req=%.3f errors=%d served=%s\n", w.kind, depth, tokenAware, n, seconds,
		float64(n)/seconds, cpu/per*1e6, failed.Load(), strings.Join(hosts, ","))
	return 0
}
