/*
 * bench/btm_bench.c - the backtracking TM (Cells4 as BacktrackingTMCPP) on
 * the cells4-nab configuration and input (sp-hotgym's 2000 steps of active
 * columns): microseconds per compute step (learning and inference on),
 * then save and load of the state after step 2000 (Cells4Proto, packed and
 * unpacked, through memory and a file).  Prints one machine-readable line
 * per measure.
 *
 *   btm_bench [-r REPS] [-d DATA_DIR]
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nupic/btm.h>

#include "bench_util.h"

static void nab_params(nupic_btm_params *p) {
    nupic_btm_params_default(p);
    p->number_of_cols = 2048;
    p->cells_per_column = 32;
    p->activation_threshold = 13;
    p->min_threshold = 10;
    p->new_synapse_count = 20;
    p->initial_perm = 0.21f;
    p->connected_perm = 0.5f;
    p->permanence_max = 1.0f;
    p->permanence_dec = 0.1f;
    p->permanence_inc = 0.1f;
    p->global_decay = 0.0f;
    p->seed = 1960;
    p->pam_length = 3;
    p->max_age = 0;
    p->max_inf_backtrack = 10;
    p->max_lrn_backtrack = 5;
    p->max_seq_length = 32;
    p->max_segments_per_cell = 128;
    p->max_synapses_per_segment = 32;
}

static nupic_btm *run(const bench_sdrs *in, double *secs) {
    nupic_btm_params p;
    nab_params(&p);
    nupic_btm *t;
    nupic_error err = {NUPIC_OK, ""};
    if (nupic_btm_new(&p, &t, &err) != NUPIC_OK) bench_die("new", &err);
    double t0 = bench_seconds();
    for (uint32_t k = 0; k < in->steps; k++)
        if (nupic_btm_compute(t, in->idx + in->start[k],
                              in->start[k + 1] - in->start[k], true, true,
                              &err) != NUPIC_OK)
            bench_die("compute", &err);
    *secs = bench_seconds() - t0;
    return t;
}

int main(int argc, char **argv) {
    bench_set_name("btm_bench");
    int reps = 5, c;
    const char *data = BTM_BENCH_DATA_DIR;
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    while ((c = getopt(argc, argv, "r:d:")) != -1) {
        if (c == 'r')
            reps = atoi(optarg);
        else if (c == 'd')
            data = optarg;
        else {
            fprintf(stderr, "usage: btm_bench [-r REPS] [-d DATA_DIR]\n");
            return 2;
        }
    }
    if (reps < 1) reps = 1;
    char path[4096];
    snprintf(path, sizeof path, "%s/reference/sp-hotgym/sp_seq_active.txt.xz",
             data);
    bench_sdrs in = bench_sdrs_load_xz(path);
    double *times = malloc((size_t)reps * sizeof *times);
    nupic_btm *t = NULL;
    for (int r = 0; r < reps; r++) {
        nupic_btm_free(t);
        t = run(&in, &times[r]);
    }
    double total = 0;
    for (int r = 0; r < reps; r++)
        total += times[r];
    printf("bench=btm op=compute config=cells4-nab steps=%u us_per_step=%.2f "
           "median_us=%.2f target_us=200 reps=%d\n",
           in.steps, total / reps / in.steps * 1e6,
           bench_median(times, reps) / in.steps * 1e6, reps);
    printf("bench=btm op=state steps=%u segments=%u synapses=%u\n", in.steps,
           nupic_btm_num_segments(t), nupic_btm_num_synapses(t));
    for (int unpacked = 0; unpacked < 2; unpacked++) {
        const char *fmt = unpacked ? "unpacked" : "packed";
        nupic_save_options so = {unpacked};
        nupic_error err = {NUPIC_OK, ""};
        double *sv = malloc((size_t)reps * sizeof *sv),
               *ld = malloc((size_t)reps * sizeof *ld);
        long bytes = 0;
        snprintf(path, sizeof path, "%s/btm_bench_%d_%s.bin", tmp,
                 (int)getpid(), fmt);
        for (int r = 0; r < reps; r++) {
            double t0 = bench_seconds();
            if (nupic_btm_save(t, path, &so, &err) != NUPIC_OK)
                bench_die("save", &err);
            sv[r] = bench_seconds() - t0;
            nupic_btm *back = NULL;
            t0 = bench_seconds();
            if (nupic_btm_load(path, NULL, &back, &err) != NUPIC_OK)
                bench_die("load", &err);
            ld[r] = bench_seconds() - t0;
            FILE *f = fopen(path, "rb");
            if (f && fseek(f, 0, SEEK_END) == 0) bytes = ftell(f);
            if (f) fclose(f);
            nupic_btm_free(back);
        }
        remove(path);
        printf("bench=btm op=save format=%s bytes=%ld ms=%.3f\n", fmt, bytes,
               bench_median(sv, reps) * 1e3);
        printf("bench=btm op=load format=%s bytes=%ld ms=%.3f\n", fmt, bytes,
               bench_median(ld, reps) * 1e3);
        free(sv);
        free(ld);
    }
    nupic_btm_free(t);
    free(times);
    bench_sdrs_free(&in);
    return 0;
}
