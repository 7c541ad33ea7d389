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
#include <unistd.h>

#include <nupic/params.h>
#include <nupic/tm.h>

#include "bench_util.h"

#ifndef TM_BENCH_DATA_DIR
#define TM_BENCH_DATA_DIR "tests/data"
#endif

static nupic_tm *run(const nupic_tm_params *p, const bench_sdrs *in,
                     double *secs) {
    nupic_tm *tm;
    nupic_error err = {NUPIC_OK, ""};
    if (nupic_tm_new(p, &tm, &err) != NUPIC_OK) bench_die("new", &err);
    double t0 = bench_seconds();
    for (uint32_t t = 0; t < in->steps; t++)
        if (nupic_tm_compute(tm, in->idx + in->start[t],
                             in->start[t + 1] - in->start[t], true,
                             &err) != NUPIC_OK)
            bench_die("compute", &err);
    *secs = bench_seconds() - t0;
    return tm;
}

int main(int argc, char **argv) {
    bench_set_name("tm_bench");
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
    bench_sdrs in = bench_sdrs_load_xz(path);
    snprintf(path, sizeof path, "%s/reference/tm-hotgym/params.json", data);
    nupic_tm_params p;
    nupic_error err = {NUPIC_OK, ""};
    if (nupic_tm_params_load(path, &p, &err) != NUPIC_OK) bench_die(path, &err);

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
           bench_median(times, runs) * 1e6 / in.steps,
           nupic_tm_num_segments(tm), nupic_tm_num_synapses(tm));

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
        if (!save || !load || !wbase || !rbase)
            bench_die("out of memory", NULL);
        long bytes = 0;
        void *copy = NULL;
        for (int r = 0; r < reps + 1; r++) {
            FILE *f = bench_fresh_file(path);
            double t0 = bench_seconds();
            if (nupic_tm_write_to_file(tm, f, &so, &err) != NUPIC_OK)
                bench_die("save", &err);
            double t1 = bench_seconds();
            bytes = ftell(f);
            rewind(f);
            nupic_tm *back;
            double t2 = bench_seconds();
            if (nupic_tm_read_from_file(f, NULL, &back, &err) != NUPIC_OK)
                bench_die("load", &err);
            double t3 = bench_seconds();
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
                    bench_die(path, NULL);
                fclose(f);
            }
            nupic_tm_free(back);
            f = bench_fresh_file(path);
            double t4 = bench_seconds();
            fwrite(copy, 1, (size_t)bytes, f);
            fflush(f);
            double t5 = bench_seconds();
            rewind(f);
            double t6 = bench_seconds();
            if (fread(copy, 1, (size_t)bytes, f) != (size_t)bytes)
                bench_die(path, NULL);
            double t7 = bench_seconds();
            fclose(f);
            if (r == 0) continue; /* warm-up */
            save[r - 1] = t1 - t0;
            load[r - 1] = t3 - t2;
            wbase[r - 1] = t5 - t4;
            rbase[r - 1] = t7 - t6;
        }
        /* bench_median() sorts, so [0] is then the fastest run. */
        double ms = bench_median(save, reps) * 1e3,
               base = bench_median(wbase, reps) * 1e3;
        printf("bench=tm op=save format=%s bytes=%ld ms=%.3f baseline_ms=%.3f "
               "x_baseline=%.2f min_ms=%.3f baseline_min_ms=%.3f\n",
               fmt, bytes, ms, base, ms / base, save[0] * 1e3, wbase[0] * 1e3);
        ms = bench_median(load, reps) * 1e3;
        base = bench_median(rbase, reps) * 1e3;
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
    bench_sdrs_free(&in);
    return 0;
}
