/*
 * fuzz/fuzz_classifier.c - fuzz target for reading an SDR classifier's
 * state (SdrClassifierProto).
 *
 * The input is read with nupic_classifier_read_from_mem three times: with
 * packing detected, as unpacked and as packed framing.  The invariants
 * checked:
 *
 *  C1  a failed read returns NULL, NUPIC_ERR_FORMAT, NUPIC_ERR_TOO_LARGE or
 *      NUPIC_ERR_NOMEM, and the same status in the error record with a
 *      non-empty, NUL-terminated message; nothing leaks (LeakSanitizer);
 *  C2  reading is deterministic: the same bytes give the same status and
 *      message, or equal objects;
 *  C3  a state that reads writes back (unpacked and packed) and reads again
 *      into an equal object (nupic_classifier_equal), which writes the same
 *      bytes;
 *  C4  a state that reads computes: records that learn and infer, with
 *      patterns and buckets inside the state's range, succeed on the state
 *      and on its reread copy with bit-identical predictions (one
 *      probability per bucket known before the record, for every step) and
 *      equal states afterwards, which still write.
 *
 * Every allocation and access is checked by AddressSanitizer and
 * UndefinedBehaviorSanitizer.  What the reader allocates is bounded by the
 * message: the weight lists must hold (maxInputIdx + 1) * (maxBucketIdx + 1)
 * values each before anything is allocated for them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nupic/classifier.h>

#include "fuzz_util.h"

#define RECORDS 3

static int g_sentinel;

static void write_mem(const nupic_classifier *c, bool unpacked, void **buf,
                      size_t *len, const char *ctx) {
    nupic_save_options so = {unpacked};
    nupic_error err = {NUPIC_OK, ""};
    nupic_status st = nupic_classifier_write_to_mem(c, &so, buf, len, &err);
    FZ_CHECK(st == NUPIC_OK, "%s: write (%s) failed: %s", ctx,
             unpacked ? "unpacked" : "packed", err.message);
}

/* C3 for one encoding; returns the reread copy. */
static nupic_classifier *round_trip(const nupic_classifier *c, bool unpacked,
                                    const char *ctx) {
    void *a = NULL, *b = NULL;
    size_t alen = 0, blen = 0;
    write_mem(c, unpacked, &a, &alen, ctx);
    nupic_classifier *again = NULL;
    nupic_error err = {NUPIC_OK, ""};
    nupic_status st =
        nupic_classifier_read_from_mem(a, alen, NULL, &again, &err);
    FZ_CHECK(st == NUPIC_OK, "%s: rereading the %s write failed: %s", ctx,
             unpacked ? "unpacked" : "packed", err.message);
    char diff[256];
    FZ_CHECK(nupic_classifier_equal(c, again, diff, sizeof diff),
             "%s: reread state differs: %s", ctx, diff);
    write_mem(again, unpacked, &b, &blen, ctx);
    FZ_CHECK(alen == blen && memcmp(a, b, alen) == 0,
             "%s: rewriting gives other bytes (%zu and %zu bytes)", ctx, alen,
             blen);
    free(a);
    free(b);
    return again;
}

/* A deterministic stream of numbers drawn from the input. */
typedef struct draw {
    const uint8_t *data;
    size_t size, at;
    uint32_t x;
} draw;

static uint32_t next(draw *d) {
    uint32_t b = d->size ? d->data[d->at++ % d->size] : 0;
    d->x = d->x * 1664525u + 1013904223u + b;
    return d->x >> 8;
}

/* C4: the same records on both objects. */
static void check_compute(nupic_classifier *c, nupic_classifier *copy,
                          const uint8_t *data, size_t size, const char *ctx) {
    draw d = {data, size, 0, 7};
    nupic_classifier_params p;
    nupic_classifier_get_params(c, &p);
    uint32_t max_input = nupic_classifier_max_input_idx(c);
    uint32_t record = 0;
    nupic_classifier_last_record(c, &record);
    void *buf = NULL;
    size_t len = 0;
    for (int r = 0; r < RECORDS; r++) {
        uint32_t pattern[8], bucket[2];
        double value[2];
        size_t n = next(&d) % 9, classes = next(&d) % 3;
        for (size_t i = 0; i < n; i++)
            pattern[i] = next(&d) % (max_input + 1);
        uint32_t max_bucket = nupic_classifier_max_bucket_idx(c);
        for (size_t i = 0; i < classes; i++) {
            bucket[i] = next(&d) % (max_bucket + 1);
            value[i] = (double)(int32_t)next(&d) / 64.0;
        }
        bool category = next(&d) % 4 == 0, learn = next(&d) % 4 != 0;
        /* The next record number, or the same again. */
        uint64_t rn = (uint64_t)record + next(&d) % 3;
        record = rn > UINT32_MAX ? UINT32_MAX : (uint32_t)rn;
        nupic_error e1 = {NUPIC_OK, ""}, e2 = {NUPIC_OK, ""};
        nupic_status s1 =
            nupic_classifier_compute(c, record, pattern, n, bucket, value,
                                     classes, category, learn, true, &e1);
        nupic_status s2 =
            nupic_classifier_compute(copy, record, pattern, n, bucket, value,
                                     classes, category, learn, true, &e2);
        FZ_CHECK(s1 == NUPIC_OK && s2 == NUPIC_OK,
                 "%s: compute failed: %s / %s", ctx, e1.message, e2.message);
        size_t na, nb;
        const double *a = nupic_classifier_actual_values(c, &na);
        const double *b = nupic_classifier_actual_values(copy, &nb);
        FZ_CHECK(a && b && na == nb && na == max_bucket + 1u &&
                     memcmp(a, b, na * sizeof *a) == 0,
                 "%s: actual values differ", ctx);
        for (uint32_t k = 0; k < p.num_steps; k++) {
            a = nupic_classifier_probabilities(c, p.steps[k], &na);
            b = nupic_classifier_probabilities(copy, p.steps[k], &nb);
            FZ_CHECK(a && b && na == nb && na == max_bucket + 1u &&
                         memcmp(a, b, na * sizeof *a) == 0,
                     "%s: step %u: probabilities differ", ctx, p.steps[k]);
        }
    }
    char diff[256];
    FZ_CHECK(nupic_classifier_equal(c, copy, diff, sizeof diff),
             "%s: states differ after computing: %s", ctx, diff);
    write_mem(c, false, &buf, &len, ctx);
    free(buf);
}

static void check_read(const uint8_t *data, size_t size, ncp_packing packing,
                       const char *ctx) {
    nupic_load_options lo = {.packing = packing};
    /* *out must be overwritten: start it at something else. */
    nupic_classifier *c = (nupic_classifier *)(void *)&g_sentinel;
    nupic_error err = {NUPIC_OK, ""};
    nupic_status st = nupic_classifier_read_from_mem(data, size, &lo, &c, &err);
    nupic_classifier *c2 = (nupic_classifier *)(void *)&g_sentinel;
    nupic_error err2 = {NUPIC_OK, ""};
    nupic_status st2 =
        nupic_classifier_read_from_mem(data, size, &lo, &c2, &err2);
    FZ_CHECK(st == st2 && strcmp(err.message, err2.message) == 0,
             "%s: read twice: %s \"%s\", then %s \"%s\"", ctx,
             nupic_status_name(st), err.message, nupic_status_name(st2),
             err2.message);
    if (st != NUPIC_OK) {
        fz_check_failed_read(st, c, &err, NUPIC_ERR_NOMEM, ctx);
        fz_check_failed_read(st2, c2, &err2, NUPIC_ERR_NOMEM, ctx);
        return;
    }
    FZ_CHECK(c != NULL && c2 != NULL, "%s: NUPIC_OK without an object", ctx);
    FZ_CHECK(err.message[0] == '\0', "%s: NUPIC_OK with message \"%s\"", ctx,
             err.message);
    char diff[256];
    FZ_CHECK(nupic_classifier_equal(c, c2, diff, sizeof diff),
             "%s: two reads differ: %s", ctx, diff);
    nupic_classifier_free(c2);
    nupic_classifier_free(round_trip(c, false, ctx));
    nupic_classifier *copy = round_trip(c, true, ctx);
    check_compute(c, copy, data, size, ctx);
    nupic_classifier_free(copy);
    nupic_classifier_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    check_read(data, size, NCP_PACKING_AUTO, "auto");
    check_read(data, size, NCP_PACKING_UNPACKED, "unpacked");
    check_read(data, size, NCP_PACKING_PACKED, "packed");
    return 0;
}
