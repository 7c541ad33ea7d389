/*
 * bench/sp_bench.c - the spatial pooler's speed: compute, construction, and
 * saving and loading its state, with the baselines measured in the same run.
 *
 * Usage: sp_bench [-r REPS] [-d DATA_DIR] [-t TMP_DIR] [-c]
 *   -c  compute figures only (for profiling)
 *   DATA_DIR holds reference/inputs/{seq,rand}_1024x51_2000.txt.xz
 *   (default: the project's tests/data).
 *
 * Output, one machine-readable line per figure:
 *   bench=sp op=compute input=seq|rand steps= us_per_step=
 *   bench=sp op=construct ms=
 *   bench=sp op=save|load format=unpacked|packed bytes= ms= baseline_ms=
 *         x_baseline= min_ms= baseline_min_ms= (baseline: fwrite or fread
 *         of the same bytes; ms is the median, min_ms the fastest run)
 * Each save/load figure is the median of REPS runs (default 11), files in
 * TMP_DIR (default $TMPDIR or /tmp), in the page cache.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nupic/sp.h>

#include "bench_util.h"

#ifndef SP_BENCH_DATA_DIR
#define SP_BENCH_DATA_DIR "tests/data"
#endif

static nupic_sp_params hotgym(void) {
    nupic_sp_params p;
    nupic_sp_params_default(&p);
    p.num_dimensions = 1;
    p.input_dimensions[0] = 1024;
    p.column_dimensions[0] = 2048;
    p.potential_radius = 1024;
    p.potential_pct = 0.8f;
    p.num_active_columns_per_inh_area = 40;
    p.syn_perm_inactive_dec = 0.0005f;
    p.syn_perm_active_inc = 0.003f;
    p.syn_perm_connected = 0.2f;
    p.seed = 1956;
    return p;
}

static double run_steps(nupic_sp *sp, const bench_sdrs *in, uint32_t from,
                        uint32_t to) {
    uint32_t out[2048];
    size_t n;
    nupic_error err = {NUPIC_OK, ""};
    double t0 = bench_seconds();
    for (uint32_t t = from; t < to; t++)
        if (nupic_sp_compute(sp, in->idx + in->start[t],
                             in->start[t + 1] - in->start[t], true, out, &n,
                             &err) != NUPIC_OK)
            bench_die("compute", &err);
    return bench_seconds() - t0;
}

int main(int argc, char **argv) {
    bench_set_name("sp_bench");
    int reps = 11, c;
    bool compute_only = false;
    const char *data = SP_BENCH_DATA_DIR;
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    while ((c = getopt(argc, argv, "r:d:t:c")) != -1) {
        if (c == 'r')
            reps = atoi(optarg);
        else if (c == 'd')
            data = optarg;
        else if (c == 't')
            tmp = optarg;
        else if (c == 'c')
            compute_only = true;
        else {
            fprintf(stderr, "usage: sp_bench [-r REPS] [-d DATA_DIR] "
                            "[-t TMP_DIR] [-c]\n");
            return 2;
        }
    }
    if (reps < 1) reps = 1;
    char path[4096];
    const char *names[2] = {"seq", "rand"};
    bench_sdrs inputs[2];
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path,
                 "%s/reference/inputs/%s_1024x51_2000.txt.xz", data, names[i]);
        inputs[i] = bench_sdrs_load_xz(path);
    }
    nupic_sp_params p = hotgym();
    nupic_error err = {NUPIC_OK, ""};

    /* Construction. */
    double cons[5];
    for (int r = 0; r < 5; r++) {
        nupic_sp *sp;
        double t0 = bench_seconds();
        if (nupic_sp_new(&p, &sp, &err) != NUPIC_OK)
            bench_die("construct", &err);
        cons[r] = bench_seconds() - t0;
        nupic_sp_free(sp);
    }
    printf("bench=sp op=construct ms=%.3f\n", bench_median(cons, 5) * 1e3);

    /* Compute: 2000 steps with learning, per input file. */
    for (int i = 0; i < 2; i++) {
        nupic_sp *sp;
        if (nupic_sp_new(&p, &sp, &err) != NUPIC_OK)
            bench_die("construct", &err);
        double t = run_steps(sp, &inputs[i], 0, inputs[i].steps);
        printf("bench=sp op=compute input=%s steps=%u us_per_step=%.2f\n",
               names[i], inputs[i].steps, t * 1e6 / inputs[i].steps);
        nupic_sp_free(sp);
    }

    if (compute_only) return 0;

    /* Save and load after 1000 steps. */
    nupic_sp *sp;
    if (nupic_sp_new(&p, &sp, &err) != NUPIC_OK) bench_die("construct", &err);
    run_steps(sp, &inputs[0], 0, 1000);
    for (int packed = 0; packed < 2; packed++) {
        nupic_save_options so = {packed == 0};
        const char *fmt = packed ? "packed" : "unpacked";
        snprintf(path, sizeof path, "%s/sp_bench_%d_%s.bin", tmp, (int)getpid(),
                 fmt);
        double *save = calloc((size_t)reps, sizeof(double));
        double *load = calloc((size_t)reps, sizeof(double));
        double *wbase = calloc((size_t)reps, sizeof(double));
        double *rbase = calloc((size_t)reps, sizeof(double));
        long bytes = 0;
        void *copy = NULL;
        for (int r = 0; r < reps + 1; r++) {
            FILE *f = bench_fresh_file(path);
            double t0 = bench_seconds();
            if (nupic_sp_write_to_file(sp, f, &so, &err) != NUPIC_OK)
                bench_die("save", &err);
            double t1 = bench_seconds();
            bytes = ftell(f);
            rewind(f);
            nupic_sp *back;
            double t2 = bench_seconds();
            if (nupic_sp_read_from_file(f, NULL, &back, &err) != NUPIC_OK)
                bench_die("load", &err);
            double t3 = bench_seconds();
            fclose(f);
            if (r == 0) {
                char diff[256];
                if (!nupic_sp_equal(sp, back, diff, sizeof diff)) {
                    fprintf(stderr, "sp_bench: round trip differs: %s\n", diff);
                    return 1;
                }
                copy = malloc((size_t)bytes);
                f = fopen(path, "rb");
                if (fread(copy, 1, (size_t)bytes, f) != (size_t)bytes)
                    bench_die(path, NULL);
                fclose(f);
            }
            nupic_sp_free(back);
            /* Baselines: the same bytes with fwrite and fread. */
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
        printf("bench=sp op=save format=%s bytes=%ld ms=%.3f baseline_ms=%.3f "
               "x_baseline=%.2f min_ms=%.3f baseline_min_ms=%.3f\n",
               fmt, bytes, ms, base, ms / base, save[0] * 1e3, wbase[0] * 1e3);
        ms = bench_median(load, reps) * 1e3;
        base = bench_median(rbase, reps) * 1e3;
        printf("bench=sp op=load format=%s bytes=%ld ms=%.3f baseline_ms=%.3f "
               "x_baseline=%.2f min_ms=%.3f baseline_min_ms=%.3f\n",
               fmt, bytes, ms, base, ms / base, load[0] * 1e3, rbase[0] * 1e3);
        unlink(path);
        free(copy);
        free(save);
        free(load);
        free(wbase);
        free(rbase);
    }
    nupic_sp_free(sp);
    for (int i = 0; i < 2; i++) {
        bench_sdrs_free(&inputs[i]);
    }
    return 0;
}
