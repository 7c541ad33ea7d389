/*
 * tests/algo/test_likelihood.c - the anomaly likelihood against NuPIC's
 * Python AnomalyLikelihood (tests/data/likelihood, see its README): the
 * same likelihood and log-likelihood at every record, to the bit, in four
 * configurations; NuPIC's saved states equal ours and continue exactly;
 * round trips keep every field, byte and following output; the reader
 * refuses inconsistent states with messages naming the field.
 */
#include "test_support.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nupic/anomaly.h>
#include <nupic/params.h>

/* ------------------------------------------------------------------------
 * Reference data
 * ------------------------------------------------------------------------ */

typedef struct config {
    char name[32];
    nupic_likelihood_params params;
    uint32_t records, state_at;
    double *value, *score;
    char **expected; /* one "likelihood log" line per record */
    ts_buf inputs, outputs;
} config;

static uint32_t param_value(const char *text, const char *key) {
    const char *p = strstr(text, key);
    if (p == NULL) fail_msg("params.txt: no %s", key);
    return (uint32_t)strtoul(p + strlen(key) + 1, NULL, 10);
}

/* Splits a buffer into NUL-terminated lines (in place). */
static char **split_lines(ts_buf *b, uint32_t want) {
    char **lines = calloc(want + 1, sizeof *lines);
    assert_non_null(lines);
    char *p = (char *)b->data, *end = p + b->len;
    uint32_t n = 0;
    while (p < end && n < want + 1) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (nl == NULL) nl = end;
        *nl = '\0';
        lines[n++] = p;
        p = nl + 1;
    }
    assert_int_equal(n, want);
    return lines;
}

static void load_config(config *c, const char *name) {
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "%s", name);
    char path[256];
    snprintf(path, sizeof path, "likelihood/%s/params.txt", name);
    ts_buf p = ts_read_data(path);
    char *text = calloc(p.len + 1, 1);
    memcpy(text, p.data, p.len);
    c->params.learning_period = param_value(text, "learningPeriod");
    c->params.estimation_samples = param_value(text, "estimationSamples");
    c->params.historic_window_size = param_value(text, "historicWindowSize");
    c->params.reestimation_period = param_value(text, "reestimationPeriod");
    c->records = param_value(text, "records");
    c->state_at = param_value(text, "state");
    free(text);
    ts_buf_free(&p);
    snprintf(path, sizeof path, "likelihood/%s/inputs.txt.xz", name);
    c->inputs = ts_read_data(path);
    char **in = split_lines(&c->inputs, c->records);
    c->value = malloc(c->records * sizeof *c->value);
    c->score = malloc(c->records * sizeof *c->score);
    for (uint32_t i = 0; i < c->records; i++) {
        char *e;
        c->value[i] = strtod(in[i], &e);
        c->score[i] = strtod(e, NULL);
    }
    free(in);
    snprintf(path, sizeof path, "likelihood/%s/likelihood.txt.xz", name);
    c->outputs = ts_read_data(path);
    c->expected = split_lines(&c->outputs, c->records);
}

static void free_config(config *c) {
    free(c->value);
    free(c->score);
    free(c->expected);
    ts_buf_free(&c->inputs);
    ts_buf_free(&c->outputs);
}

/* Feeds records [from, to) and checks each output line. */
static void run_and_check(nupic_likelihood *l, const config *c, uint32_t from,
                          uint32_t to) {
    for (uint32_t t = from; t < to; t++) {
        double lik;
        nupic_error err = {NUPIC_OK, ""};
        if (nupic_likelihood_compute(l, c->value[t], c->score[t], &lik, &err) !=
            NUPIC_OK)
            fail_msg("%s record %u: %s", c->name, t + 1, err.message);
        char got[80];
        snprintf(got, sizeof got, "%.17g %.17g", lik,
                 nupic_likelihood_log(lik));
        if (strcmp(got, c->expected[t]) != 0)
            fail_msg("%s record %u: got \"%s\", NuPIC \"%s\"", c->name, t + 1,
                     got, c->expected[t]);
    }
}

static nupic_likelihood *fresh(const config *c) {
    nupic_likelihood *l;
    nupic_error err = {NUPIC_OK, ""};
    if (nupic_likelihood_new(&c->params, &l, &err) != NUPIC_OK)
        fail_msg("%s: %s", c->name, err.message);
    return l;
}

static const char *const configs[] = {"default", "long", "small", "nullskip"};

/* Every record of every configuration equals NuPIC's, to the bit. */
static void matches_nupic(void **state) {
    (void)state;
    for (size_t i = 0; i < 4; i++) {
        config c;
        load_config(&c, configs[i]);
        nupic_likelihood *l = fresh(&c);
        run_and_check(l, &c, 0, c.records);
        assert_int_equal(nupic_likelihood_iteration(l), c.records);
        nupic_likelihood_free(l);
        free_config(&c);
    }
}

static void write_mem(const nupic_likelihood *l, bool unpacked, ts_buf *out) {
    nupic_save_options o = {unpacked};
    void *buf;
    size_t len;
    nupic_error err = {NUPIC_OK, ""};
    if (nupic_likelihood_write_to_mem(l, &o, &buf, &len, &err) != NUPIC_OK)
        fail_msg("write: %s", err.message);
    out->data = buf;
    out->len = len;
}

static nupic_likelihood *read_mem(const ts_buf *b) {
    nupic_likelihood *l;
    nupic_error err = {NUPIC_OK, ""};
    if (nupic_likelihood_read_from_mem(b->data, b->len, NULL, &l, &err) !=
        NUPIC_OK)
        fail_msg("read: %s", err.message);
    return l;
}

/* NuPIC's state (written by its own write()) equals ours after the same
 * records and continues exactly; `capnp decode` prints the same text for
 * our message as for NuPIC's. */
static void resumes_from_nupic(void **state) {
    (void)state;
    const char *schema_dir = getenv("NUPIC_SCHEMA_DIR");
    assert_non_null(schema_dir);
    for (size_t i = 0; i < 4; i++) {
        config c;
        load_config(&c, configs[i]);
        char path[256];
        snprintf(path, sizeof path, "likelihood/%s/state_%u.capnp%s", c.name,
                 c.state_at, c.state_at >= 3000 ? ".xz" : "");
        ts_buf theirs_bytes = ts_read_data(path);
        nupic_likelihood *theirs = read_mem(&theirs_bytes);
        nupic_likelihood *ours = fresh(&c);
        run_and_check(ours, &c, 0, c.state_at);
        char diff[256];
        if (!nupic_likelihood_equal(ours, theirs, diff, sizeof diff))
            fail_msg("%s: state after %u records differs from NuPIC's: %s",
                     c.name, c.state_at, diff);
        ts_buf ours_bytes;
        write_mem(ours, true, &ours_bytes);
        ts_write_file("ours.capnp", ours_bytes.data, ours_bytes.len);
        ts_write_file("theirs.capnp", theirs_bytes.data, theirs_bytes.len);
        char args[4096];
        snprintf(
            args, sizeof args,
            "decode -I '%s' '%s/nupic/algorithms/anomaly_likelihood.capnp' "
            "AnomalyLikelihoodProto",
            schema_dir, schema_dir);
        assert_int_equal(ts_capnp(args, "ours.capnp", "ours.txt"), 0);
        assert_int_equal(ts_capnp(args, "theirs.capnp", "theirs.txt"), 0);
        ts_buf a = ts_read_file("ours.txt"), b = ts_read_file("theirs.txt");
        ts_assert_bytes_equal(a.data, a.len, b.data, b.len);
        ts_buf_free(&a);
        ts_buf_free(&b);
        run_and_check(theirs, &c, c.state_at, c.records);
        nupic_likelihood_free(theirs);
        nupic_likelihood_free(ours);
        ts_buf_free(&theirs_bytes);
        ts_buf_free(&ours_bytes);
        free_config(&c);
    }
}

/* Round trips at many points of the small configuration (probation,
 * first estimate, full window, flat span): equal state, identical bytes
 * when written again, identical following records. */
static void round_trips(void **state) {
    (void)state;
    config c;
    load_config(&c, "small");
    nupic_likelihood *l = fresh(&c);
    const uint32_t points[] = {0,   1,   34,  35,   36,   41,  119,
                               120, 121, 500, 2150, 2299, 4000};
    uint32_t done = 0;
    for (size_t i = 0; i < sizeof points / sizeof points[0]; i++) {
        run_and_check(l, &c, done, points[i]);
        done = points[i];
        for (int unpacked = 0; unpacked < 2; unpacked++) {
            ts_buf bytes, again;
            write_mem(l, unpacked, &bytes);
            nupic_likelihood *copy = read_mem(&bytes);
            char diff[256];
            if (!nupic_likelihood_equal(l, copy, diff, sizeof diff))
                fail_msg("after %u records: %s", done, diff);
            write_mem(copy, unpacked, &again);
            ts_assert_bytes_equal(bytes.data, bytes.len, again.data, again.len);
            uint32_t next = done + 60 < c.records ? done + 60 : c.records;
            run_and_check(copy, &c, done, next);
            nupic_likelihood_free(copy);
            ts_buf_free(&bytes);
            ts_buf_free(&again);
        }
    }
    /* Files and paths. */
    nupic_error err = {NUPIC_OK, ""};
    assert_int_equal(nupic_likelihood_save(l, "l.capnp", NULL, &err), NUPIC_OK);
    nupic_likelihood *loaded;
    assert_int_equal(nupic_likelihood_load("l.capnp", NULL, &loaded, &err),
                     NUPIC_OK);
    assert_true(nupic_likelihood_equal(l, loaded, NULL, 0));
    FILE *f = tmpfile();
    assert_non_null(f);
    nupic_save_options unpacked = {true};
    assert_int_equal(nupic_likelihood_write_to_file(l, f, &unpacked, &err),
                     NUPIC_OK);
    assert_int_equal(nupic_likelihood_write_to_file(l, f, NULL, &err),
                     NUPIC_OK);
    rewind(f);
    nupic_likelihood *f1, *f2;
    assert_int_equal(nupic_likelihood_read_from_file(f, NULL, &f1, &err),
                     NUPIC_OK);
    assert_int_equal(nupic_likelihood_read_from_file(f, NULL, &f2, &err),
                     NUPIC_OK);
    fclose(f);
    assert_true(nupic_likelihood_equal(l, f1, NULL, 0));
    assert_true(nupic_likelihood_equal(l, f2, NULL, 0));
    run_and_check(f2, &c, done, c.records);
    nupic_likelihood_free(f1);
    nupic_likelihood_free(f2);
    nupic_likelihood_free(loaded);
    nupic_likelihood_free(l);
    free_config(&c);
}

static void parameters(void **state) {
    (void)state;
    nupic_likelihood_params p;
    nupic_likelihood_params_default(&p);
    assert_int_equal(p.learning_period, 288);
    assert_int_equal(p.estimation_samples, 100);
    assert_int_equal(p.historic_window_size, 8640);
    assert_int_equal(p.reestimation_period, 100);
    struct {
        uint32_t lp, es, hw, rp;
        const char *msg;
    } bad[] = {
        {0, 0, 10, 1, "both 0"},
        {1, 20, 10, 1, "estimationSamples (20) exceeds historicWindowSize"},
        {1, 0, 0, 1, "historicWindowSize is 0"},
        {1, 1, 10, 0, "reestimationPeriod is 0"},
        {UINT32_MAX, 1, 10, 1, "exceeds 2^32-1"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        nupic_likelihood_params q = {bad[i].lp, bad[i].es, bad[i].hw,
                                     bad[i].rp};
        nupic_likelihood *l = (nupic_likelihood *)&q;
        nupic_error err = {NUPIC_OK, ""};
        assert_int_equal(nupic_likelihood_new(&q, &l, &err), NUPIC_ERR_PARAM);
        assert_null(l);
        if (strstr(err.message, bad[i].msg) == NULL)
            fail_msg("case %zu: \"%s\"", i, err.message);
    }
    nupic_likelihood *l;
    nupic_error err = {NUPIC_OK, ""};
    assert_int_equal(nupic_likelihood_new(&p, &l, &err), NUPIC_OK);
    nupic_likelihood_params back;
    nupic_likelihood_get_params(l, &back);
    assert_memory_equal(&back, &p, sizeof p);
    assert_false(nupic_likelihood_distribution(l, NULL, NULL, NULL));
    /* Non-finite inputs are refused and change nothing. */
    double lik = 42;
    assert_int_equal(nupic_likelihood_compute(l, NAN, 0.5, &lik, &err),
                     NUPIC_ERR_ARG);
    assert_int_equal(nupic_likelihood_compute(l, 1.0, INFINITY, &lik, NULL),
                     NUPIC_ERR_ARG);
    assert_true(lik == 42);
    assert_int_equal(nupic_likelihood_iteration(l), 0);
    assert_int_equal(nupic_likelihood_compute(l, 1.0, 0.5, &lik, NULL),
                     NUPIC_OK);
    assert_true(lik == 0.5);
    nupic_likelihood_free(l);
    /* NuPIC's log scale. */
    char s[64];
    snprintf(s, sizeof s, "%.17g", nupic_likelihood_log(0.5));
    assert_string_equal(s, "0.030102999665883399");
    assert_true(nupic_likelihood_log(0.0) < 1e-9);
}

static void parameters_from_json(void **state) {
    (void)state;
    nupic_likelihood_params p;
    nupic_error err = {NUPIC_OK, ""};
    const char *doc = "{\"learningPeriod\": 10, \"estimationSamples\": 5, "
                      "\"historicWindowSize\": 50, "
                      "\"reestimationPeriod\": 2}";
    assert_int_equal(
        nupic_likelihood_params_from_json(doc, strlen(doc), &p, &err),
        NUPIC_OK);
    assert_int_equal(p.learning_period, 10);
    assert_int_equal(p.estimation_samples, 5);
    assert_int_equal(p.historic_window_size, 50);
    assert_int_equal(p.reestimation_period, 2);
    /* NuPIC's deprecated name wins over the new one; null is absent. */
    const char *cla = "{\"claLearningPeriod\": 7, \"learningPeriod\": 3}";
    assert_int_equal(
        nupic_likelihood_params_from_json(cla, strlen(cla), &p, &err),
        NUPIC_OK);
    assert_int_equal(p.learning_period, 7);
    ts_write_file("params.json", "{\"claLearningPeriod\": null}", 27);
    assert_int_equal(nupic_likelihood_params_load("params.json", &p, &err),
                     NUPIC_OK);
    assert_int_equal(p.learning_period, 288);
    struct {
        const char *doc, *msg;
    } bad[] = {
        {"{\"window\": 1}", "unknown AnomalyLikelihood parameter 'window'"},
        {"{\"learningPeriod\": -1}", "learningPeriod: -1 is out of range"},
        {"{\"reestimationPeriod\": 1.5}", "expected an integer"},
        {"[3]", "expected an object"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        nupic_error e = {NUPIC_OK, ""};
        assert_int_not_equal(nupic_likelihood_params_from_json(
                                 bad[i].doc, strlen(bad[i].doc), &p, &e),
                             NUPIC_OK);
        if (strstr(e.message, bad[i].msg) == NULL)
            fail_msg("%s: \"%s\"", bad[i].doc, e.message);
    }
}

/* ------------------------------------------------------------------------
 * The reader refuses inconsistent states
 * ------------------------------------------------------------------------ */

typedef struct parts {
    AnomalyLikelihoodProto_B root;
    AnomalyLikelihoodProto_Score_BList scores;
    AnomalyLikelihoodProto_Distribution_B dist;
    AnomalyLikelihoodProto_Distribution_MovingAverage_B ma;
} parts;

typedef void (*mutator)(const parts *p);

/* A consistent state (iteration 5, probation 3, a distribution), changed by
 * m, must fail with a message containing want (or load and run when want
 * is NULL). */
static void expect_refused(mutator m, const char *want) {
    ncp_builder *bld;
    assert_int_equal(ncp_builder_new(NULL, &bld), NCP_OK);
    parts p;
    AnomalyLikelihoodProto_B b = p.root = AnomalyLikelihoodProto_new_root(bld);
    AnomalyLikelihoodProto_set_iteration(b, 5);
    p.scores = AnomalyLikelihoodProto_init_historicalScores(b, 4);
    for (uint32_t i = 0; i < 4; i++) {
        AnomalyLikelihoodProto_Score_B s =
            AnomalyLikelihoodProto_Score_BList_get(p.scores, i);
        AnomalyLikelihoodProto_Score_set_value(s, i);
        AnomalyLikelihoodProto_Score_set_anomalyScore(s, 0.25);
    }
    p.dist = AnomalyLikelihoodProto_init_distribution(b);
    AnomalyLikelihoodProto_Distribution_set_name(p.dist, "normal", 6);
    AnomalyLikelihoodProto_Distribution_set_mean(p.dist, 0.5);
    AnomalyLikelihoodProto_Distribution_set_variance(p.dist, 1e6);
    AnomalyLikelihoodProto_Distribution_set_stdev(p.dist, 1e3);
    p.ma = AnomalyLikelihoodProto_Distribution_init_movingAverage(p.dist);
    AnomalyLikelihoodProto_Distribution_MovingAverage_set_windowSize(p.ma, 10);
    double hv[3] = {0.25, 0.25, 0.25};
    AnomalyLikelihoodProto_Distribution_MovingAverage_set_historicalValues(
        p.ma, hv, 3);
    AnomalyLikelihoodProto_Distribution_MovingAverage_set_total(p.ma, 0.75);
    double hl[2] = {0.4, 0.4};
    AnomalyLikelihoodProto_Distribution_set_historicalLikelihoods(p.dist, hl,
                                                                  2);
    AnomalyLikelihoodProto_set_probationaryPeriod(b, 3);
    AnomalyLikelihoodProto_set_learningPeriod(b, 1);
    AnomalyLikelihoodProto_set_reestimationPeriod(b, 2);
    AnomalyLikelihoodProto_set_historicWindowSize(b, 4);
    if (m) m(&p);
    ts_buf bytes = ts_write_mem(bld, 0);
    nupic_likelihood *l = NULL;
    nupic_error err = {NUPIC_OK, ""};
    nupic_status st =
        nupic_likelihood_read_from_mem(bytes.data, bytes.len, NULL, &l, &err);
    if (want == NULL) {
        if (st != NUPIC_OK) fail_msg("refused: %s", err.message);
        double lik;
        assert_int_equal(nupic_likelihood_compute(l, 1, 0.5, &lik, NULL),
                         NUPIC_OK);
        nupic_likelihood_free(l);
    } else {
        assert_int_equal(st, NUPIC_ERR_FORMAT);
        assert_null(l);
        if (strstr(err.message, want) == NULL)
            fail_msg("expected \"%s\" in \"%s\"", want, err.message);
    }
    ts_buf_free(&bytes);
    ncp_builder_free(bld);
}

static void m_iteration(const parts *p) {
    AnomalyLikelihoodProto_set_iteration(p->root, 3);
}
static void m_probation(const parts *p) {
    AnomalyLikelihoodProto_set_probationaryPeriod(p->root, 0);
}
static void m_learning(const parts *p) {
    AnomalyLikelihoodProto_set_learningPeriod(p->root, 4);
}
static void m_window(const parts *p) {
    AnomalyLikelihoodProto_set_historicWindowSize(p->root, 0);
}
static void m_window_small(const parts *p) {
    AnomalyLikelihoodProto_set_learningPeriod(p->root, 0);
    AnomalyLikelihoodProto_set_historicWindowSize(p->root, 2);
}
static void m_reestimation(const parts *p) {
    AnomalyLikelihoodProto_set_reestimationPeriod(p->root, 0);
}
static void m_nan_score(const parts *p) {
    AnomalyLikelihoodProto_Score_set_anomalyScore(
        AnomalyLikelihoodProto_Score_BList_get(p->scores, 2), NAN);
}
static void m_name(const parts *p) {
    AnomalyLikelihoodProto_Distribution_set_name(p->dist, "cauchy", 6);
}
static void m_no_dist(const parts *p) {
    AnomalyLikelihoodProto_Distribution_set_name(p->dist, "", 0);
}
static void m_early_dist(const parts *p) {
    AnomalyLikelihoodProto_set_probationaryPeriod(p->root, 5);
}
static void m_stdev(const parts *p) {
    AnomalyLikelihoodProto_Distribution_set_stdev(p->dist, 0);
}
static void m_mean(const parts *p) {
    AnomalyLikelihoodProto_Distribution_set_mean(p->dist, INFINITY);
}
static void m_ma_window(const parts *p) {
    AnomalyLikelihoodProto_Distribution_MovingAverage_set_windowSize(p->ma, 11);
}
static void m_ma_values(const parts *p) {
    double v[11] = {0};
    AnomalyLikelihoodProto_Distribution_MovingAverage_set_historicalValues(
        p->ma, v, 11);
}
static void m_ma_total(const parts *p) {
    AnomalyLikelihoodProto_Distribution_MovingAverage_set_total(p->ma, NAN);
}
static void m_likelihoods(const parts *p) {
    AnomalyLikelihoodProto_Distribution_set_historicalLikelihoods(p->dist, NULL,
                                                                  0);
}

static void reader_checks(void **state) {
    (void)state;
    expect_refused(NULL, NULL);
    expect_refused(m_iteration, "historicalScores: 4 scores, expected 3");
    expect_refused(m_probation, "probationaryPeriod is 0");
    expect_refused(m_learning, "below learningPeriod");
    expect_refused(m_window, "historicWindowSize is 0");
    expect_refused(m_window_small, "below estimationSamples");
    expect_refused(m_reestimation, "reestimationPeriod is 0");
    expect_refused(m_nan_score, "historicalScores[2]");
    expect_refused(m_name, "distribution.name is \"cauchy\"");
    expect_refused(m_no_dist, "distribution: absent");
    expect_refused(m_early_dist, "distribution: present");
    expect_refused(m_stdev, "distribution.stdev is 0");
    expect_refused(m_mean, "distribution: mean inf");
    expect_refused(m_ma_window, "movingAverage.windowSize is 11");
    expect_refused(m_ma_values, "movingAverage.historicalValues: 11 values");
    expect_refused(m_ma_total, "movingAverage.total is nan");
    expect_refused(m_likelihoods, "historicalLikelihoods: 0 values");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parameters),    cmocka_unit_test(parameters_from_json),
        cmocka_unit_test(matches_nupic), cmocka_unit_test(resumes_from_nupic),
        cmocka_unit_test(round_trips),   cmocka_unit_test(reader_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
