/*
 * bench/tm_bench.c - the temporal memory's speed: compute on tm-hotgym, and
 * saving and loading its state after the 2000 steps, with fwrite / fread of
 * the same bytes in the same run as the baseline.
 *
 * Usage: tm_bench [-r REPS] [-d DATA_DIR] [-t TMP_DIR]
 *   DATA_DIR holds reference/sp-hotgym/sp_seq_active.txt.xz (the input) and
 *   reference/tm-hotgym/params.json (default: the project's tests/data).
 *
 * Output, one machine-readable line per figure:
 *   bench=tm op=compute steps=2000 us_per_step= (best of REPS runs, and
 *         the median)
 *   bench=tm op=save|load format=unpacked|packed bytes= ms= baseline_ms=
 *         x_baseline= min_ms= baseline_min_ms= (medians and fastest of
 *         REPS runs; baseline: fwrite or fread)
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nupic/params.h>
#include <nupic/tm.h>

#ifndef TM_BENCH_DATA_DIR
#define TM_BENCH_DATA_DIR "tests/data"
#endif

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what, const nupic_error *err) {
    fprintf(stderr, "tm_bench: %s: %s\n", what, err ? err->message : "");
    exit(1);
}

typedef struct sdrs {
    uint32_t steps;
    uint32_t *start, *idx;
} sdrs;

static sdrs load_sdrs(const char *path) {
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "xz -dc '%s'", path);
    FILE *f = popen(cmd, "r");
    if (f == NULL) die(path, NULL);
    sdrs s = {0, NULL, NULL};
    size_t cap_steps = 4096, cap_idx = 1 << 20, n = 0;
    s.start = malloc(cap_steps * sizeof *s.start);
    s.idx = malloc(cap_idx * sizeof *s.idx);
    if (!s.start || !s.idx) die("out of memory", NULL);
    s.start[0] = 0;
    char line[1 << 16];
    while (fgets(line, sizeof line, f)) {
        char *p = line;
        while (*p && *p != '\n') {
            if (n == cap_idx) {
                cap_idx *= 2;
                s.idx = realloc(s.idx, cap_idx * sizeof *s.idx);
                if (!s.idx) die("out of memory", NULL);
            }
            s.idx[n++] = (uint32_t)strtoul(p, &p, 10);
            if (*p == ' ') p++;
        }
        if (s.steps + 2 > cap_steps) {
            cap_steps *= 2;
            s.start = realloc(s.start, cap_steps * sizeof *s.start);
            if (!s.start) die("out of memory", NULL);
        }
        s.start[++s.steps] = (uint32_t)n;
    }
    if (pclose(f) != 0) die(path, NULL);
    return s;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return v[n / 2];
}

static nupic_tm *run(const nupic_tm_params *p, const sdrs *in, double *secs) {
    nupic_tm *tm;
    nupic_error err = {NUPIC_OK, ""};
    if (nupic_tm_new(p, &tm, &err) != NUPIC_OK) die("new", &err);
    double t0 = now();
    for (uint32_t t = 0; t < in->steps; t++)
        if (nupic_tm_compute(tm, in->idx + in->start[t],
                             in->start[t + 1] - in->start[t], true,
                             &err) != NUPIC_OK)
            die("compute", &err);
    *secs = now() - t0;
    return tm;
}

int main(int argc, char **argv) {
    int reps = 11, c;
    const char *data = TM_BENCH_DATA_DIR;
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    while ((c = getopt(argc, argv, "r:d:t:")) != -1) {
        if (c == 'r')
            reps = atoi(optarg);
        else if (c == 'd')
            data = optarg;
        else if (c == 't')
            tmp = optarg;
        else {
            fprintf(stderr, "usage: tm_bench [-r REPS] [-d DATA_DIR] "
                            "[-t TMP_DIR]\n");
            return 2;
        }
    }
    if (reps < 1) reps = 1;
    char path[4096];
    snprintf(path, sizeof path, "%s/reference/sp-hotgym/sp_seq_active.txt.xz",
             data);
    sdrs in = load_sdrs(path);
    snprintf(path, sizeof path, "%s/reference/tm-hotgym/params.json", data);
    nupic_tm_params p;
    nupic_error err = {NUPIC_OK, ""};
    if (nupic_tm_params_load(path, &p, &err) != NUPIC_OK) die(path, &err);

    /* Compute: the whole run, several times. */
    int runs = reps < 5 ? reps : 5;
    double *times = calloc((size_t)runs, sizeof(double));
    nupic_tm *tm = NULL;
    for (int r = 0; r < runs; r++) {
        nupic_tm_free(tm);
        tm = run(&p, &in, &times[r]);
    }
    double best = times[0];
    for (int r = 1; r < runs; r++)
        if (times[r] < best) best = times[r];
    printf("bench=tm op=compute steps=%u us_per_step=%.2f median_us=%.2f "
           "segments=%u synapses=%u\n",
           in.steps, best * 1e6 / in.steps,
           median(times, runs) * 1e6 / in.steps, nupic_tm_num_segments(tm),
           nupic_tm_num_synapses(tm));

    /* Save and load after the run. */
    for (int packed = 0; packed < 2; packed++) {
        nupic_save_options so = {packed == 0};
        const char *fmt = packed ? "packed" : "unpacked";
        snprintf(path, sizeof path, "%s/tm_bench_%d_%s.bin", tmp, (int)getpid(),
                 fmt);
        double *save = calloc((size_t)reps, sizeof(double));
        double *load = calloc((size_t)reps, sizeof(double));
        double *wbase = calloc((size_t)reps, sizeof(double));
        double *rbase = calloc((size_t)reps, sizeof(double));
        if (!save || !load || !wbase || !rbase) die("out of memory", NULL);
        long bytes = 0;
        void *copy = NULL;
        for (int r = 0; r < reps + 1; r++) {
            FILE *f = fopen(path, "w+b");
            if (f == NULL) die(path, NULL);
            double t0 = now();
            if (nupic_tm_write_to_file(tm, f, &so, &err) != NUPIC_OK)
                die("save", &err);
            double t1 = now();
            bytes = ftell(f);
            rewind(f);
            nupic_tm *back;
            double t2 = now();
            if (nupic_tm_read_from_file(f, NULL, &back, &err) != NUPIC_OK)
                die("load", &err);
            double t3 = now();
            fclose(f);
            if (r == 0) {
                char diff[256];
                if (!nupic_tm_equal(tm, back, diff, sizeof diff)) {
                    fprintf(stderr, "tm_bench: round trip differs: %s\n", diff);
                    return 1;
                }
                copy = malloc((size_t)bytes);
                f = fopen(path, "rb");
                if (!copy || !f ||
                    fread(copy, 1, (size_t)bytes, f) != (size_t)bytes)
                    die(path, NULL);
                fclose(f);
            }
            nupic_tm_free(back);
            f = fopen(path, "w+b");
            if (f == NULL) die(path, NULL);
            double t4 = now();
            fwrite(copy, 1, (size_t)bytes, f);
            fflush(f);
            double t5 = now();
            rewind(f);
            double t6 = now();
            if (fread(copy, 1, (size_t)bytes, f) != (size_t)bytes)
                die(path, NULL);
            double t7 = now();
            fclose(f);
            if (r == 0) continue; /* warm-up */
            save[r - 1] = t1 - t0;
            load[r - 1] = t3 - t2;
            wbase[r - 1] = t5 - t4;
            rbase[r - 1] = t7 - t6;
        }
        /* median() sorts, so [0] is then the fastest run. */
        double ms = median(save, reps) * 1e3, base = median(wbase, reps) * 1e3;
        printf("bench=tm op=save format=%s bytes=%ld ms=%.3f baseline_ms=%.3f "
               "x_baseline=%.2f min_ms=%.3f baseline_min_ms=%.3f\n",
               fmt, bytes, ms, base, ms / base, save[0] * 1e3, wbase[0] * 1e3);
        ms = median(load, reps) * 1e3;
        base = median(rbase, reps) * 1e3;
        printf("bench=tm op=load format=%s bytes=%ld ms=%.3f baseline_ms=%.3f "
               "x_baseline=%.2f min_ms=%.3f baseline_min_ms=%.3f\n",
               fmt, bytes, ms, base, ms / base, load[0] * 1e3, rbase[0] * 1e3);
        unlink(path);
        free(copy);
        free(save);
        free(load);
        free(wbase);
        free(rbase);
    }
    nupic_tm_free(tm);
    free(times);
    free(in.start);
    free(in.idx);
    return 0;
}
