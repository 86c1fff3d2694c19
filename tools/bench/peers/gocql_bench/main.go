// gocql_bench: the peer measurement for cqlwire's benchmarks against a real node or cluster,
// mutual TLS and a password, DEPTH goroutines each running requests in a loop for DURATION.
// Prints a "RESULT key=value" line: requests/s and the process's CPU (getrusage) per request.
//
// Single node (beside cqlwire_bench, tools/bench/run-all): one connection, one statement.
//
//	CQLWIRE_BENCH_PASSWORD=P gocql_bench -host H -port P -ca F -cert F -key F -server-name N -user U \
//	            -depth D -duration S -query CQL
//
// Cluster (beside cqlwire_cluster_bench, tools/bench/run-cluster): -hosts starts discovery from
// the listed nodes, with the workload of cqlwire_cluster_bench (see cluster.go).
//
//	CQLWIRE_BENCH_PASSWORD=P gocql_bench -hosts H1,H2,H3 -port P -ca F -cert F -key F -server-name "" \
//	            -user U -workload mixed -token-aware -depth D -duration S
package main

import (
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gocql/gocql"
)

func cpuSeconds() float64 {
	var u syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &u)
	return float64(u.Utime.Sec+u.Stime.Sec) + float64(u.Utime.Usec+u.Stime.Usec)/1e6
}

func main() {
	host := flag.String("host", "127.0.0.1", "")
	port := flag.Int("port", 9042, "")
	ca := flag.String("ca", "", "")
	cert := flag.String("cert", "", "")
	key := flag.String("key", "", "")
	serverName := flag.String("server-name", "localhost", "")
	user := flag.String("user", "", "")
	password := flag.String("password", os.Getenv("CQLWIRE_BENCH_PASSWORD"), "(default: $CQLWIRE_BENCH_PASSWORD)")
	depth := flag.Int("depth", 1, "")
	duration := flag.Float64("duration", 3, "")
	warmup := flag.Float64("warmup", 1, "")
	query := flag.String("query", "SELECT * FROM system.local", "")
	var w clusterWorkload
	flag.StringVar(&w.hosts, "hosts", "", "comma-separated contact points: the cluster workload instead of -query")
	flag.StringVar(&w.kind, "workload", "mixed", "cluster: insert, select or mixed")
	flag.BoolVar(&w.tokenAware, "token-aware", false, "cluster: TokenAwareHostPolicy(RoundRobinHostPolicy())")
	flag.StringVar(&w.keyspace, "keyspace", "bench", "cluster: the keyspace of the kv table")
	flag.IntVar(&w.keys, "keys", 10000, "cluster: keys 0..N-1")
	flag.IntVar(&w.valueBytes, "value-bytes", 100, "cluster: the blob's size")
	flag.IntVar(&w.connsPerNode, "connections-per-node", 1, "cluster: connections to each node")
	flag.IntVar(&w.coalesceUs, "write-coalesce-us", -1, "cluster: WriteCoalesceWaitTime in µs (default: gocql's own)")
	flag.Parse()

	cluster := gocql.NewCluster(*host)
	if w.hosts != "" {
		cluster = w.configure()
	} else {
		cluster.NumConns = 1
		cluster.DisableInitialHostLookup = true
	}
	cluster.Port = *port
	cluster.ProtoVersion = 4
	cluster.Timeout = 10 * time.Second
	cluster.ConnectTimeout = 10 * time.Second
	if *user != "" {
		cluster.Authenticator = gocql.PasswordAuthenticator{Username: *user, Password: *password}
	}
	if *ca != "" {
		pool := x509.NewCertPool()
		pem, err := os.ReadFile(*ca)
		if err != nil || !pool.AppendCertsFromPEM(pem) {
			fmt.Fprintln(os.Stderr, "gocql_bench: cannot read the CA file")
			os.Exit(2)
		}
		pair, err := tls.LoadX509KeyPair(*cert, *key)
		if err != nil {
			fmt.Fprintln(os.Stderr, "gocql_bench: cannot load the client certificate:", err)
			os.Exit(2)
		}
		cluster.SslOpts = &gocql.SslOptions{Config: &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{pair},
			ServerName: *serverName, MinVersion: tls.VersionTLS12}, EnableHostVerification: true}
	}
	session, err := cluster.CreateSession()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gocql_bench: connect:", err)
		os.Exit(2)
	}
	defer session.Close()
	if w.hosts != "" {
		code := w.run(session, *depth, *warmup, *duration)
		session.Close()
		os.Exit(code)
	}

	var measuring, stop atomic.Bool
	var done, failed atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < *depth; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				iter := session.Query(*query).Iter()
				for {
					row := map[string]interface{}{}
					if !iter.MapScan(row) {
						break
					}
				}
				err := iter.Close()
				if measuring.Load() {
					if err != nil {
						failed.Add(1)
					} else {
						done.Add(1)
					}
				}
			}
		}()
	}
	time.Sleep(time.Duration(*warmup * float64(time.Second)))
	measuring.Store(true)
	t0, c0 := time.Now(), cpuSeconds()
	time.Sleep(time.Duration(*duration * float64(time.Second)))
	measuring.Store(false)
	seconds, cpu := time.Since(t0).Seconds(), cpuSeconds()-c0
	n := done.Load()
	stop.Store(true)
	wg.Wait()
	if n == 0 {
		n = 1
	}
	fmt.Printf("gocql: %d requests in %.2f s, %.0f requests/s, client CPU %.1f us/request, errors %d\n", done.Load(),
		seconds, float64(done.Load())/seconds, cpu/float64(n)*1e6, failed.Load())
	fmt.Printf("RESULT kind=peer client=gocql depth=%d requests=%d seconds=%.3f rps=%.1f cpu_us=%.3f errors=%d\n", *depth,
		done.Load(), seconds, float64(done.Load())/seconds, cpu/float64(n)*1e6, failed.Load())
}
