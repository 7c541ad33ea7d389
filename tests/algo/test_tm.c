/*
 * tests/algo/test_tm.c - the temporal memory against nupic.core.
 *
 *  - tm-hotgym: the active cells of all 2000 steps; nupic.core's state
 *    after step 1000 equals ours field by field, continues exactly, and
 *    writes the same bytes as ours (canonical form).
 *  - Every TemporalMemory run of the generated batch (segment and synapse
 *    eviction, predictedSegmentDecrement, 4 and 8 cells per column, noisy
 *    input, learning off every third step): active, winner and predictive
 *    cells, raw anomaly score (%.17g) and segment/synapse counts at every
 *    step; nupic.core's step-500 states load, equal ours, and continue.
 *  - Round trips through memory, FILE* and paths, packed and unpacked:
 *    equal state, identical bytes, identical continuation.
 */
#define _POSIX_C_SOURCE 200809L

#include "test_support.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nupic/ncp.h>
#include <nupic/params.h>
#include <nupic/tm.h>

#define GEN "reference/generated/"

static nupic_tm *new_tm(const char *params_file) {
    nupic_tm_params p;
    nupic_error err = {NUPIC_OK, ""};
    if (nupic_tm_params_load(ts_data_path(params_file), &p, &err) != NUPIC_OK)
        fail_msg("%s: %s", params_file, err.message);
    nupic_tm *tm;
    if (nupic_tm_new(&p, &tm, &err) != NUPIC_OK)
        fail_msg("%s: %s", params_file, err.message);
    return tm;
}

static nupic_tm *load_tm(const char *file) {
    ts_buf b = ts_read_data(file);
    nupic_tm *tm;
    nupic_error err = {NUPIC_OK, ""};
    if (nupic_tm_read_from_mem(b.data, b.len, NULL, &tm, &err) != NUPIC_OK)
        fail_msg("%s: %s", file, err.message);
    ts_buf_free(&b);
    return tm;
}

static void step(nupic_tm *tm, const ts_sdrs *in, uint32_t t, bool learn) {
    nupic_error err = {NUPIC_OK, ""};
    if (nupic_tm_compute(tm, in->idx + in->start[t],
                         in->start[t + 1] - in->start[t], learn,
                         &err) != NUPIC_OK)
        fail_msg("step %u: %s", t + 1, err.message);
}

static void write_mem(const nupic_tm *tm, bool unpacked, ts_buf *out) {
    nupic_save_options o = {unpacked};
    nupic_error err = {NUPIC_OK, ""};
    void *buf = NULL;
    size_t len = 0;
    if (nupic_tm_write_to_mem(tm, &o, &buf, &len, &err) != NUPIC_OK)
        fail_msg("write_to_mem: %s", err.message);
    out->data = buf;
    out->len = len;
}

static void assert_equal_tm(const nupic_tm *a, const nupic_tm *b,
                            const char *what) {
    char diff[256];
    if (!nupic_tm_equal(a, b, diff, sizeof diff))
        fail_msg("%s: %s", what, diff);
}

static void assert_same_bytes(const nupic_tm *a, const nupic_tm *b) {
    for (int unpacked = 0; unpacked < 2; unpacked++) {
        ts_buf x, y;
        write_mem(a, unpacked, &x);
        write_mem(b, unpacked, &y);
        ts_assert_bytes_equal(x.data, x.len, y.data, y.len);
        ts_buf_free(&x);
        ts_buf_free(&y);
    }
}

/* ------------------------------------------------------------------------
 * tm-hotgym
 * ------------------------------------------------------------------------ */

typedef struct hotgym {
    ts_sdrs input, trace;
} hotgym;

static int setup(void **state) {
    hotgym *h = calloc(1, sizeof *h);
    ts_buf in = ts_read_data("reference/sp-hotgym/sp_seq_active.txt.xz");
    ts_buf tr = ts_read_data("reference/tm-hotgym/tm_active_cells.txt.xz");
    h->input = ts_parse_sdrs(&in);
    h->trace = ts_parse_sdrs(&tr);
    ts_buf_free(&in);
    ts_buf_free(&tr);
    *state = h;
    return 0;
}

static int teardown(void **state) {
    hotgym *h = *state;
    ts_sdrs_free(&h->input);
    ts_sdrs_free(&h->trace);
    free(h);
    return 0;
}

static void run_hotgym(nupic_tm *tm, const hotgym *h, uint32_t from,
                       uint32_t to) {
    for (uint32_t t = from; t < to; t++) {
        step(tm, &h->input, t, true);
        size_t n;
        const uint32_t *cells = nupic_tm_active_cells(tm, &n);
        ts_assert_sdr(&h->trace, t, cells, n, "tm-hotgym active cells");
    }
}

static void hotgym_2000_steps(void **state) {
    hotgym *h = *state;
    nupic_tm *tm = new_tm("reference/tm-hotgym/params.json");
    run_hotgym(tm, h, 0, 2000);
    assert_int_equal(nupic_tm_iteration(tm), 2000);
    nupic_tm_free(tm);
}

static void hotgym_resume_from_nupic_core(void **state) {
    hotgym *h = *state;
    nupic_tm *theirs = load_tm("reference/tm-hotgym/tm_step1000.capnp.xz");
    assert_int_equal(nupic_tm_iteration(theirs), 1000);
    nupic_tm *ours = new_tm("reference/tm-hotgym/params.json");
    run_hotgym(ours, h, 0, 1000);
    assert_equal_tm(ours, theirs, "state after step 1000 vs nupic.core's");
    /* Canonical: the same state writes the same bytes, whatever history
     * (ours reused destroyed segment slots; theirs was rebuilt). */
    assert_same_bytes(ours, theirs);
    run_hotgym(theirs, h, 1000, 2000);
    run_hotgym(ours, h, 1000, 2000);
    assert_equal_tm(ours, theirs, "state after step 2000");
    nupic_tm_free(ours);
    nupic_tm_free(theirs);
}

/* ------------------------------------------------------------------------
 * Round trips
 * ------------------------------------------------------------------------ */

static void round_trips(void **state) {
    hotgym *h = *state;
    const char *path = "tm_round_trip.capnp";
    for (int form = 0; form < 6; form++) {
        nupic_tm *orig = new_tm("reference/tm-hotgym/params.json");
        run_hotgym(orig, h, 0, 700);
        bool unpacked = form & 1;
        nupic_save_options so = {unpacked};
        nupic_error err = {NUPIC_OK, ""};
        nupic_tm *copy = NULL;
        nupic_status st;
        if (form < 2) {
            ts_buf b;
            write_mem(orig, unpacked, &b);
            st = nupic_tm_read_from_mem(b.data, b.len, NULL, &copy, &err);
            ts_buf_free(&b);
        } else if (form < 4) {
            FILE *f = tmpfile();
            assert_non_null(f);
            assert_int_equal(nupic_tm_write_to_file(orig, f, &so, &err),
                             NUPIC_OK);
            rewind(f);
            st = nupic_tm_read_from_file(f, NULL, &copy, &err);
            fclose(f);
        } else {
            assert_int_equal(nupic_tm_save(orig, path, &so, &err), NUPIC_OK);
            st = nupic_tm_load(path, NULL, &copy, &err);
            remove(path);
        }
        if (st != NUPIC_OK) fail_msg("form %d: %s", form, err.message);
        assert_equal_tm(orig, copy, "after a round trip");
        assert_same_bytes(orig, copy);
        run_hotgym(orig, h, 700, 800);
        run_hotgym(copy, h, 700, 800);
        assert_equal_tm(orig, copy, "100 steps after a round trip");
        /* After a reset, too. */
        nupic_tm_reset(orig);
        ts_buf b;
        write_mem(orig, false, &b);
        nupic_tm *again = NULL;
        assert_int_equal(
            nupic_tm_read_from_mem(b.data, b.len, NULL, &again, &err),
            NUPIC_OK);
        ts_buf_free(&b);
        assert_equal_tm(orig, again, "a reset state after a round trip");
        nupic_tm_free(again);
        nupic_tm_free(orig);
        nupic_tm_free(copy);
    }
}

/* ------------------------------------------------------------------------
 * The generated batch
 * ------------------------------------------------------------------------ */

typedef struct run_data {
    ts_sdrs input, active, winner, predictive;
    char **anomaly; /* one line per step */
    uint32_t *segments, *synapses;
} run_data;

static ts_sdrs read_sdrs(json_t *outputs, const char *key) {
    char path[512];
    snprintf(path, sizeof path, GEN "%s",
             json_string_value(json_object_get(outputs, key)));
    ts_buf b = ts_read_data(path);
    ts_sdrs s = ts_parse_sdrs(&b);
    ts_buf_free(&b);
    return s;
}

static char **read_lines(const char *file, uint32_t n) {
    ts_buf b = ts_read_data(file);
    char **lines = calloc(n, sizeof *lines);
    assert_non_null(lines);
    const char *p = (const char *)b.data, *end = p + b.len;
    for (uint32_t i = 0; i < n; i++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        assert_non_null(nl);
        lines[i] = strndup(p, (size_t)(nl - p));
        p = nl + 1;
    }
    ts_buf_free(&b);
    return lines;
}

/* Checks step t's outputs of tm against the run's traces. */
static void check_step(const nupic_tm *tm, const run_data *d, uint32_t t,
                       const char *name) {
    char what[128];
    size_t n;
    const uint32_t *cells = nupic_tm_active_cells(tm, &n);
    snprintf(what, sizeof what, "%s active cells", name);
    ts_assert_sdr(&d->active, t, cells, n, what);
    cells = nupic_tm_winner_cells(tm, &n);
    snprintf(what, sizeof what, "%s winner cells", name);
    ts_assert_sdr(&d->winner, t, cells, n, what);
    cells = nupic_tm_predictive_cells(tm, &n);
    snprintf(what, sizeof what, "%s predictive cells", name);
    ts_assert_sdr(&d->predictive, t, cells, n, what);
    char score[64];
    snprintf(score, sizeof score, "%.17g", (double)nupic_tm_anomaly(tm));
    if (strcmp(score, d->anomaly[t]) != 0)
        fail_msg("%s step %u: anomaly %s, nupic.core %s", name, t + 1, score,
                 d->anomaly[t]);
    if (nupic_tm_num_segments(tm) != d->segments[t] ||
        nupic_tm_num_synapses(tm) != d->synapses[t])
        fail_msg("%s step %u: %u segments %u synapses, nupic.core %u %u", name,
                 t + 1, nupic_tm_num_segments(tm), nupic_tm_num_synapses(tm),
                 d->segments[t], d->synapses[t]);
}

static bool learn_at(const char *schedule, uint32_t step) {
    if (strcmp(schedule, "mod3") == 0) return step % 3 != 0;
    if (strcmp(schedule, "off") == 0) return false;
    if (strcmp(schedule, "odd") == 0) return step % 2 == 1;
    return true;
}

static void run_generated(json_t *run) {
    const char *name = json_string_value(json_object_get(run, "name"));
    const char *schedule = json_string_value(json_object_get(run, "learn"));
    uint32_t last = (uint32_t)json_integer_value(
        json_array_get(json_object_get(run, "steps"), 1));
    char path[512];
    snprintf(path, sizeof path, GEN "%s",
             json_string_value(json_object_get(run, "params")));
    nupic_tm *tm = new_tm(path);
    run_data d;
    memset(&d, 0, sizeof d);
    snprintf(path, sizeof path, GEN "%s",
             json_string_value(json_object_get(run, "input")));
    ts_buf in = ts_read_data(path);
    d.input = ts_parse_sdrs(&in);
    ts_buf_free(&in);
    json_t *outputs = json_object_get(run, "outputs");
    d.active = read_sdrs(outputs, "activeCells");
    d.winner = read_sdrs(outputs, "winnerCells");
    d.predictive = read_sdrs(outputs, "predictiveCells");
    snprintf(path, sizeof path, GEN "%s",
             json_string_value(json_object_get(outputs, "rawAnomaly")));
    d.anomaly = read_lines(path, last);
    snprintf(path, sizeof path, GEN "%s",
             json_string_value(json_object_get(outputs, "segmentsSynapses")));
    char **stats = read_lines(path, last);
    d.segments = calloc(last, sizeof *d.segments);
    d.synapses = calloc(last, sizeof *d.synapses);
    for (uint32_t t = 0; t < last; t++) {
        assert_int_equal(
            sscanf(stats[t], "%u %u", &d.segments[t], &d.synapses[t]), 2);
        free(stats[t]);
    }
    free(stats);

    nupic_tm *theirs = NULL;
    uint32_t state_step = 0;
    json_t *st = json_object_get(run, "state");
    if (st) {
        state_step =
            (uint32_t)json_integer_value(json_object_get(st, "afterStep"));
        snprintf(path, sizeof path, GEN "%s",
                 json_string_value(json_object_get(st, "file")));
        theirs = load_tm(path);
    }
    for (uint32_t t = 0; t < last; t++) {
        bool learn = learn_at(schedule, t + 1);
        step(tm, &d.input, t, learn);
        check_step(tm, &d, t, name);
        if (theirs && t + 1 == state_step) {
            char what[128];
            snprintf(what, sizeof what,
                     "%s: state after step %u vs nupic.core's", name,
                     state_step);
            assert_equal_tm(tm, theirs, what);
            assert_same_bytes(tm, theirs);
        }
        if (theirs && t + 1 > state_step) {
            step(theirs, &d.input, t, learn);
            check_step(theirs, &d, t, name);
        }
    }
    nupic_tm_free(theirs);
    nupic_tm_free(tm);
    for (uint32_t t = 0; t < last; t++)
        free(d.anomaly[t]);
    free(d.anomaly);
    free(d.segments);
    free(d.synapses);
    ts_sdrs_free(&d.input);
    ts_sdrs_free(&d.active);
    ts_sdrs_free(&d.winner);
    ts_sdrs_free(&d.predictive);
}

static void all_generated_tm_runs(void **state) {
    (void)state;
    json_error_t je;
    json_t *m = json_load_file(ts_data_path(GEN "manifest.json"), 0, &je);
    if (m == NULL) fail_msg("manifest.json:%d: %s", je.line, je.text);
    size_t i, count = 0;
    json_t *run;
    json_array_foreach(json_object_get(m, "runs"), i, run) {
        const char *kind = json_string_value(json_object_get(run, "kind"));
        if (kind == NULL || strcmp(kind, "TemporalMemory") != 0) continue;
        run_generated(run);
        count++;
    }
    assert_int_equal(count, 8);
    json_decref(m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hotgym_2000_steps),
        cmocka_unit_test(hotgym_resume_from_nupic_core),
        cmocka_unit_test(round_trips),
        cmocka_unit_test(all_generated_tm_runs),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
