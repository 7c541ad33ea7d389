/*
 * tests/algo/test_sp_configs.c - the spatial pooler against nupic.core on
 * every SpatialPooler run of tests/data/reference/generated/manifest.json:
 * local and global inhibition, wrap-around on and off, 1-D and 2-D
 * topologies, boosting, localAreaDensity, stimulusThreshold, learning off
 * and alternating.  Each run is built from its params.json (through
 * nupic_sp_params_load), fed its input with its learning schedule, and
 * compared step by step (active columns; the inhibition radius where the
 * run recorded it).  Runs with a state after step 500 also check that the
 * nupic.core state loads, equals ours field by field, and continues to step
 * 1000 exactly.
 */
#include "test_support.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nupic/params.h>
#include <nupic/sp.h>

#define GEN "reference/generated/"

typedef enum { LEARN_ON, LEARN_OFF, LEARN_ODD, LEARN_MOD3 } schedule;

static bool learn_at(schedule s, uint32_t step /* 1-based */) {
    switch (s) {
    case LEARN_ON: return true;
    case LEARN_OFF: return false;
    case LEARN_ODD: return step % 2 == 1;
    case LEARN_MOD3: return step % 3 != 0;
    }
    return true;
}

static schedule parse_schedule(const char *s) {
    if (strcmp(s, "on") == 0) return LEARN_ON;
    if (strcmp(s, "off") == 0) return LEARN_OFF;
    if (strcmp(s, "odd") == 0) return LEARN_ODD;
    if (strcmp(s, "mod3") == 0) return LEARN_MOD3;
    fail_msg("unknown learning schedule '%s'", s);
    return LEARN_ON;
}

/* "k R" lines: the radius after step k (line 1: after construction). */
static uint32_t *parse_radii(const ts_buf *text, uint32_t steps) {
    uint32_t *r = calloc((size_t)steps + 1, sizeof *r);
    assert_non_null(r);
    const char *p = (const char *)text->data, *end = p + text->len;
    for (uint32_t k = 0; k <= steps; k++) {
        unsigned long step, radius;
        int used = 0;
        char line[64];
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = (size_t)((nl ? nl : end) - p);
        assert_true(n < sizeof line);
        memcpy(line, p, n);
        line[n] = '\0';
        assert_int_equal(sscanf(line, "%lu %lu%n", &step, &radius, &used), 2);
        assert_int_equal(step, k);
        r[k] = (uint32_t)radius;
        p = nl ? nl + 1 : end;
    }
    return r;
}

static void run_one(json_t *run) {
    const char *name = json_string_value(json_object_get(run, "name"));
    char path[512];
    json_t *steps = json_object_get(run, "steps");
    uint32_t first = (uint32_t)json_integer_value(json_array_get(steps, 0));
    uint32_t last = (uint32_t)json_integer_value(json_array_get(steps, 1));
    assert_int_equal(first, 1);
    schedule sched =
        parse_schedule(json_string_value(json_object_get(run, "learn")));

    snprintf(path, sizeof path, GEN "%s",
             json_string_value(json_object_get(run, "params")));
    nupic_sp_params p;
    nupic_error err = {NUPIC_OK, ""};
    if (nupic_sp_params_load(ts_data_path(path), &p, &err) != NUPIC_OK)
        fail_msg("%s: %s", name, err.message);

    snprintf(path, sizeof path, GEN "%s",
             json_string_value(json_object_get(run, "input")));
    ts_buf in_text = ts_read_data(path);
    ts_sdrs input = ts_parse_sdrs(&in_text);
    json_t *outputs = json_object_get(run, "outputs");
    snprintf(path, sizeof path, GEN "%s",
             json_string_value(json_object_get(outputs, "activeColumns")));
    ts_buf tr_text = ts_read_data(path);
    ts_sdrs trace = ts_parse_sdrs(&tr_text);
    assert_true(trace.steps >= last);
    uint32_t *radii = NULL;
    const char *rfile =
        json_string_value(json_object_get(outputs, "inhibitionRadius"));
    if (rfile) {
        snprintf(path, sizeof path, GEN "%s", rfile);
        ts_buf r_text = ts_read_data(path);
        radii = parse_radii(&r_text, last);
        ts_buf_free(&r_text);
    }
    uint32_t state_step = 0;
    nupic_sp *theirs = NULL;
    json_t *state = json_object_get(run, "state");
    if (state) {
        state_step =
            (uint32_t)json_integer_value(json_object_get(state, "afterStep"));
        snprintf(path, sizeof path, GEN "%s",
                 json_string_value(json_object_get(state, "file")));
        ts_buf bytes = ts_read_data(path);
        if (nupic_sp_read_from_mem(bytes.data, bytes.len, NULL, &theirs,
                                   &err) != NUPIC_OK)
            fail_msg("%s: nupic.core's state: %s", name, err.message);
        ts_buf_free(&bytes);
    }

    nupic_sp *sp;
    if (nupic_sp_new(&p, &sp, &err) != NUPIC_OK)
        fail_msg("%s: %s", name, err.message);
    if (radii) assert_int_equal(nupic_sp_inhibition_radius(sp), radii[0]);
    uint32_t *out = malloc(nupic_sp_num_columns(sp) * sizeof *out);
    assert_non_null(out);
    char what[128];
    snprintf(what, sizeof what, "%s active columns", name);
    for (uint32_t t = 0; t < last; t++) {
        uint32_t step = t + 1;
        bool learn = learn_at(sched, step);
        const uint32_t *x = input.idx + input.start[t];
        size_t nx = input.start[t + 1] - input.start[t];
        /* Ours from construction; after the saved step, nupic.core's state
         * too, on the same inputs. */
        nupic_sp *both[2] = {sp, step > state_step ? theirs : NULL};
        for (int k = 0; k < 2; k++) {
            if (both[k] == NULL) continue;
            size_t n = 0;
            if (nupic_sp_compute(both[k], x, nx, learn, out, &n, &err) !=
                NUPIC_OK)
                fail_msg("%s step %u: %s", name, step, err.message);
            ts_assert_sdr(&trace, t, out, n, what);
            if (radii && nupic_sp_inhibition_radius(both[k]) != radii[step])
                fail_msg("%s step %u (%s): inhibition radius %u, nupic.core "
                         "%u",
                         name, step, k ? "from nupic.core's state" : "ours",
                         nupic_sp_inhibition_radius(both[k]), radii[step]);
        }
        if (theirs && step == state_step) {
            char diff[256];
            if (!nupic_sp_equal(sp, theirs, diff, sizeof diff))
                fail_msg("%s: state after step %u differs from nupic.core's: "
                         "%s",
                         name, step, diff);
        }
    }
    if (theirs) {
        char diff[256];
        if (!nupic_sp_equal(sp, theirs, diff, sizeof diff))
            fail_msg("%s: state after step %u (continued from nupic.core's "
                     "step %u) differs: %s",
                     name, last, state_step, diff);
    }
    assert_int_equal(nupic_sp_iteration_num(sp), last);
    free(out);
    free(radii);
    nupic_sp_free(sp);
    nupic_sp_free(theirs);
    ts_sdrs_free(&input);
    ts_sdrs_free(&trace);
    ts_buf_free(&in_text);
    ts_buf_free(&tr_text);
}

static void all_generated_sp_runs(void **state) {
    (void)state;
    json_error_t je;
    json_t *m = json_load_file(ts_data_path(GEN "manifest.json"), 0, &je);
    if (m == NULL) fail_msg("manifest.json:%d: %s", je.line, je.text);
    json_t *runs = json_object_get(m, "runs");
    size_t i, count = 0;
    json_t *run;
    json_array_foreach(runs, i, run) {
        const char *kind = json_string_value(json_object_get(run, "kind"));
        if (kind == NULL || strcmp(kind, "SpatialPooler") != 0) continue;
        run_one(run);
        count++;
    }
    /* The manifest lists twelve SpatialPooler runs; none may go missing. */
    assert_int_equal(count, 12);
    json_decref(m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(all_generated_sp_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
