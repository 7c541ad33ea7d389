/*
 * bench/bench_util.c - see bench_util.h.
 */
#define _POSIX_C_SOURCE 200809L

#include "bench_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *prog = "bench";

void bench_set_name(const char *name) {
    prog = name;
}

double bench_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void bench_die(const char *what, const nupic_error *err) {
    fprintf(stderr, "%s: %s: %s\n", prog, what, err ? err->message : "");
    exit(1);
}

FILE *bench_fresh_file(const char *path) {
    if (unlink(path) != 0 && errno != ENOENT) {
        fprintf(stderr, "%s: cannot remove %s: %s\n", prog, path,
                strerror(errno));
        exit(1);
    }
    FILE *f = fopen(path, "w+b");
    if (f == NULL) {
        fprintf(stderr, "%s: cannot create %s: %s\n", prog, path,
                strerror(errno));
        exit(1);
    }
    return f;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double bench_median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return v[n / 2];
}

static void *grow(void *p, size_t *cap, size_t size) {
    *cap *= 2;
    void *q = realloc(p, *cap * size);
    if (q == NULL) bench_die("out of memory", NULL);
    return q;
}

bench_sdrs bench_sdrs_load_xz(const char *path) {
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "xz -dc '%s'", path);
    FILE *f = popen(cmd, "r");
    if (f == NULL) bench_die(path, NULL);
    bench_sdrs s = {0, NULL, NULL};
    size_t cap_steps = 4096, cap_idx = (size_t)1 << 20, n = 0;
    s.start = malloc(cap_steps * sizeof *s.start);
    s.idx = malloc(cap_idx * sizeof *s.idx);
    if (s.start == NULL || s.idx == NULL) bench_die("out of memory", NULL);
    s.start[0] = 0;
    char line[1 << 16];
    while (fgets(line, sizeof line, f)) {
        char *p = line, *q;
        for (;;) {
            unsigned long v = strtoul(p, &q, 10);
            if (q == p) break;
            if (n == cap_idx) s.idx = grow(s.idx, &cap_idx, sizeof *s.idx);
            s.idx[n++] = (uint32_t)v;
            p = q;
        }
        if (s.steps + 2 > cap_steps)
            s.start = grow(s.start, &cap_steps, sizeof *s.start);
        s.start[++s.steps] = (uint32_t)n;
    }
    if (pclose(f) != 0 || s.steps == 0) bench_die(path, NULL);
    return s;
}

void bench_sdrs_free(bench_sdrs *s) {
    free(s->start);
    free(s->idx);
    s->start = s->idx = NULL;
    s->steps = 0;
}
