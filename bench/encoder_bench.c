/*
 * bench/encoder_bench.c - the encoders' speed on NuPIC's hotgym records
 * (4,391 hourly timestamps and power readings).
 *
 * Usage: encoder_bench [-r REPS] [-f CSV]
 *   CSV: the hotgym file in NuPIC's format (3 header lines, then
 *   "7/2/10 0:00,21.2"), plain or .xz (default: the project's copy,
 *   tests/data/encoders/rec-center-hourly.csv.xz).
 *
 * Each encoder is one of NuPIC's hotgym models' (see the comments below),
 * made from NuPIC's parameters; a pass encodes every record into a dense
 * output.  The figure is the median over REPS passes (default 9), each with
 * a fresh encoder except where the name says "warm" (an RDSE that has
 * already made every bucket the data needs).  Output, one line each:
 *   bench=encoder name=NAME width=BITS records=N us_per_record=T
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nupic/encoders.h>
#include <nupic/params.h>

#include "bench_util.h"

#ifndef ENC_BENCH_DATA
#define ENC_BENCH_DATA "tests/data/encoders/rec-center-hourly.csv.xz"
#endif

typedef struct records {
    size_t n;
    nupic_datetime *t;
    double *kw;
    const char **day;
} records;

static const char *const day_names[7] = {"Mon", "Tue", "Wed", "Thu",
                                         "Fri", "Sat", "Sun"};

static records load(const char *path) {
    char cmd[4200];
    size_t len = strlen(path);
    FILE *f;
    bool piped = len > 3 && strcmp(path + len - 3, ".xz") == 0;
    if (piped) {
        snprintf(cmd, sizeof cmd, "xz -dc '%s'", path);
        f = popen(cmd, "r");
    } else {
        f = fopen(path, "r");
    }
    if (f == NULL) bench_die(path, NULL);
    records r = {0, NULL, NULL, NULL};
    size_t cap = 8192;
    r.t = malloc(cap * sizeof *r.t);
    r.kw = malloc(cap * sizeof *r.kw);
    r.day = malloc(cap * sizeof *r.day);
    char line[256];
    int header = 3;
    while (fgets(line, sizeof line, f)) {
        if (header > 0) {
            header--;
            continue;
        }
        nupic_datetime d;
        memset(&d, 0, sizeof d);
        int yy = 0;
        double kw = 0;
        if (sscanf(line, "%d/%d/%d %d:%d,%lf", &d.month, &d.day, &yy, &d.hour,
                   &d.minute, &kw) != 6)
            bench_die(line, NULL);
        d.year = yy < 69 ? 2000 + yy : 1900 + yy;
        if (r.n == cap) {
            cap *= 2;
            r.t = realloc(r.t, cap * sizeof *r.t);
            r.kw = realloc(r.kw, cap * sizeof *r.kw);
            r.day = realloc(r.day, cap * sizeof *r.day);
        }
        /* The weekday, for the category encoder (Zeller's congruence). */
        int y = d.year, m = d.month;
        if (m < 3) {
            y--;
            m += 12;
        }
        int h = (d.day + 13 * (m + 1) / 5 + y % 100 + (y % 100) / 4 +
                 (y / 100) / 4 + 5 * (y / 100)) %
                7;
        r.t[r.n] = d;
        r.kw[r.n] = kw;
        r.day[r.n] = day_names[(h + 5) % 7];
        r.n++;
    }
    if ((piped ? pclose(f) : fclose(f)) != 0 || r.n == 0) bench_die(path, NULL);
    return r;
}

typedef enum { E_SCALAR, E_RDSE, E_DATE, E_CATEGORY, E_MULTI } etype;

typedef struct bench {
    const char *name;
    etype type;
    const char *json;
    bool warm;
} bench;

static const bench benches[] = {
    /* The anomaly hotgym model's consumption encoder. */
    {"scalar", E_SCALAR,
     "{\"w\": 21, \"minval\": 0.0, \"maxval\": 53.0, \"n\": 29, "
     "\"clipInput\": true}",
     false},
    {"scalar_n115", E_SCALAR,
     "{\"w\": 21, \"minval\": 0.0, \"maxval\": 53.0, \"n\": 115, "
     "\"clipInput\": true}",
     false},
    /* The simple hotgym model's consumption encoder. */
    {"rdse", E_RDSE, "{\"resolution\": 0.88, \"seed\": 1}", false},
    {"rdse_warm", E_RDSE, "{\"resolution\": 0.88, \"seed\": 1}", true},
    /* The simple hotgym model's two date encoders, as one. */
    {"date", E_DATE, "{\"timeOfDay\": [21, 1], \"weekend\": 21}", false},
    /* Every attribute. */
    {"date_all", E_DATE,
     "{\"season\": 21, \"dayOfWeek\": 21, \"weekend\": 21, \"holiday\": 21, "
     "\"timeOfDay\": 21}",
     false},
    {"category", E_CATEGORY,
     "{\"w\": 21, \"categoryList\": [\"Mon\", \"Tue\", \"Wed\", \"Thu\", "
     "\"Fri\", \"Sat\", \"Sun\"]}",
     false},
    /* The simple hotgym model's whole sensor encoding. */
    {"multi", E_MULTI,
     "{\"consumption\": {\"fieldname\": \"consumption\", \"resolution\": "
     "0.88, \"seed\": 1, \"name\": \"consumption\", \"type\": "
     "\"RandomDistributedScalarEncoder\"}, \"timestamp_timeOfDay\": "
     "{\"fieldname\": \"timestamp\", \"name\": \"timestamp_timeOfDay\", "
     "\"timeOfDay\": [21, 1], \"type\": \"DateEncoder\"}, "
     "\"timestamp_weekend\": {\"fieldname\": \"timestamp\", \"name\": "
     "\"timestamp_weekend\", \"type\": \"DateEncoder\", \"weekend\": 21}}",
     false},
};

static void *make(const bench *b, uint32_t *width) {
    nupic_error err = {NUPIC_OK, ""};
    size_t len = strlen(b->json);
    void *e = NULL;
    nupic_status st = NUPIC_OK;
    switch (b->type) {
    case E_SCALAR:
        st = nupic_scalar_enc_new_from_json(b->json, len,
                                            (nupic_scalar_enc **)&e, &err);
        if (st == NUPIC_OK) *width = nupic_scalar_enc_width(e);
        break;
    case E_RDSE:
        st = nupic_rdse_new_from_json(b->json, len, (nupic_rdse **)&e, &err);
        if (st == NUPIC_OK) *width = nupic_rdse_width(e);
        break;
    case E_DATE:
        st = nupic_date_enc_new_from_json(b->json, len, (nupic_date_enc **)&e,
                                          &err);
        if (st == NUPIC_OK) *width = nupic_date_enc_width(e);
        break;
    case E_CATEGORY:
        st = nupic_category_enc_new_from_json(b->json, len,
                                              (nupic_category_enc **)&e, &err);
        if (st == NUPIC_OK) *width = nupic_category_enc_width(e);
        break;
    case E_MULTI:
        st = nupic_multi_enc_new_from_json(b->json, len, (nupic_multi_enc **)&e,
                                           &err);
        if (st == NUPIC_OK) *width = nupic_multi_enc_width(e);
        break;
    }
    if (st != NUPIC_OK) bench_die(b->name, &err);
    return e;
}

static void release(const bench *b, void *e) {
    switch (b->type) {
    case E_SCALAR: nupic_scalar_enc_free(e); break;
    case E_RDSE: nupic_rdse_free(e); break;
    case E_DATE: nupic_date_enc_free(e); break;
    case E_CATEGORY: nupic_category_enc_free(e); break;
    case E_MULTI: nupic_multi_enc_free(e); break;
    }
}

/* One pass over the records; returns the seconds it took. */
static double pass(const bench *b, void *e, const records *r, uint8_t *out) {
    nupic_error err = {NUPIC_OK, ""};
    nupic_status st = NUPIC_OK;
    nupic_value v[2];
    memset(v, 0, sizeof v);
    uint32_t fc = 0, ft = 1;
    if (b->type == E_MULTI) {
        if (!nupic_multi_enc_find_field(e, "consumption", &fc) ||
            !nupic_multi_enc_find_field(e, "timestamp", &ft))
            bench_die("multi: fields", NULL);
        v[fc].kind = NUPIC_VALUE_NUMBER;
        v[ft].kind = NUPIC_VALUE_DATETIME;
    }
    double t0 = bench_seconds();
    for (size_t i = 0; i < r->n && st == NUPIC_OK; i++) {
        switch (b->type) {
        case E_SCALAR:
            st = nupic_scalar_enc_encode(e, r->kw[i], out, &err);
            break;
        case E_RDSE: st = nupic_rdse_encode(e, r->kw[i], out, &err); break;
        case E_DATE: st = nupic_date_enc_encode(e, &r->t[i], out, &err); break;
        case E_CATEGORY:
            st = nupic_category_enc_encode(e, r->day[i], out, &err);
            break;
        case E_MULTI:
            v[fc].u.number = r->kw[i];
            v[ft].u.datetime = r->t[i];
            st = nupic_multi_enc_encode(e, v, out, &err);
            break;
        }
    }
    double t = bench_seconds() - t0;
    if (st != NUPIC_OK) bench_die(b->name, &err);
    return t;
}

int main(int argc, char **argv) {
    bench_set_name("encoder_bench");
    int reps = 9;
    const char *path = ENC_BENCH_DATA;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-r") == 0 && i + 1 < argc)
            reps = atoi(argv[++i]);
        else if (strcmp(argv[i], "-f") == 0 && i + 1 < argc)
            path = argv[++i];
        else {
            fprintf(stderr, "usage: encoder_bench [-r REPS] [-f CSV]\n");
            return 2;
        }
    }
    if (reps < 1) reps = 1;
    records r = load(path);
    double *times = malloc((size_t)reps * sizeof *times);
    for (size_t k = 0; k < sizeof benches / sizeof *benches; k++) {
        const bench *b = &benches[k];
        uint32_t width = 0;
        void *warm = b->warm ? make(b, &width) : NULL;
        uint8_t *out = NULL;
        if (warm) {
            out = malloc(width);
            pass(b, warm, &r, out);
        }
        for (int rep = 0; rep < reps; rep++) {
            void *e = warm ? warm : make(b, &width);
            if (out == NULL) out = malloc(width);
            times[rep] = pass(b, e, &r, out);
            if (!warm) release(b, e);
        }
        if (warm) release(b, warm);
        free(out);
        printf(
            "bench=encoder name=%s width=%u records=%zu us_per_record=%.4f\n",
            b->name, width, r.n, bench_median(times, reps) * 1e6 / (double)r.n);
        fflush(stdout);
    }
    free(times);
    free(r.t);
    free(r.kw);
    free(r.day);
    return 0;
}
