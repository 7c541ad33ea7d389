/*
 * fuzz/fuzz_btm.c - fuzz target for reading a backtracking temporal
 * memory's state (Cells4Proto).
 *
 * The input is read with nupic_btm_read_from_mem three times: with packing
 * detected, as unpacked and as packed framing.  The invariants checked
 * (numbered as in docs/security.md, section 10):
 *
 *  T1  a failed read returns NULL, NUPIC_ERR_FORMAT or NUPIC_ERR_TOO_LARGE,
 *      and the same status in the error record with a non-empty,
 *      NUL-terminated message; nothing leaks (LeakSanitizer);
 *  T2  reading is deterministic: the same bytes give the same status and
 *      message, or equal objects;
 *  T3  a state that reads writes back (unpacked and packed) and reads again
 *      into an equal object (nupic_btm_equal), which writes the same bytes;
 *  T4  a state that reads computes: a learning step and an inference-only
 *      step on valid active columns succeed, their output, inference and
 *      learning cells ascend below the number of cells, predicted columns
 *      below the number of columns, the anomaly is in [0, 1], and the state
 *      after them still satisfies T3.
 *
 * Every allocation and access is checked by AddressSanitizer and
 * UndefinedBehaviorSanitizer.  The reader itself refuses more than 2^18
 * cells (nupic.core's limit).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nupic/btm.h>

#include "fuzz_util.h"

#define COMPUTE_CELLS ((uint64_t)1 << 18)

static int g_sentinel;

static void write_mem(const nupic_btm *tm, bool unpacked, void **buf,
                      size_t *len, const char *ctx) {
    nupic_save_options so = {unpacked};
    nupic_error err = {NUPIC_OK, ""};
    nupic_status st = nupic_btm_write_to_mem(tm, &so, buf, len, &err);
    FZ_CHECK(st == NUPIC_OK, "%s: write (%s) failed: %s", ctx,
             unpacked ? "unpacked" : "packed", err.message);
}

/* T3 for one encoding. */
static void check_round_trip(const nupic_btm *tm, bool unpacked,
                             const char *ctx) {
    void *a = NULL, *b = NULL;
    size_t alen = 0, blen = 0;
    write_mem(tm, unpacked, &a, &alen, ctx);
    nupic_btm *again = NULL;
    nupic_error err = {NUPIC_OK, ""};
    nupic_status st = nupic_btm_read_from_mem(a, alen, NULL, &again, &err);
    FZ_CHECK(st == NUPIC_OK, "%s: rereading the %s write failed: %s", ctx,
             unpacked ? "unpacked" : "packed", err.message);
    char diff[256];
    FZ_CHECK(nupic_btm_equal(tm, again, diff, sizeof diff),
             "%s: reread state differs: %s", ctx, diff);
    write_mem(again, unpacked, &b, &blen, ctx);
    FZ_CHECK(alen == blen && memcmp(a, b, alen) == 0,
             "%s: rewriting gives other bytes (%zu and %zu bytes)", ctx, alen,
             blen);
    nupic_btm_free(again);
    free(a);
    free(b);
}

static void check_cells(const uint32_t *v, size_t n, uint32_t cells,
                        const char *what, const char *ctx) {
    FZ_CHECK(n <= cells, "%s: %zu %s cells of %u", ctx, n, what, cells);
    for (size_t k = 0; k < n; k++)
        FZ_CHECK(v[k] < cells && (k == 0 || v[k] > v[k - 1]),
                 "%s: %s cell %zu is %u", ctx, what, k, v[k]);
}

/* T4: a learning step, then an inference-only step, on columns chosen
 * from the input's bytes (about one in eight, ascending). */
static void check_compute(nupic_btm *t, const uint8_t *data, size_t size,
                          const char *ctx) {
    uint32_t columns = nupic_btm_num_columns(t);
    uint32_t cells = nupic_btm_num_cells(t);
    if (cells > COMPUTE_CELLS) return;
    uint32_t *active = fz_malloc((size_t)columns * sizeof *active);
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * 16777619u;
    for (int learn = 1; learn >= 0; learn--) {
        size_t n = 0;
        for (uint32_t c = 0; c < columns; c++) {
            h ^= h << 13;
            h ^= h >> 17;
            h ^= h << 5;
            if (h % 8 == 0) active[n++] = c;
        }
        nupic_error err = {NUPIC_OK, ""};
        nupic_status st =
            nupic_btm_compute(t, active, n, true, learn != 0, &err);
        FZ_CHECK(st == NUPIC_OK, "%s: compute failed (%s): %s", ctx,
                 nupic_status_name(st), err.message);
        size_t k;
        const uint32_t *v = nupic_btm_output(t, &k);
        check_cells(v, k, cells, "output", ctx);
        v = nupic_btm_inf_active_cells(t, &k);
        check_cells(v, k, cells, "inference active", ctx);
        v = nupic_btm_inf_predicted_cells(t, &k);
        check_cells(v, k, cells, "inference predicted", ctx);
        v = nupic_btm_learn_active_cells(t, &k);
        check_cells(v, k, cells, "learning active", ctx);
        v = nupic_btm_predicted_columns(t, &k);
        check_cells(v, k, columns, "predicted column", ctx);
        v = nupic_btm_confident_columns(t, &k);
        check_cells(v, k, columns, "confident column", ctx);
        float a = nupic_btm_anomaly(t);
        FZ_CHECK(a >= 0.0f && a <= 1.0f, "%s: anomaly %g", ctx, (double)a);
    }
    free(active);
    check_round_trip(t, true, ctx);
    check_round_trip(t, false, ctx);
}

static void check_read(const uint8_t *data, size_t size, ncp_packing packing,
                       const char *ctx) {
    nupic_load_options lo = {.packing = packing};
    /* *out must be overwritten: start it at something else. */
    nupic_btm *tm = (nupic_btm *)(void *)&g_sentinel;
    nupic_error err = {NUPIC_OK, ""};
    nupic_status st = nupic_btm_read_from_mem(data, size, &lo, &tm, &err);
    nupic_btm *tm2 = (nupic_btm *)(void *)&g_sentinel;
    nupic_error err2 = {NUPIC_OK, ""};
    nupic_status st2 = nupic_btm_read_from_mem(data, size, &lo, &tm2, &err2);
    FZ_CHECK(st == st2 && strcmp(err.message, err2.message) == 0,
             "%s: read twice: %s \"%s\", then %s \"%s\"", ctx,
             nupic_status_name(st), err.message, nupic_status_name(st2),
             err2.message);
    if (st != NUPIC_OK) {
        fz_check_failed_read(st, tm, &err, NUPIC_OK, ctx);
        fz_check_failed_read(st2, tm2, &err2, NUPIC_OK, ctx);
        return;
    }
    FZ_CHECK(tm != NULL && tm2 != NULL, "%s: NUPIC_OK without an object", ctx);
    FZ_CHECK(err.message[0] == '\0', "%s: NUPIC_OK with message \"%s\"", ctx,
             err.message);
    char diff[256];
    FZ_CHECK(nupic_btm_equal(tm, tm2, diff, sizeof diff),
             "%s: two reads differ: %s", ctx, diff);
    nupic_btm_free(tm2);
    check_round_trip(tm, true, ctx);
    check_round_trip(tm, false, ctx);
    check_compute(tm, data, size, ctx);
    nupic_btm_free(tm);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    check_read(data, size, NCP_PACKING_AUTO, "auto");
    check_read(data, size, NCP_PACKING_UNPACKED, "unpacked");
    check_read(data, size, NCP_PACKING_PACKED, "packed");
    return 0;
}
