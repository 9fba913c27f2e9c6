package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/bits"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/listingscan/listingscan/similarity"
)

// selfJoin finds every pair of hashes within the radius in a file written
// by `marketgen hashes`, with the multi-index HashIndex and, with -brute,
// by comparing every pair, and reports both times and the planted pairs
// found.
func selfJoin(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("selfjoin", flag.ContinueOnError)
	path := fs.String("hashes", "", "file of little-endian 64-bit hashes (marketgen hashes)")
	radius := fs.Int("radius", similarity.ImageIndexRadius, "Hamming radius")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "goroutines")
	brute := fs.Bool("brute", false, "also compare every pair (quadratic: minutes at a million hashes)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *path == "" {
		return fmt.Errorf("selfjoin: -hashes is required")
	}
	hashes, err := readHashes(*path)
	if err != nil {
		return err
	}
	planted, err := readPlanted(*path + ".truth.jsonl")
	if err != nil {
		return err
	}

	start := time.Now()
	x := similarity.NewHashIndex(hashes)
	built := time.Since(start)
	var mu sync.Mutex
	found := map[[2]int32]bool{}
	var pairs atomic.Int64
	x.SelfJoin(*radius, *workers, func(a, b int32, _ int) {
		pairs.Add(1)
		if planted[[2]int32{a, b}] {
			mu.Lock()
			found[[2]int32{a, b}] = true
			mu.Unlock()
		}
	})
	indexed := time.Since(start)
	res := map[string]any{
		"hashes": len(hashes), "radius": *radius, "workers": *workers,
		"index_build_s": built.Seconds(), "index_join_s": indexed.Seconds(), "index_pairs": pairs.Load(),
		"planted": len(planted), "planted_found": len(found),
	}
	if *brute {
		if err := ctx.Err(); err != nil {
			return err
		}
		start = time.Now()
		n := bruteForce(hashes, *radius, *workers)
		took := time.Since(start)
		res["brute_s"] = took.Seconds()
		res["brute_pairs"] = n
		res["speedup"] = took.Seconds() / indexed.Seconds()
	}
	return json.NewEncoder(stdout).Encode(res)
}

// bruteForce counts the pairs within radius by comparing every pair: rows
// are dealt to workers in interleaved order so each gets the same work.
func bruteForce(hs []uint64, radius, workers int) int64 {
	var total atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			var n int64
			for a := w; a < len(hs); a += workers {
				ha := hs[a]
				for _, hb := range hs[a+1:] {
					if bits.OnesCount64(ha^hb) <= radius {
						n++
					}
				}
			}
			total.Add(n)
		})
	}
	wg.Wait()
	return total.Load()
}

func readHashes(path string) ([]uint64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read hashes: %w", err)
	}
	if len(data)%8 != 0 {
		return nil, fmt.Errorf("read hashes %s: %d bytes is not a whole number of 8-byte hashes", path, len(data))
	}
	hs := make([]uint64, len(data)/8)
	for i := range hs {
		hs[i] = binary.LittleEndian.Uint64(data[8*i:])
	}
	return hs, nil
}

// readPlanted reads the planted pairs; a missing file means none.
func readPlanted(path string) (map[[2]int32]bool, error) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return map[[2]int32]bool{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read planted pairs: %w", err)
	}
	defer f.Close()
	out := map[[2]int32]bool{}
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		var p struct{ A, B int32 }
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		out[[2]int32{min(p.A, p.B), max(p.A, p.B)}] = true
	}
	return out, sc.Err()
}
