/*
 * tests/algo/test_classifier.c - the SDR classifier against nupic.core: the
 * same probabilities and actual values at every record, to the bit, on the
 * sp-hotgym trace (tests/data/reference/sdr-classifier) and on the
 * generated scenarios (reference/generated-classifier: step 0, record
 * gaps and repeats, several classes, category updates, learning and
 * inference switched off, late buckets, a large alpha, eight steps);
 * nupic.core's saved states equal ours and continue exactly; round trips
 * keep every field, byte and following output; bad parameters, arguments
 * and states are refused with messages naming the field.
 */
#include "test_support.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nupic/classifier.h>
#include <nupic/params.h>

/* ------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------ */

/* Splits a buffer into NUL-terminated lines (in place); *n receives their
 * number (a final newline ends the last line). */
static char **split_lines(ts_buf *b, uint32_t *n) {
    uint32_t cap = 1024, k = 0;
    char **lines = malloc(cap * sizeof *lines);
    assert_non_null(lines);
    char *p = (char *)b->data, *end = p + b->len;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (nl == NULL) nl = end;
        *nl = '\0';
        if (k == cap) lines = realloc(lines, (cap *= 2) * sizeof *lines);
        lines[k++] = p;
        p = nl + 1;
    }
    *n = k;
    return lines;
}

/* "%.17g" values separated by spaces. */
static void format_values(char *out, size_t size, const double *v, size_t n) {
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && used < size; i++)
        used += (size_t)snprintf(out + used, size - used, "%s%.17g",
                                 i ? " " : "", v[i]);
    assert_true(used < size);
}

static nupic_classifier *new_classifier(const uint32_t *steps, uint32_t n,
                                        double alpha, double act_alpha) {
    nupic_classifier_params p;
    nupic_classifier_params_default(&p);
    memcpy(p.steps, steps, n * sizeof *steps);
    p.num_steps = n;
    p.alpha = alpha;
    p.act_value_alpha = act_alpha;
    nupic_classifier *c;
    nupic_error err = {NUPIC_OK, ""};
    if (nupic_classifier_new(&p, &c, &err) != NUPIC_OK)
        fail_msg("new: %s", err.message);
    return c;
}

static void write_mem(const nupic_classifier *c, bool unpacked, ts_buf *out) {
    nupic_save_options o = {unpacked};
    void *buf;
    size_t len;
    nupic_error err = {NUPIC_OK, ""};
    if (nupic_classifier_write_to_mem(c, &o, &buf, &len, &err) != NUPIC_OK)
        fail_msg("write: %s", err.message);
    out->data = buf;
    out->len = len;
}

static nupic_classifier *read_mem(const ts_buf *b) {
    nupic_classifier *c;
    nupic_error err = {NUPIC_OK, ""};
    if (nupic_classifier_read_from_mem(b->data, b->len, NULL, &c, &err) !=
        NUPIC_OK)
        fail_msg("read: %s", err.message);
    return c;
}

/* `capnp decode` with NuPIC's schema prints the same text for both. */
static void same_decoded_text(const nupic_classifier *ours,
                              const ts_buf *theirs) {
    const char *schema_dir = getenv("NUPIC_SCHEMA_DIR");
    assert_non_null(schema_dir);
    ts_buf bytes;
    write_mem(ours, true, &bytes);
    ts_write_file("ours.capnp", bytes.data, bytes.len);
    ts_write_file("theirs.capnp", theirs->data, theirs->len);
    char args[4096];
    snprintf(args, sizeof args,
             "decode -I '%s' '%s/nupic/proto/SdrClassifier.capnp' "
             "SdrClassifierProto",
             schema_dir, schema_dir);
    assert_int_equal(ts_capnp(args, "ours.capnp", "ours.txt"), 0);
    assert_int_equal(ts_capnp(args, "theirs.capnp", "theirs.txt"), 0);
    ts_buf a = ts_read_file("ours.txt"), b = ts_read_file("theirs.txt");
    assert_true(a.len > 100);
    ts_assert_bytes_equal(a.data, a.len, b.data, b.len);
    ts_buf_free(&a);
    ts_buf_free(&b);
    ts_buf_free(&bytes);
}

/* ------------------------------------------------------------------------
 * sp-hotgym: steps {1, 5}, bucket (k-1) mod 50, value bucket * 2.5 + 1
 * ------------------------------------------------------------------------ */

typedef struct hotgym {
    ts_sdrs patterns;
    ts_buf bufs[3];
    char **lines[3]; /* probs_step1, probs_step5, actual_values */
} hotgym;

static void hotgym_load(hotgym *h) {
    ts_buf in = ts_read_data("reference/sp-hotgym/sp_seq_active.txt.xz");
    h->patterns = ts_parse_sdrs(&in);
    ts_buf_free(&in);
    const char *files[3] = {"reference/sdr-classifier/probs_step1.txt.xz",
                            "reference/sdr-classifier/probs_step5.txt.xz",
                            "reference/sdr-classifier/actual_values.txt.xz"};
    for (int i = 0; i < 3; i++) {
        uint32_t n;
        h->bufs[i] = ts_read_data(files[i]);
        h->lines[i] = split_lines(&h->bufs[i], &n);
        assert_int_equal(n, 2000);
    }
}

static void hotgym_free(hotgym *h) {
    ts_sdrs_free(&h->patterns);
    for (int i = 0; i < 3; i++) {
        free(h->lines[i]);
        ts_buf_free(&h->bufs[i]);
    }
}

static void hotgym_run(nupic_classifier *c, const hotgym *h, uint32_t from,
                       uint32_t to) {
    static char got[1 << 16];
    for (uint32_t t = from; t < to; t++) {
        uint32_t bucket = t % 50;
        double value = bucket * 2.5 + 1.0;
        const uint32_t *pat = h->patterns.idx + h->patterns.start[t];
        size_t n = h->patterns.start[t + 1] - h->patterns.start[t];
        nupic_error err = {NUPIC_OK, ""};
        if (nupic_classifier_compute(c, t, pat, n, &bucket, &value, 1, false,
                                     true, true, &err) != NUPIC_OK)
            fail_msg("step %u: %s", t + 1, err.message);
        const uint32_t steps[2] = {1, 5};
        for (int i = 0; i < 3; i++) {
            size_t len;
            const double *v =
                i < 2 ? nupic_classifier_probabilities(c, steps[i], &len)
                      : nupic_classifier_actual_values(c, &len);
            assert_non_null(v);
            format_values(got, sizeof got, v, len);
            if (strcmp(got, h->lines[i][t]) != 0)
                fail_msg("step %u, %s: got\n%s\nnupic.core:\n%s", t + 1,
                         i < 2 ? (i ? "probs_step5" : "probs_step1")
                               : "actual_values",
                         got, h->lines[i][t]);
        }
    }
}

static void hotgym_2000_steps(void **state) {
    (void)state;
    hotgym h;
    hotgym_load(&h);
    const uint32_t steps[2] = {5, 1};
    nupic_classifier *c = new_classifier(steps, 2, 0.001, 0.3);
    hotgym_run(c, &h, 0, 2000);
    assert_int_equal(nupic_classifier_max_bucket_idx(c), 49);
    assert_int_equal(nupic_classifier_history_len(c), 6);
    nupic_classifier_free(c);
    hotgym_free(&h);
}

static void hotgym_resume_from_nupic_core(void **state) {
    (void)state;
    hotgym h;
    hotgym_load(&h);
    ts_buf bytes =
        ts_read_data("reference/sdr-classifier/state_step1000.capnp.xz");
    nupic_classifier *theirs = read_mem(&bytes);
    const uint32_t steps[2] = {1, 5};
    nupic_classifier *ours = new_classifier(steps, 2, 0.001, 0.3);
    hotgym_run(ours, &h, 0, 1000);
    char diff[256];
    if (!nupic_classifier_equal(ours, theirs, diff, sizeof diff))
        fail_msg("state after step 1000 differs from nupic.core's: %s", diff);
    same_decoded_text(ours, &bytes);
    hotgym_run(theirs, &h, 1000, 2000);
    nupic_classifier_free(theirs);
    nupic_classifier_free(ours);
    ts_buf_free(&bytes);
    hotgym_free(&h);
}

/* ------------------------------------------------------------------------
 * Generated scenarios (reference/generated-classifier/README.md)
 * ------------------------------------------------------------------------ */

typedef struct rec {
    uint32_t record, n, nclasses;
    bool learn, infer, category;
    uint32_t *pattern, *buckets;
    double *values;
} rec;

typedef struct scenario {
    char name[16];
    uint32_t steps[NUPIC_CLASSIFIER_MAX_STEPS], nsteps, state_at;
    double alpha, act_alpha;
    rec *recs;
    uint32_t nrecs;
    ts_buf script, outputs;
    char **out_lines;
    uint32_t nout;
} scenario;

static void parse_record(rec *r, char *line) {
    char *p = line + 2, *e;
    r->record = (uint32_t)strtoul(p, &e, 10);
    r->learn = strtol(e, &e, 10) != 0;
    r->infer = strtol(e, &e, 10) != 0;
    r->category = strtol(e, &e, 10) != 0;
    char *pat = strchr(e, ';') + 1, *cls = strchr(pat, ';') + 1;
    size_t cap = strlen(pat) / 2 + 1;
    r->pattern = malloc(cap * sizeof *r->pattern);
    r->buckets = malloc(cap * sizeof *r->buckets);
    r->values = malloc(cap * sizeof *r->values);
    r->n = r->nclasses = 0;
    for (p = pat; p < cls - 1;) {
        unsigned long v = strtoul(p, &e, 10);
        if (e == p) break;
        r->pattern[r->n++] = (uint32_t)v;
        p = e;
    }
    for (p = cls;;) {
        unsigned long b = strtoul(p, &e, 10);
        if (e == p || *e != ':') break;
        r->buckets[r->nclasses] = (uint32_t)b;
        r->values[r->nclasses++] = strtod(e + 1, &p);
    }
}

static void scenario_load(scenario *s, const char *name, uint32_t state_at) {
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", name);
    s->state_at = state_at;
    char path[256];
    snprintf(path, sizeof path,
             "reference/generated-classifier/%s/script.txt.xz", name);
    s->script = ts_read_data(path);
    uint32_t n;
    char **lines = split_lines(&s->script, &n);
    s->recs = calloc(n, sizeof *s->recs);
    for (uint32_t i = 0; i < n; i++) {
        char *l = lines[i], *e;
        if (strncmp(l, "steps ", 6) == 0) {
            for (char *p = l + 6;; p = e) {
                unsigned long v = strtoul(p, &e, 10);
                if (e == p) break;
                s->steps[s->nsteps++] = (uint32_t)v;
            }
        } else if (strncmp(l, "alpha ", 6) == 0) {
            s->alpha = strtod(l + 6, NULL);
        } else if (strncmp(l, "actValueAlpha ", 14) == 0) {
            s->act_alpha = strtod(l + 14, NULL);
        } else if (l[0] == 'R') {
            parse_record(&s->recs[s->nrecs++], l);
        }
    }
    free(lines);
    snprintf(path, sizeof path,
             "reference/generated-classifier/%s/outputs.txt.xz", name);
    s->outputs = ts_read_data(path);
    s->out_lines = split_lines(&s->outputs, &s->nout);
}

static void scenario_free(scenario *s) {
    for (uint32_t i = 0; i < s->nrecs; i++) {
        free(s->recs[i].pattern);
        free(s->recs[i].buckets);
        free(s->recs[i].values);
    }
    free(s->recs);
    free(s->out_lines);
    ts_buf_free(&s->script);
    ts_buf_free(&s->outputs);
}

/* The output line where record k's lines start. */
static uint32_t first_line(const scenario *s, uint32_t k) {
    uint32_t i = 0;
    while (i < s->nout && strtoul(s->out_lines[i], NULL, 10) < k)
        i++;
    return i;
}

/* Runs records [from, to) (0-based) and checks their output lines:
 * "k -1 n actual..." then "k step n probabilities..." per step. */
static void scenario_run(nupic_classifier *c, const scenario *s, uint32_t from,
                         uint32_t to) {
    static char got[1 << 16];
    uint32_t line = first_line(s, from + 1);
    uint32_t sorted[NUPIC_CLASSIFIER_MAX_STEPS];
    nupic_classifier_params p;
    nupic_classifier_get_params(c, &p);
    memcpy(sorted, p.steps, sizeof sorted);
    for (uint32_t t = from; t < to; t++) {
        const rec *r = &s->recs[t];
        nupic_error err = {NUPIC_OK, ""};
        if (nupic_classifier_compute(c, r->record, r->pattern, r->n, r->buckets,
                                     r->values, r->nclasses, r->category,
                                     r->learn, r->infer, &err) != NUPIC_OK)
            fail_msg("%s record %u: %s", s->name, t + 1, err.message);
        if (!r->infer) continue;
        for (uint32_t k = 0; k <= p.num_steps; k++) {
            size_t n;
            const double *v =
                k == 0 ? nupic_classifier_actual_values(c, &n)
                       : nupic_classifier_probabilities(c, sorted[k - 1], &n);
            assert_non_null(v);
            int used = snprintf(got, sizeof got, "%u %d %zu ", t + 1,
                                k == 0 ? -1 : (int)sorted[k - 1], n);
            format_values(got + used, sizeof got - (size_t)used, v, n);
            assert_true(line < s->nout);
            if (strcmp(got, s->out_lines[line]) != 0)
                fail_msg("%s: got\n%s\nnupic.core:\n%s", s->name, got,
                         s->out_lines[line]);
            line++;
        }
    }
    if (to == s->nrecs) assert_int_equal(line, s->nout);
}

static nupic_classifier *scenario_new(const scenario *s) {
    return new_classifier(s->steps, s->nsteps, s->alpha, s->act_alpha);
}

static const struct {
    const char *name;
    uint32_t state_at;
} scenarios[] = {{"mixed", 200}, {"fast", 150}, {"many", 100}};

static void generated_scenarios(void **state) {
    (void)state;
    for (size_t i = 0; i < 3; i++) {
        scenario s;
        scenario_load(&s, scenarios[i].name, scenarios[i].state_at);
        nupic_classifier *c = scenario_new(&s);
        scenario_run(c, &s, 0, s.nrecs);
        nupic_classifier_free(c);

        char path[256];
        snprintf(path, sizeof path,
                 "reference/generated-classifier/%s/state_step%u.capnp.xz",
                 s.name, s.state_at);
        ts_buf bytes = ts_read_data(path);
        nupic_classifier *theirs = read_mem(&bytes);
        nupic_classifier *ours = scenario_new(&s);
        scenario_run(ours, &s, 0, s.state_at);
        char diff[256];
        if (!nupic_classifier_equal(ours, theirs, diff, sizeof diff))
            fail_msg("%s: state after record %u differs from nupic.core's: %s",
                     s.name, s.state_at, diff);
        same_decoded_text(ours, &bytes);
        scenario_run(theirs, &s, s.state_at, s.nrecs);
        nupic_classifier_free(theirs);
        nupic_classifier_free(ours);
        ts_buf_free(&bytes);
        scenario_free(&s);
    }
}

/* Round trips at several points of the mixed scenario (fresh, history not
 * yet full, after gaps and repeats, late buckets): equal state, identical
 * bytes when written again, identical following records. */
static void round_trips(void **state) {
    (void)state;
    scenario s;
    scenario_load(&s, "mixed", 0);
    nupic_classifier *c = scenario_new(&s);
    const uint32_t points[] = {0, 1, 3, 50, 119, 120, 261, 399};
    uint32_t done = 0;
    for (size_t i = 0; i < sizeof points / sizeof points[0]; i++) {
        scenario_run(c, &s, done, points[i]);
        done = points[i];
        for (int unpacked = 0; unpacked < 2; unpacked++) {
            ts_buf bytes, again;
            write_mem(c, unpacked, &bytes);
            nupic_classifier *copy = read_mem(&bytes);
            char diff[256];
            if (!nupic_classifier_equal(c, copy, diff, sizeof diff))
                fail_msg("after %u records: %s", done, diff);
            write_mem(copy, unpacked, &again);
            ts_assert_bytes_equal(bytes.data, bytes.len, again.data, again.len);
            uint32_t next = done + 30 < s.nrecs ? done + 30 : s.nrecs;
            scenario_run(copy, &s, done, next);
            nupic_classifier_free(copy);
            ts_buf_free(&bytes);
            ts_buf_free(&again);
        }
    }
    nupic_error err = {NUPIC_OK, ""};
    assert_int_equal(nupic_classifier_save(c, "c.capnp", NULL, &err), NUPIC_OK);
    nupic_classifier *loaded;
    assert_int_equal(nupic_classifier_load("c.capnp", NULL, &loaded, &err),
                     NUPIC_OK);
    assert_true(nupic_classifier_equal(c, loaded, NULL, 0));
    FILE *f = tmpfile();
    assert_non_null(f);
    nupic_save_options unpacked = {true};
    assert_int_equal(nupic_classifier_write_to_file(c, f, &unpacked, &err),
                     NUPIC_OK);
    assert_int_equal(nupic_classifier_write_to_file(c, f, NULL, &err),
                     NUPIC_OK);
    rewind(f);
    nupic_classifier *f1, *f2;
    assert_int_equal(nupic_classifier_read_from_file(f, NULL, &f1, &err),
                     NUPIC_OK);
    assert_int_equal(nupic_classifier_read_from_file(f, NULL, &f2, &err),
                     NUPIC_OK);
    fclose(f);
    assert_true(nupic_classifier_equal(c, f1, NULL, 0));
    assert_true(nupic_classifier_equal(c, f2, NULL, 0));
    scenario_run(f2, &s, done, s.nrecs);
    nupic_classifier_free(f1);
    nupic_classifier_free(f2);
    nupic_classifier_free(loaded);
    nupic_classifier_free(c);
    scenario_free(&s);
}

/* ------------------------------------------------------------------------
 * Parameters and arguments
 * ------------------------------------------------------------------------ */

static nupic_classifier *clone(const nupic_classifier *c) {
    ts_buf b;
    write_mem(c, true, &b);
    nupic_classifier *copy = read_mem(&b);
    ts_buf_free(&b);
    return copy;
}

static void parameters_and_arguments(void **state) {
    (void)state;
    nupic_classifier_params p;
    nupic_classifier_params_default(&p);
    assert_int_equal(p.num_steps, 1);
    assert_int_equal(p.steps[0], 1);
    assert_true(p.alpha == 0.001 && p.act_value_alpha == 0.3);
    struct {
        uint32_t steps[3], n;
        double alpha, act;
        uint32_t verbosity;
        const char *msg;
    } bad[] = {
        {{1}, 0, 0.1, 0.3, 0, "0 steps"},
        {{1, 70000}, 2, 0.1, 0.3, 0, "steps[1] is 70000"},
        {{4, 2, 4}, 3, 0.1, 0.3, 0, "step 4 is given twice"},
        {{1}, 1, NAN, 0.3, 0, "alpha is nan"},
        {{1}, 1, 0.1, INFINITY, 0, "actValueAlpha is inf"},
        {{1}, 1, 0.1, 0.3, 256, "verbosity is 256"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        nupic_classifier_params q;
        nupic_classifier_params_default(&q);
        memcpy(q.steps, bad[i].steps, sizeof bad[i].steps);
        q.num_steps = bad[i].n;
        q.alpha = bad[i].alpha;
        q.act_value_alpha = bad[i].act;
        q.verbosity = bad[i].verbosity;
        nupic_classifier *c = NULL;
        nupic_error err = {NUPIC_OK, ""};
        assert_int_equal(nupic_classifier_new(&q, &c, &err), NUPIC_ERR_PARAM);
        assert_null(c);
        if (strstr(err.message, bad[i].msg) == NULL)
            fail_msg("case %zu: \"%s\"", i, err.message);
    }

    const uint32_t steps[3] = {3, 0, 1};
    nupic_classifier *c = new_classifier(steps, 3, 0.1, 0.3);
    nupic_classifier_params back;
    nupic_classifier_get_params(c, &back);
    assert_int_equal(back.num_steps, 3);
    assert_int_equal(back.steps[0], 0);
    assert_int_equal(back.steps[2], 3);
    size_t n = 7;
    assert_null(nupic_classifier_probabilities(c, 1, &n));
    assert_int_equal(n, 0);
    assert_null(nupic_classifier_actual_values(c, NULL));
    uint32_t pat[3] = {5, 9, 2}, bucket = 4;
    double value = 7.5;
    nupic_error err = {NUPIC_OK, ""};
    assert_int_equal(nupic_classifier_compute(c, 10, pat, 3, &bucket, &value, 1,
                                              false, true, true, &err),
                     NUPIC_OK);
    assert_int_equal(nupic_classifier_max_input_idx(c), 9);
    assert_int_equal(nupic_classifier_max_bucket_idx(c), 4);
    /* Inference came first: one bucket, whose value is 0 (step 0). */
    const double *v = nupic_classifier_actual_values(c, &n);
    assert_int_equal(n, 1);
    assert_true(v[0] == 0.0);
    assert_null(nupic_classifier_probabilities(c, 2, &n));
    double w;
    assert_int_equal(nupic_classifier_get_weight(c, 0, 9, 4, &w), NUPIC_OK);
    assert_true(w > 0);
    assert_int_equal(nupic_classifier_get_weight(c, 2, 9, 4, &w),
                     NUPIC_ERR_ARG);
    assert_int_equal(nupic_classifier_get_weight(c, 0, 10, 4, &w),
                     NUPIC_ERR_ARG);

    /* Refused calls change nothing. */
    nupic_classifier *before = clone(c);
    assert_int_equal(nupic_classifier_compute(c, 9, pat, 3, &bucket, &value, 1,
                                              false, true, true, &err),
                     NUPIC_ERR_ARG);
    assert_non_null(strstr(err.message, "record number 9 is below"));
    nupic_error_clear(&err);
    assert_int_equal(nupic_classifier_compute(c, 11, NULL, 3, &bucket, &value,
                                              1, false, true, true, &err),
                     NUPIC_ERR_ARG);
    nupic_error_clear(&err);
    uint32_t huge = 1u << 30;
    assert_int_equal(nupic_classifier_compute(c, 11, &huge, 1, &bucket, &value,
                                              1, false, true, true, &err),
                     NUPIC_ERR_TOO_LARGE);
    assert_non_null(strstr(err.message, "input index 1073741824"));
    nupic_error_clear(&err);
    /* Both at their largest: 2^32 x 2^32 weights, no 64-bit wrap. */
    uint32_t top = UINT32_MAX;
    assert_int_equal(nupic_classifier_compute(c, 11, &top, 1, &top, &value, 1,
                                              false, true, true, &err),
                     NUPIC_ERR_TOO_LARGE);
    char diff[256];
    if (!nupic_classifier_equal(before, c, diff, sizeof diff))
        fail_msg("a refused call changed the state: %s", diff);
    /* The same record number again learns without a new history entry. */
    uint32_t last = 0;
    assert_true(nupic_classifier_last_record(c, &last));
    assert_int_equal(last, 10);
    assert_int_equal(nupic_classifier_history_len(c), 1);
    assert_int_equal(nupic_classifier_compute(c, 10, pat, 3, &bucket, &value, 1,
                                              false, true, false, &err),
                     NUPIC_OK);
    assert_int_equal(nupic_classifier_history_len(c), 1);
    assert_false(nupic_classifier_equal(before, c, NULL, 0));
    nupic_classifier_free(before);
    nupic_classifier_free(c);
}

static void parameters_from_json(void **state) {
    (void)state;
    nupic_classifier_params p;
    nupic_error err = {NUPIC_OK, ""};
    const char *doc = "{\"steps\": [5, 1], \"alpha\": 0.01, "
                      "\"actValueAlpha\": 0.5, \"verbosity\": 2}";
    assert_int_equal(
        nupic_classifier_params_from_json(doc, strlen(doc), &p, &err),
        NUPIC_OK);
    assert_int_equal(p.num_steps, 2);
    assert_int_equal(p.steps[0], 5);
    assert_int_equal(p.steps[1], 1);
    assert_true(p.alpha == 0.01 && p.act_value_alpha == 0.5);
    assert_int_equal(p.verbosity, 2);
    ts_write_file("params.json", "{\"steps\": 3}", 12);
    assert_int_equal(nupic_classifier_params_load("params.json", &p, &err),
                     NUPIC_OK);
    assert_int_equal(p.num_steps, 1);
    assert_int_equal(p.steps[0], 3);
    assert_true(p.alpha == 0.001);
    struct {
        const char *doc, *msg;
    } bad[] = {
        {"{\"step\": 1}", "unknown SDRClassifier parameter 'step'"},
        {"{\"steps\": [1, 70000]}", "steps[1]: 70000 is out of range"},
        {"{\"steps\": []}", "steps: 0 steps"},
        {"{\"alpha\": \"fast\"}", "alpha: expected a number"},
        {"{\"verbosity\": -1}", "verbosity: -1 is out of range"},
        {"[1]", "expected an object"},
        {"{\"steps\": ", "parameters:1:"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        nupic_error e = {NUPIC_OK, ""};
        assert_int_not_equal(nupic_classifier_params_from_json(
                                 bad[i].doc, strlen(bad[i].doc), &p, &e),
                             NUPIC_OK);
        if (strstr(e.message, bad[i].msg) == NULL)
            fail_msg("%s: \"%s\"", bad[i].doc, e.message);
    }
    nupic_error e = {NUPIC_OK, ""};
    assert_int_equal(nupic_classifier_params_load("missing.json", &p, &e),
                     NUPIC_ERR_IO);
    assert_non_null(strstr(e.message, "missing.json"));
}

/* ------------------------------------------------------------------------
 * The reader refuses inconsistent states
 * ------------------------------------------------------------------------ */

typedef struct parts {
    SdrClassifierProto_B root;
    SdrClassifierProto_StepWeightMatrix_BList wm;
} parts;

typedef void (*mutator)(const parts *p);

/* A consistent state (steps {1, 2}, inputs 0..3, buckets 0..1, two
 * records), changed by m, must fail with a message containing want (or
 * load and run when want is NULL). */
static void expect_refused(mutator m, const char *want) {
    ncp_builder *bld;
    assert_int_equal(ncp_builder_new(NULL, &bld), NCP_OK);
    parts p;
    SdrClassifierProto_B b = p.root = SdrClassifierProto_new_root(bld);
    const uint16_t steps[2] = {1, 2};
    SdrClassifierProto_set_steps(b, steps, 2);
    SdrClassifierProto_set_alpha(b, 0.1);
    SdrClassifierProto_set_actValueAlpha(b, 0.3);
    SdrClassifierProto_set_maxSteps(b, 3);
    ncp_blist pats = SdrClassifierProto_init_patternNZHistory(b, 2);
    const uint32_t p0[2] = {0, 3}, p1[1] = {2};
    ncp_bptr_init_list_from(ncp_blist_ptr(&pats, 0), NCP_ELEM_4BYTES, 2, p0);
    ncp_bptr_init_list_from(ncp_blist_ptr(&pats, 1), NCP_ELEM_4BYTES, 1, p1);
    const uint32_t recs[2] = {4, 6};
    SdrClassifierProto_set_recordNumHistory(b, recs, 2);
    SdrClassifierProto_set_maxBucketIdx(b, 1);
    SdrClassifierProto_set_maxInputIdx(b, 3);
    p.wm = SdrClassifierProto_init_weightMatrix(b, 2);
    for (uint32_t k = 0; k < 2; k++) {
        SdrClassifierProto_StepWeightMatrix_B e =
            SdrClassifierProto_StepWeightMatrix_BList_get(p.wm, k);
        SdrClassifierProto_StepWeightMatrix_set_steps(e, k + 1);
        double w[8] = {0.5, -0.5, 0, 0, 0.25, 0, 0, 0.125};
        SdrClassifierProto_StepWeightMatrix_set_weight(e, w, 8);
    }
    const double av[2] = {1.5, 0};
    const bool as[2] = {true, false};
    SdrClassifierProto_set_actualValues(b, av, 2);
    SdrClassifierProto_set_actualValuesSet(b, as, 2);
    SdrClassifierProto_set_version(b, 1);
    if (m) m(&p);
    ts_buf bytes = ts_write_mem(bld, 0);
    nupic_classifier *c = NULL;
    nupic_error err = {NUPIC_OK, ""};
    nupic_status st =
        nupic_classifier_read_from_mem(bytes.data, bytes.len, NULL, &c, &err);
    if (want == NULL) {
        if (st != NUPIC_OK) fail_msg("refused: %s", err.message);
        uint32_t pat = 1, bucket = 1;
        double value = 2;
        assert_int_equal(nupic_classifier_compute(c, 7, &pat, 1, &bucket,
                                                  &value, 1, false, true, true,
                                                  &err),
                         NUPIC_OK);
        size_t n;
        const double *a = nupic_classifier_actual_values(c, &n);
        assert_int_equal(n, 2);
        assert_true(a[0] == 1.5 && a[1] == 2);
        nupic_classifier_free(c);
    } else {
        assert_int_equal(st, NUPIC_ERR_FORMAT);
        assert_null(c);
        if (strstr(err.message, want) == NULL)
            fail_msg("expected \"%s\" in \"%s\"", want, err.message);
    }
    ts_buf_free(&bytes);
    ncp_builder_free(bld);
}

static void m_no_steps(const parts *p) {
    SdrClassifierProto_set_steps(p->root, NULL, 0);
}
static void m_steps_order(const parts *p) {
    const uint16_t s[2] = {2, 1};
    SdrClassifierProto_set_steps(p->root, s, 2);
}
static void m_max_steps(const parts *p) {
    SdrClassifierProto_set_maxSteps(p->root, 7);
}
static void m_alpha(const parts *p) {
    SdrClassifierProto_set_alpha(p->root, NAN);
}
static void m_version(const parts *p) {
    SdrClassifierProto_set_version(p->root, 2);
}
static void m_records(const parts *p) {
    const uint32_t r[1] = {4};
    SdrClassifierProto_set_recordNumHistory(p->root, r, 1);
}
static void m_records_order(const parts *p) {
    const uint32_t r[2] = {6, 6};
    SdrClassifierProto_set_recordNumHistory(p->root, r, 2);
}
static void m_history_long(const parts *p) {
    ncp_blist pats = SdrClassifierProto_init_patternNZHistory(p->root, 4);
    (void)pats;
    const uint32_t r[4] = {1, 2, 3, 4};
    SdrClassifierProto_set_recordNumHistory(p->root, r, 4);
}
static void m_pattern(const parts *p) {
    SdrClassifierProto_set_maxInputIdx(p->root, 2);
}
static void m_matrices(const parts *p) {
    SdrClassifierProto_init_weightMatrix(p->root, 1);
}
static void m_matrix_step(const parts *p) {
    SdrClassifierProto_StepWeightMatrix_set_steps(
        SdrClassifierProto_StepWeightMatrix_BList_get(p->wm, 1), 3);
}
static void m_weights(const parts *p) {
    double w[12] = {0};
    SdrClassifierProto_StepWeightMatrix_set_weight(
        SdrClassifierProto_StepWeightMatrix_BList_get(p->wm, 1), w, 12);
}
static void m_huge(const parts *p) {
    SdrClassifierProto_set_maxInputIdx(p->root, 0xffffffffu);
}
static void m_huge_both(const parts *p) {
    SdrClassifierProto_set_maxInputIdx(p->root, 0xffffffffu);
    SdrClassifierProto_set_maxBucketIdx(p->root, 0xffffffffu);
}
static void m_actual(const parts *p) {
    const double av[3] = {0};
    SdrClassifierProto_set_actualValues(p->root, av, 3);
}
static void m_actual_set(const parts *p) {
    const bool as[1] = {true};
    SdrClassifierProto_set_actualValuesSet(p->root, as, 1);
}

static void reader_checks(void **state) {
    (void)state;
    expect_refused(NULL, NULL);
    expect_refused(m_no_steps, "steps: 0 steps");
    expect_refused(m_steps_order, "steps[1] is 1 after 2");
    expect_refused(m_max_steps, "maxSteps is 7, expected");
    expect_refused(m_alpha, "alpha is nan");
    expect_refused(m_version, "version is 2");
    expect_refused(m_records, "patternNZHistory has 2 patterns, "
                              "recordNumHistory 1");
    expect_refused(m_records_order, "recordNumHistory[1] is 6 after 6");
    expect_refused(m_history_long, "4 patterns, more than maxSteps (3)");
    expect_refused(m_pattern, "patternNZHistory[0][1] is 3, above "
                              "maxInputIdx (2)");
    expect_refused(m_matrices, "weightMatrix: 1 matrices");
    expect_refused(m_matrix_step, "weightMatrix[1].steps is 3, expected 2");
    expect_refused(m_weights, "weightMatrix[1].weight: 12 values, expected 4");
    expect_refused(m_huge, "maxInputIdx 4294967295 and maxBucketIdx 1");
    expect_refused(m_huge_both, "4294967296 x 4294967296 weights");
    expect_refused(m_actual, "actualValues: 3 values");
    expect_refused(m_actual_set, "actualValuesSet: 1 values");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parameters_and_arguments),
        cmocka_unit_test(parameters_from_json),
        cmocka_unit_test(hotgym_2000_steps),
        cmocka_unit_test(hotgym_resume_from_nupic_core),
        cmocka_unit_test(generated_scenarios),
        cmocka_unit_test(round_trips),
        cmocka_unit_test(reader_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
