/*
 * fuzz/fuzz_likelihood.c - fuzz target for reading an anomaly likelihood's
 * state (AnomalyLikelihoodProto).
 *
 * The input is read with nupic_likelihood_read_from_mem three times: with
 * packing detected, as unpacked and as packed framing.  The invariants
 * checked:
 *
 *  L1  a failed read returns NULL, NUPIC_ERR_FORMAT, NUPIC_ERR_TOO_LARGE or
 *      NUPIC_ERR_NOMEM, and the same status in the error record with a
 *      non-empty, NUL-terminated message; nothing leaks (LeakSanitizer);
 *  L2  reading is deterministic: the same bytes give the same status and
 *      message, or equal objects;
 *  L3  a state that reads writes back (unpacked and packed) and reads again
 *      into an equal object (nupic_likelihood_equal), which writes the same
 *      bytes; its history holds min(iteration, historicWindowSize) records
 *      and it has a distribution exactly when the iteration is past the
 *      probationary period;
 *  L4  a state that reads computes: twelve records (estimating the
 *      distribution whenever the state's periods say so) succeed on the
 *      state and on its reread copy with bit-identical likelihoods, 0.5
 *      exactly while in probation, the shape of L3 after each, and equal
 *      states afterwards, which still write.
 *
 * Every allocation and access is checked by AddressSanitizer and
 * UndefinedBehaviorSanitizer.  What the reader allocates is bounded by the
 * message (one record per score present); an estimate's scratch is bounded
 * by the history.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nupic/anomaly.h>

#include "fuzz_util.h"

#define RECORDS 12

static int g_sentinel;

static void write_mem(const nupic_likelihood *l, bool unpacked, void **buf,
                      size_t *len, const char *ctx) {
    nupic_save_options so = {unpacked};
    nupic_error err = {NUPIC_OK, ""};
    nupic_status st = nupic_likelihood_write_to_mem(l, &so, buf, len, &err);
    FZ_CHECK(st == NUPIC_OK, "%s: write (%s) failed: %s", ctx,
             unpacked ? "unpacked" : "packed", err.message);
}

/* L3 for one encoding; returns the reread copy. */
static nupic_likelihood *round_trip(const nupic_likelihood *l, bool unpacked,
                                    const char *ctx) {
    void *a = NULL, *b = NULL;
    size_t alen = 0, blen = 0;
    write_mem(l, unpacked, &a, &alen, ctx);
    nupic_likelihood *again = NULL;
    nupic_error err = {NUPIC_OK, ""};
    nupic_status st =
        nupic_likelihood_read_from_mem(a, alen, NULL, &again, &err);
    FZ_CHECK(st == NUPIC_OK, "%s: rereading the %s write failed: %s", ctx,
             unpacked ? "unpacked" : "packed", err.message);
    char diff[256];
    FZ_CHECK(nupic_likelihood_equal(l, again, diff, sizeof diff),
             "%s: reread state differs: %s", ctx, diff);
    write_mem(again, unpacked, &b, &blen, ctx);
    FZ_CHECK(alen == blen && memcmp(a, b, alen) == 0,
             "%s: rewriting gives other bytes (%zu and %zu bytes)", ctx, alen,
             blen);
    free(a);
    free(b);
    return again;
}

/* The state's shape (L3). */
static void check_shape(const nupic_likelihood *l, const char *ctx) {
    nupic_likelihood_params p;
    nupic_likelihood_get_params(l, &p);
    uint64_t it = nupic_likelihood_iteration(l);
    uint64_t want = it < p.historic_window_size ? it : p.historic_window_size;
    FZ_CHECK(nupic_likelihood_history_len(l) == want,
             "%s: %u records kept at iteration %llu (window %u)", ctx,
             nupic_likelihood_history_len(l), (unsigned long long)it,
             p.historic_window_size);
    uint64_t probation = (uint64_t)p.learning_period + p.estimation_samples;
    FZ_CHECK(nupic_likelihood_distribution(l, NULL, NULL, NULL) ==
                 (it > probation),
             "%s: distribution at iteration %llu, probation %llu", ctx,
             (unsigned long long)it, (unsigned long long)probation);
    FZ_CHECK(p.reestimation_period > 0 && p.historic_window_size > 0 &&
                 probation > 0,
             "%s: periods %u %u %llu", ctx, p.reestimation_period,
             p.historic_window_size, (unsigned long long)probation);
}

/* L4: the same records on both objects. */
static void check_compute(nupic_likelihood *l, nupic_likelihood *copy,
                          const uint8_t *data, size_t size, const char *ctx) {
    nupic_likelihood_params p;
    nupic_likelihood_get_params(l, &p);
    uint64_t probation = (uint64_t)p.learning_period + p.estimation_samples;
    for (int r = 0; r < RECORDS; r++) {
        uint8_t b = size ? data[(size_t)r * 7 % size] : 0;
        double value = (double)(b % 16) * 1.25 - 3.0;
        double score = (double)(b >> 4) / 15.0;
        uint64_t it = nupic_likelihood_iteration(l);
        double x = -1, y = -1;
        nupic_error e1 = {NUPIC_OK, ""}, e2 = {NUPIC_OK, ""};
        nupic_status s1 = nupic_likelihood_compute(l, value, score, &x, &e1);
        nupic_status s2 = nupic_likelihood_compute(copy, value, score, &y, &e2);
        FZ_CHECK(s1 == NUPIC_OK && s2 == NUPIC_OK,
                 "%s: compute failed: %s / %s", ctx, e1.message, e2.message);
        FZ_CHECK(memcmp(&x, &y, sizeof x) == 0,
                 "%s: record %d: %.17g and %.17g", ctx, r, x, y);
        if (it < probation)
            FZ_CHECK(x == 0.5, "%s: %.17g in probation", ctx, x);
        check_shape(l, ctx);
    }
    char diff[256];
    FZ_CHECK(nupic_likelihood_equal(l, copy, diff, sizeof diff),
             "%s: states differ after computing: %s", ctx, diff);
    void *buf = NULL;
    size_t len = 0;
    write_mem(l, false, &buf, &len, ctx);
    free(buf);
}

static void check_read(const uint8_t *data, size_t size, ncp_packing packing,
                       const char *ctx) {
    nupic_load_options lo = {.packing = packing};
    /* *out must be overwritten: start it at something else. */
    nupic_likelihood *l = (nupic_likelihood *)(void *)&g_sentinel;
    nupic_error err = {NUPIC_OK, ""};
    nupic_status st = nupic_likelihood_read_from_mem(data, size, &lo, &l, &err);
    nupic_likelihood *l2 = (nupic_likelihood *)(void *)&g_sentinel;
    nupic_error err2 = {NUPIC_OK, ""};
    nupic_status st2 =
        nupic_likelihood_read_from_mem(data, size, &lo, &l2, &err2);
    FZ_CHECK(st == st2 && strcmp(err.message, err2.message) == 0,
             "%s: read twice: %s \"%s\", then %s \"%s\"", ctx,
             nupic_status_name(st), err.message, nupic_status_name(st2),
             err2.message);
    if (st != NUPIC_OK) {
        fz_check_failed_read(st, l, &err, NUPIC_ERR_NOMEM, ctx);
        fz_check_failed_read(st2, l2, &err2, NUPIC_ERR_NOMEM, ctx);
        return;
    }
    FZ_CHECK(l != NULL && l2 != NULL, "%s: NUPIC_OK without an object", ctx);
    FZ_CHECK(err.message[0] == '\0', "%s: NUPIC_OK with message \"%s\"", ctx,
             err.message);
    char diff[256];
    FZ_CHECK(nupic_likelihood_equal(l, l2, diff, sizeof diff),
             "%s: two reads differ: %s", ctx, diff);
    nupic_likelihood_free(l2);
    check_shape(l, ctx);
    nupic_likelihood_free(round_trip(l, false, ctx));
    nupic_likelihood *copy = round_trip(l, true, ctx);
    check_compute(l, copy, data, size, ctx);
    nupic_likelihood_free(copy);
    nupic_likelihood_free(l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    check_read(data, size, NCP_PACKING_AUTO, "auto");
    check_read(data, size, NCP_PACKING_UNPACKED, "unpacked");
    check_read(data, size, NCP_PACKING_PACKED, "packed");
    return 0;
}
