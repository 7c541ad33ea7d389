/*
 * fuzz/fuzz_tm.c - fuzz target for reading a temporal memory's state.
 *
 * The input is read with nupic_tm_read_from_mem three times: with packing
 * detected, as unpacked and as packed framing.  The invariants checked
 * (numbered as in docs/security.md, section 9):
 *
 *  T1  a failed read returns NULL, NUPIC_ERR_FORMAT or NUPIC_ERR_TOO_LARGE,
 *      and the same status in the error record with a non-empty,
 *      NUL-terminated message; nothing leaks (LeakSanitizer);
 *  T2  reading is deterministic: the same bytes give the same status and
 *      message, or equal objects;
 *  T3  a state that reads writes back (unpacked and packed) and reads again
 *      into an equal object (nupic_tm_equal), which writes the same bytes;
 *  T4  a state that reads computes: two learning steps and an inference
 *      step on valid active columns succeed, their active, winner and
 *      predictive cells ascend below the number of cells, and the state
 *      after them still satisfies T3; where the CPU runs the AVX-512
 *      learning kernel, a copy read with it turned off steps to an equal
 *      state.
 *
 * Every allocation and access is checked by AddressSanitizer and
 * UndefinedBehaviorSanitizer.  Inputs that claim more than BUDGET_CELLS
 * cells are skipped (a state that holds them would take more than a few
 * hundred MB; see docs/security.md on memory).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nupic/tm.h>

#include "fuzz_util.h"
#include "persist.h"
#include "tm_simd.h" /* tms_force_scalar */

#define BUDGET_CELLS    ((uint64_t)1 << 22) /* cells per object */
#define COMPUTE_CELLS   ((uint64_t)1 << 18) /* cells of states that compute */
#define COMPUTE_COLUMNS ((uint64_t)1 << 16)

/* The options persist.c opens messages with. */
static ncp_read_options read_options(ncp_packing packing) {
    return persist_read_options(&(nupic_load_options){.packing = packing});
}

/* Whether the cells the message's parameters claim fit the budget (the
 * per-cell arrays are allocated for them). */
static bool within_budget(const uint8_t *data, size_t size,
                          ncp_packing packing) {
    ncp_read_options o = read_options(packing);
    ncp_msg *m = NULL;
    if (ncp_msg_from_buffer(data, size, &o, &m, NULL) != NCP_OK) return true;
    TemporalMemoryProto_R r = TemporalMemoryProto_read_root(m);
    ncp_list dims = TemporalMemoryProto_get_columnDimensions(r);
    uint64_t cells = TemporalMemoryProto_get_cellsPerColumn(r);
    uint32_t nd = ncp_list_len(&dims);
    for (uint32_t i = 0; i < nd && i < 8 && cells <= BUDGET_CELLS; i++)
        cells *= ncp_list_u32(&dims, i);
    ncp_msg_free(m);
    return cells <= BUDGET_CELLS;
}

static int g_sentinel;

static void write_mem(const nupic_tm *tm, bool unpacked, void **buf,
                      size_t *len, const char *ctx) {
    nupic_save_options so = {unpacked};
    nupic_error err = {NUPIC_OK, ""};
    nupic_status st = nupic_tm_write_to_mem(tm, &so, buf, len, &err);
    FZ_CHECK(st == NUPIC_OK, "%s: write (%s) failed: %s", ctx,
             unpacked ? "unpacked" : "packed", err.message);
}

/* T3 for one encoding. */
static void check_round_trip(const nupic_tm *tm, bool unpacked,
                             const char *ctx) {
    void *a = NULL, *b = NULL;
    size_t alen = 0, blen = 0;
    write_mem(tm, unpacked, &a, &alen, ctx);
    nupic_tm *again = NULL;
    nupic_error err = {NUPIC_OK, ""};
    nupic_status st = nupic_tm_read_from_mem(a, alen, NULL, &again, &err);
    FZ_CHECK(st == NUPIC_OK, "%s: rereading the %s write failed: %s", ctx,
             unpacked ? "unpacked" : "packed", err.message);
    char diff[256];
    FZ_CHECK(nupic_tm_equal(tm, again, diff, sizeof diff),
             "%s: reread state differs: %s", ctx, diff);
    write_mem(again, unpacked, &b, &blen, ctx);
    FZ_CHECK(alen == blen && memcmp(a, b, alen) == 0,
             "%s: rewriting gives other bytes (%zu and %zu bytes)", ctx, alen,
             blen);
    nupic_tm_free(again);
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

/* T4: two learning steps, then an inference step, on columns chosen from
 * the input's bytes (about one in eight, ascending); scalar, when not NULL,
 * is the same state read with the learning kernel off, and takes the same
 * steps to an equal state.  (The second learning step is the first whose
 * counts the temporal memory made itself.) */
static void check_compute(nupic_tm *tm, nupic_tm *scalar, const uint8_t *data,
                          size_t size, const char *ctx) {
    uint32_t columns = nupic_tm_num_columns(tm);
    uint32_t cells = nupic_tm_num_cells(tm);
    if (cells > COMPUTE_CELLS || columns > COMPUTE_COLUMNS) return;
    uint32_t *active = fz_malloc((size_t)columns * sizeof *active);
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * 16777619u;
    for (int step = 0; step < 3; step++) {
        const bool learn = step < 2;
        size_t n = 0;
        for (uint32_t c = 0; c < columns; c++) {
            h ^= h << 13;
            h ^= h >> 17;
            h ^= h << 5;
            if (h % 8 == 0) active[n++] = c;
        }
        nupic_error err = {NUPIC_OK, ""};
        nupic_status st = nupic_tm_compute(tm, active, n, learn, &err);
        FZ_CHECK(st == NUPIC_OK, "%s: compute failed (%s): %s", ctx,
                 nupic_status_name(st), err.message);
        if (scalar != NULL) {
            st = nupic_tm_compute(scalar, active, n, learn, &err);
            FZ_CHECK(st == NUPIC_OK, "%s: scalar compute failed (%s): %s", ctx,
                     nupic_status_name(st), err.message);
            char diff[256];
            FZ_CHECK(nupic_tm_equal(tm, scalar, diff, sizeof diff),
                     "%s: step %d: the kernel and the scalar loop differ: %s",
                     ctx, step + 1, diff);
        }
        size_t k;
        const uint32_t *v = nupic_tm_active_cells(tm, &k);
        check_cells(v, k, cells, "active", ctx);
        v = nupic_tm_winner_cells(tm, &k);
        check_cells(v, k, cells, "winner", ctx);
        v = nupic_tm_predictive_cells(tm, &k);
        check_cells(v, k, cells, "predictive", ctx);
        float a = nupic_tm_anomaly(tm);
        FZ_CHECK(a >= 0.0f && a <= 1.0f, "%s: anomaly %g", ctx, (double)a);
    }
    free(active);
    check_round_trip(tm, true, ctx);
    check_round_trip(tm, false, ctx);
}

static void check_read(const uint8_t *data, size_t size, ncp_packing packing,
                       const char *ctx) {
    if (!within_budget(data, size, packing)) return;
    nupic_load_options lo = {.packing = packing};
    /* *out must be overwritten: start it at something else. */
    nupic_tm *tm = (nupic_tm *)(void *)&g_sentinel;
    nupic_error err = {NUPIC_OK, ""};
    nupic_status st = nupic_tm_read_from_mem(data, size, &lo, &tm, &err);
    nupic_tm *tm2 = (nupic_tm *)(void *)&g_sentinel;
    nupic_error err2 = {NUPIC_OK, ""};
    nupic_status st2 = nupic_tm_read_from_mem(data, size, &lo, &tm2, &err2);
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
    FZ_CHECK(nupic_tm_equal(tm, tm2, diff, sizeof diff),
             "%s: two reads differ: %s", ctx, diff);
    nupic_tm_free(tm2);
    check_round_trip(tm, true, ctx);
    check_round_trip(tm, false, ctx);
    nupic_tm *scalar = NULL;
#ifdef TMS_KERNELS
    if (tms_available()) {
        tms_force_scalar(true);
        st = nupic_tm_read_from_mem(data, size, &lo, &scalar, &err);
        tms_force_scalar(false);
        FZ_CHECK(st == NUPIC_OK, "%s: the scalar read failed: %s", ctx,
                 err.message);
    }
#endif
    check_compute(tm, scalar, data, size, ctx);
    nupic_tm_free(scalar);
    nupic_tm_free(tm);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    check_read(data, size, NCP_PACKING_AUTO, "auto");
    check_read(data, size, NCP_PACKING_UNPACKED, "unpacked");
    check_read(data, size, NCP_PACKING_PACKED, "packed");
    return 0;
}
