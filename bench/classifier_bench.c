/*
 * bench/classifier_bench.c - the speed of the SDR classifier and of the
 * anomaly likelihood, per record, on the hotgym data.
 *
 * Usage: classifier_bench [-r REPS] [-d DATA_DIR] [-f HOTGYM_CSV]
 *   DATA_DIR holds reference/sp-hotgym/sp_seq_active.txt.xz (2048-column
 *   SDRs, 40 active) and likelihood/default/inputs.txt.xz (the hotgym
 *   consumption of rec-center-hourly.csv, 4391 records, with a stream of
 *   raw anomaly scores; see tests/data/likelihood/README.md); default: the
 *   project's tests/data.  -f reads the consumption from the CSV instead
 *   (the scores then come from the same file as before, by record).
 *
 * Output, one machine-readable line per figure (the median of REPS runs,
 * default 5, each a fresh object over every record):
 *   bench=classifier records= steps=1,5 pattern_bits=2048 active=
 *         buckets= us_per_record=    (compute: inference, then learning)
 *   bench=likelihood records= window= us_per_record=
 *         (one pass over the data, and three passes, which fill NuPIC's
 *         8640-record window)
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nupic/anomaly.h>
#include <nupic/classifier.h>

#include "bench_util.h"

#ifndef CLASSIFIER_BENCH_DATA_DIR
#define CLASSIFIER_BENCH_DATA_DIR "tests/data"
#endif

/* Lines of numbers from a file (through xz when it ends in .xz): one
 * array of values and the offsets of the lines. */
typedef struct lines {
    uint32_t count;
    uint32_t *start;
    double *v;
} lines;

static lines load_lines(const char *path, bool csv) {
    char cmd[4096];
    size_t plen = strlen(path);
    bool xz = plen > 3 && strcmp(path + plen - 3, ".xz") == 0;
    snprintf(cmd, sizeof cmd, xz ? "xz -dc '%s'" : "cat '%s'", path);
    FILE *f = popen(cmd, "r");
    if (f == NULL) bench_die(path, NULL);
    lines l = {0, NULL, NULL};
    size_t cap_lines = 8192, cap_v = 1 << 18, n = 0;
    l.start = malloc(cap_lines * sizeof *l.start);
    l.v = malloc(cap_v * sizeof *l.v);
    l.start[0] = 0;
    static char line[65536];
    int lineno = 0;
    while (fgets(line, sizeof line, f)) {
        char *p = line, *q;
        if (csv) { /* timestamp,consumption after three header lines */
            if (++lineno <= 3) continue;
            p = strchr(line, ',');
            if (p == NULL) continue;
            p++;
        }
        for (;;) {
            double v = strtod(p, &q);
            if (q == p) break;
            if (n == cap_v) l.v = realloc(l.v, (cap_v *= 2) * sizeof *l.v);
            l.v[n++] = v;
            p = q;
        }
        if (l.count + 2 >= cap_lines)
            l.start = realloc(l.start, (cap_lines *= 2) * sizeof *l.start);
        l.start[++l.count] = (uint32_t)n;
    }
    if (pclose(f) != 0 || l.count == 0) bench_die(path, NULL);
    return l;
}

/* NuPIC's hotgym encodes consumption with a resolution of 0.88. */
static uint32_t bucket_of(double value) {
    double b = floor(value / 0.88);
    return b < 0 ? 0 : (uint32_t)b;
}

static double run_classifier(const lines *sdr, const double *values,
                             uint32_t records, uint32_t *buckets) {
    nupic_classifier_params p;
    nupic_classifier_params_default(&p);
    p.steps[0] = 1;
    p.steps[1] = 5;
    p.num_steps = 2;
    nupic_classifier *c;
    nupic_error err = {NUPIC_OK, ""};
    if (nupic_classifier_new(&p, &c, &err) != NUPIC_OK) bench_die("new", &err);
    uint32_t pattern[2048];
    double t = 0;
    for (uint32_t r = 0; r < records; r++) {
        uint32_t line = r % sdr->count, n = 0;
        for (uint32_t i = sdr->start[line]; i < sdr->start[line + 1]; i++)
            pattern[n++] = (uint32_t)sdr->v[i];
        uint32_t bucket = bucket_of(values[r]);
        double t0 = bench_seconds();
        if (nupic_classifier_compute(c, r, pattern, n, &bucket, &values[r], 1,
                                     false, true, true, &err) != NUPIC_OK)
            bench_die("compute", &err);
        t += bench_seconds() - t0;
    }
    *buckets = nupic_classifier_max_bucket_idx(c) + 1;
    nupic_classifier_free(c);
    return t;
}

static double run_likelihood(const double *values, const double *scores,
                             uint32_t n, uint32_t passes) {
    nupic_likelihood_params p;
    nupic_likelihood_params_default(&p);
    nupic_likelihood *l;
    nupic_error err = {NUPIC_OK, ""};
    if (nupic_likelihood_new(&p, &l, &err) != NUPIC_OK) bench_die("new", &err);
    double sink = 0, t0 = bench_seconds();
    for (uint32_t k = 0; k < passes; k++)
        for (uint32_t r = 0; r < n; r++) {
            double lik;
            if (nupic_likelihood_compute(l, values[r], scores[r], &lik, &err) !=
                NUPIC_OK)
                bench_die("compute", &err);
            sink += nupic_likelihood_log(lik);
        }
    double t = bench_seconds() - t0;
    nupic_likelihood_free(l);
    if (sink < 0) printf("# %g\n", sink);
    return t;
}

int main(int argc, char **argv) {
    bench_set_name("classifier_bench");
    int reps = 5, c;
    const char *data = CLASSIFIER_BENCH_DATA_DIR, *csv = NULL;
    while ((c = getopt(argc, argv, "r:d:f:")) != -1) {
        if (c == 'r')
            reps = atoi(optarg);
        else if (c == 'd')
            data = optarg;
        else if (c == 'f')
            csv = optarg;
        else {
            fprintf(stderr, "usage: classifier_bench [-r REPS] [-d DATA_DIR] "
                            "[-f HOTGYM_CSV]\n");
            return 2;
        }
    }
    if (reps < 1) reps = 1;
    char path[4096];
    snprintf(path, sizeof path, "%s/reference/sp-hotgym/sp_seq_active.txt.xz",
             data);
    lines sdr = load_lines(path, false);
    snprintf(path, sizeof path, "%s/likelihood/default/inputs.txt.xz", data);
    lines in = load_lines(path, false);
    uint32_t records = in.count;
    double *values = malloc(records * sizeof *values);
    double *scores = malloc(records * sizeof *scores);
    for (uint32_t r = 0; r < records; r++) {
        values[r] = in.v[in.start[r]];
        scores[r] = in.v[in.start[r] + 1];
    }
    if (csv != NULL) {
        lines hot = load_lines(csv, true);
        if (hot.count < records) records = hot.count;
        for (uint32_t r = 0; r < records; r++)
            values[r] = hot.v[hot.start[r]];
        free(hot.start);
        free(hot.v);
    }
    uint32_t active = sdr.start[1] - sdr.start[0], buckets = 0;

    double *t = calloc((size_t)reps, sizeof *t);
    for (int r = 0; r < reps; r++)
        t[r] = run_classifier(&sdr, values, records, &buckets);
    printf("bench=classifier records=%u steps=1,5 pattern_bits=2048 active=%u "
           "buckets=%u us_per_record=%.3f\n",
           records, active, buckets, bench_median(t, reps) * 1e6 / records);

    for (uint32_t passes = 1; passes <= 3; passes += 2) {
        for (int r = 0; r < reps; r++)
            t[r] = run_likelihood(values, scores, records, passes);
        printf("bench=likelihood records=%u window=8640 us_per_record=%.3f\n",
               records * passes,
               bench_median(t, reps) * 1e6 / (records * passes));
    }
    free(t);
    free(values);
    free(scores);
    free(sdr.start);
    free(sdr.v);
    free(in.start);
    free(in.v);
    return 0;
}
