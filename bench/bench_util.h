/*
 * bench/bench_util.h - what the algorithm benchmarks share: the clock, the
 * fatal error, medians and SDR files.  (The runtime benchmark, ncp_bench,
 * has its own in bench_ref.h, shared with its C++ side.)  Not thread-safe;
 * benchmarks are single-threaded programs.
 */
#ifndef NUPIC_BENCH_UTIL_H
#define NUPIC_BENCH_UTIL_H

#include <stdint.h>
#include <stdio.h>

#include <nupic/status.h>

/* Names the program in bench_die's messages (default "bench"). */
void bench_set_name(const char *name);

/* Seconds on the monotonic clock. */
double bench_seconds(void);

/* Prints "NAME: what: the error's message" (or "NAME: what: ") to stderr
 * and exits with status 1. */
_Noreturn void bench_die(const char *what, const nupic_error *err);

/* The median of v[0..n), n >= 1 (the upper one when n is even).  Sorts v,
 * so that v[0] is then the minimum. */
double bench_median(double *v, int n);

/* Opens a new, empty file at path for writing and reading ("w+b"), after
 * removing the file there, if any; any failure is fatal.  Each repetition
 * of a save/load figure writes its file this way, not by truncating the
 * last one: ext4 (auto_da_alloc) starts writing a file's delayed blocks to
 * the device when a file truncated to zero is closed, so truncating and
 * rewriting a 20 MB file each repetition sent about 40 MB a repetition to
 * the disk, which the next repetitions' timings then shared with the
 * device's work (measured: 815 MB written to vda by 21 repetitions of
 * sp_bench's loop; none with the file removed first).  A removed file's
 * dirty pages are dropped, never written. */
FILE *bench_fresh_file(const char *path);

/* SDRs, one step per line: step t holds idx[start[t] .. start[t + 1]). */
typedef struct bench_sdrs {
    uint32_t steps;
    uint32_t *start, *idx;
} bench_sdrs;

/* Reads an xz-compressed SDR file (through `xz -dc`): each line holds
 * decimal indices separated by single spaces.  Any failure is fatal. */
bench_sdrs bench_sdrs_load_xz(const char *path);
void bench_sdrs_free(bench_sdrs *s);

#endif
