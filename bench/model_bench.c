/*
 * bench/model_bench.c - the OPF model's speed: the anomaly preset (with
 * the backtracking TM, "cpp", and with the TemporalMemory, "tm_cpp") run on
 * the whole hotgym file through nupic_model_run, and saving and loading the
 * tm_cpp model after it, with fwrite / fread of the same
 * bytes as the baseline.  (The command line end to end, CSV in and out, is
 * `nupic run`'s benchmark.)
 *
 * Usage: model_bench [-r REPS] [-f HOTGYM_CSV] [-t TMP_DIR]
 *
 * Output, one machine-readable line per figure:
 *   bench=model op=run preset=cpp|tm_cpp records= records_per_s= us_per_record=
 *         (best of REPS runs) median_records_per_s=
 *   bench=model op=save|load format=unpacked|packed bytes= ms= baseline_ms=
 *         x_baseline= (medians of REPS)
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nupic/model.h>

#include "bench_util.h"

#ifndef MODEL_BENCH_DATA
#define MODEL_BENCH_DATA "tests/data/hotgym/rec-center-hourly.csv"
#endif

typedef struct record {
    nupic_datetime t;
    double value;
} record;

/* NuPIC's hotgym file: three header lines, then "7/2/10 0:00,21.2". */
static record *load(const char *path, size_t *n) {
    FILE *f = fopen(path, "r");
    if (f == NULL) bench_die(path, NULL);
    size_t cap = 8192;
    record *r = malloc(cap * sizeof *r);
    char line[256];
    int lineno = 0;
    *n = 0;
    while (r && fgets(line, sizeof line, f)) {
        if (++lineno <= 3) continue;
        int mo, d, y, h, mi;
        double v;
        if (sscanf(line, "%d/%d/%d %d:%d,%lf", &mo, &d, &y, &h, &mi, &v) != 6)
            bench_die("a line that is not hotgym's", NULL);
        if (*n == cap) break;
        r[(*n)++] = (record){{2000 + y, mo, d, h, mi, 0, 0}, v};
    }
    fclose(f);
    if (r == NULL) bench_die("out of memory", NULL);
    return r;
}

static nupic_model *run_all(const record *recs, size_t n, const char *tm,
                            double *secs) {
    nupic_anomaly_preset p = {0.0, 100.0, 0, tm};
    nupic_model *m;
    nupic_error err = {0};
    if (nupic_model_new_anomaly_preset(&p, &m, &err) != NUPIC_OK)
        bench_die("preset", &err);
    uint32_t ft = strcmp(nupic_model_field_name(m, 0), "c0") == 0 ? 0 : 1;
    double t0 = bench_seconds();
    for (size_t i = 0; i < n; i++) {
        nupic_value v[2];
        v[ft].kind = NUPIC_VALUE_DATETIME;
        v[ft].u.datetime = recs[i].t;
        v[1 - ft].kind = NUPIC_VALUE_NUMBER;
        v[1 - ft].u.number = recs[i].value;
        nupic_model_result res;
        if (nupic_model_run(m, v, &res, &err) != NUPIC_OK)
            bench_die("run", &err);
    }
    *secs = bench_seconds() - t0;
    return m;
}

int main(int argc, char **argv) {
    bench_set_name("model_bench");
    int reps = 5;
    const char *data = MODEL_BENCH_DATA, *tmp = "/tmp";
    int opt;
    while ((opt = getopt(argc, argv, "r:f:t:")) != -1) {
        if (opt == 'r')
            reps = atoi(optarg);
        else if (opt == 'f')
            data = optarg;
        else if (opt == 't')
            tmp = optarg;
        else {
            fprintf(stderr, "usage: model_bench [-r REPS] [-f HOTGYM_CSV] "
                            "[-t TMP_DIR]\n");
            return 2;
        }
    }
    if (reps < 1 || reps > 100) reps = 5;
    size_t n;
    record *recs = load(data, &n);
    double *t = malloc((size_t)reps * sizeof *t);
    nupic_model *m = NULL;
    /* The backtracking TM ("cpp", NuPIC's default), then tm_cpp, whose
     * model is kept for the save and load figures. */
    static const char *const tms[] = {"cpp", "tm_cpp"};
    for (int k = 0; k < 2; k++) {
        double best = 1e30;
        for (int r = 0; r < reps; r++) {
            nupic_model_free(m);
            m = run_all(recs, n, tms[k], &t[r]);
            if (t[r] < best) best = t[r];
        }
        double med = bench_median(t, reps);
        printf("bench=model op=run preset=%s records=%zu records_per_s=%.0f "
               "us_per_record=%.1f median_records_per_s=%.0f\n",
               tms[k], n, (double)n / best, best * 1e6 / (double)n,
               (double)n / med);
    }
    for (int fmt = 0; fmt < 2; fmt++) {
        nupic_save_options so = {fmt == 0};
        double *ts = malloc((size_t)reps * sizeof *ts);
        double *tl = malloc((size_t)reps * sizeof *tl);
        double *bs = malloc((size_t)reps * sizeof *bs);
        double *bl = malloc((size_t)reps * sizeof *bl);
        char path[512], base[512];
        snprintf(path, sizeof path, "%s/model_bench_%d.bin", tmp,
                 (int)getpid());
        snprintf(base, sizeof base, "%s/model_bench_%d.raw", tmp,
                 (int)getpid());
        long bytes = 0;
        for (int r = 0; r < reps; r++) {
            nupic_error err = {0};
            /* New files, not truncated ones (see bench_fresh_file). */
            unlink(path);
            unlink(base);
            double t0 = bench_seconds();
            FILE *f = fopen(path, "wb");
            if (f == NULL ||
                nupic_model_write_to_file(m, f, &so, &err) != NUPIC_OK ||
                fflush(f) != 0)
                bench_die("save", &err);
            ts[r] = bench_seconds() - t0;
            bytes = ftell(f);
            fclose(f);
            void *buf = malloc((size_t)bytes);
            f = fopen(path, "rb");
            if (!buf || !f || fread(buf, 1, (size_t)bytes, f) != (size_t)bytes)
                bench_die("read back", NULL);
            fclose(f);
            t0 = bench_seconds();
            f = fopen(base, "wb");
            if (!f || fwrite(buf, 1, (size_t)bytes, f) != (size_t)bytes ||
                fflush(f) != 0)
                bench_die("baseline write", NULL);
            bs[r] = bench_seconds() - t0;
            fclose(f);
            t0 = bench_seconds();
            f = fopen(base, "rb");
            if (!f || fread(buf, 1, (size_t)bytes, f) != (size_t)bytes)
                bench_die("baseline read", NULL);
            bl[r] = bench_seconds() - t0;
            fclose(f);
            free(buf);
            nupic_model *back = NULL;
            t0 = bench_seconds();
            f = fopen(path, "rb");
            if (!f ||
                nupic_model_read_from_file(f, NULL, &back, &err) != NUPIC_OK)
                bench_die("load", &err);
            tl[r] = bench_seconds() - t0;
            fclose(f);
            char diff[256];
            if (!nupic_model_equal(m, back, diff, sizeof diff)) {
                fprintf(stderr, "model_bench: round trip differs: %s\n", diff);
                return 1;
            }
            nupic_model_free(back);
        }
        unlink(path);
        unlink(base);
        const char *name = fmt == 0 ? "unpacked" : "packed";
        double s = bench_median(ts, reps), l = bench_median(tl, reps);
        double b1 = bench_median(bs, reps), b2 = bench_median(bl, reps);
        printf(
            "bench=model op=save format=%s bytes=%ld ms=%.3f baseline_ms=%.3f "
            "x_baseline=%.2f\n",
            name, bytes, s * 1e3, b1 * 1e3, s / b1);
        printf(
            "bench=model op=load format=%s bytes=%ld ms=%.3f baseline_ms=%.3f "
            "x_baseline=%.2f\n",
            name, bytes, l * 1e3, b2 * 1e3, l / b2);
        free(ts);
        free(tl);
        free(bs);
        free(bl);
    }
    nupic_model_free(m);
    free(t);
    free(recs);
    return 0;
}
