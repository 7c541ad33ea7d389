/*
 * tests/algo/test_model.c - the OPF model (nupic/model.h) and its network:
 * the anomaly preset on hotgym, params errors naming their key, save and
 * load at several records continuing bit for bit, identical bytes when a
 * restored model is written again, checkpoints that survive a full disk, a
 * read-only file system, a kill during save and a corrupted file, and a
 * prediction model with the classifier.
 */
#define _GNU_SOURCE /* unshare, mount */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>

#include <cmocka.h>

#include "test_support.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include <nupic/model.h>

/* ---- the hotgym records ------------------------------------------------- */

typedef struct record {
    nupic_datetime t;
    double value;
} record;

static record *g_records;
static size_t g_n;

/* "7/2/10 0:00,21.2" lines after NuPIC's three header lines. */
static int load_hotgym(void **state) {
    (void)state;
    ts_buf b = ts_read_data("hotgym/rec-center-hourly.csv");
    char *text = malloc(b.len + 1);
    assert_non_null(text);
    memcpy(text, b.data, b.len);
    text[b.len] = '\0';
    ts_buf_free(&b);
    g_records = calloc(5000, sizeof *g_records);
    assert_non_null(g_records);
    int line = 0;
    for (char *s = strtok(text, "\n"); s; s = strtok(NULL, "\n")) {
        if (++line <= 3) continue;
        record *r = &g_records[g_n];
        int mo, d, y, h, mi;
        double v;
        if (sscanf(s, "%d/%d/%d %d:%d,%lf", &mo, &d, &y, &h, &mi, &v) != 6)
            fail_msg("hotgym line %d: %s", line, s);
        r->t = (nupic_datetime){2000 + y, mo, d, h, mi, 0, 0};
        r->value = v;
        if (++g_n == 5000) break;
    }
    free(text);
    assert_int_equal(g_n, 4391);
    return 0;
}

static int free_hotgym(void **state) {
    (void)state;
    free(g_records);
    return 0;
}

static nupic_model *preset(const char *tm) {
    nupic_anomaly_preset p = {0.0, 100.0, 0, tm};
    nupic_model *m = NULL;
    nupic_error err = {0};
    nupic_status st = nupic_model_new_anomaly_preset(&p, &m, &err);
    if (st != NUPIC_OK) fail_msg("preset: %s", err.message);
    return m;
}

/* Runs records [from, to) of hotgym; results into res[from..to) if not
 * NULL. */
static void run(nupic_model *m, size_t from, size_t to,
                nupic_model_result *res) {
    uint32_t ft = UINT32_MAX, fv = UINT32_MAX;
    for (uint32_t i = 0; i < nupic_model_num_fields(m); i++) {
        if (strcmp(nupic_model_field_name(m, i), "c0") == 0) ft = i;
        if (strcmp(nupic_model_field_name(m, i), "c1") == 0) fv = i;
    }
    assert_int_equal(nupic_model_num_fields(m), 2);
    assert_true(ft < 2 && fv < 2);
    for (size_t k = from; k < to; k++) {
        nupic_value v[2];
        v[ft].kind = NUPIC_VALUE_DATETIME;
        v[ft].u.datetime = g_records[k].t;
        v[fv].kind = NUPIC_VALUE_NUMBER;
        v[fv].u.number = g_records[k].value;
        nupic_model_result r;
        nupic_error err = {0};
        if (nupic_model_run(m, v, &r, &err) != NUPIC_OK)
            fail_msg("record %zu: %s", k, err.message);
        assert_int_equal(r.record, k);
        if (res) res[k] = r;
    }
}

static void assert_same_results(const nupic_model_result *a,
                                const nupic_model_result *b, size_t from,
                                size_t to) {
    for (size_t k = from; k < to; k++)
        if (memcmp(&a[k], &b[k], sizeof a[k]) != 0)
            fail_msg("record %zu: raw %.17g/%.17g likelihood %.17g/%.17g", k,
                     a[k].raw_anomaly, b[k].raw_anomaly, a[k].likelihood,
                     b[k].likelihood);
}

static void *to_mem(const nupic_model *m, size_t *len, bool unpacked) {
    void *buf = NULL;
    nupic_error err = {0};
    nupic_save_options o = {unpacked};
    if (nupic_model_write_to_mem(m, &o, &buf, len, &err) != NUPIC_OK)
        fail_msg("write: %s", err.message);
    return buf;
}

static nupic_model *from_mem(const void *buf, size_t len) {
    nupic_model *m = NULL;
    nupic_error err = {0};
    if (nupic_model_read_from_mem(buf, len, NULL, &m, &err) != NUPIC_OK)
        fail_msg("read: %s", err.message);
    return m;
}

static nupic_model_result *results(void) {
    nupic_model_result *r = calloc(g_n, sizeof *r);
    assert_non_null(r);
    return r;
}

/* ---- the anomaly preset ------------------------------------------------- */

/* The whole file: scores in range, NuPIC's first score (nothing predicted
 * yet) and probationary period, and determinism. */
static void test_preset_hotgym(void **state) {
    (void)state;
    nupic_model *a = preset("tm_cpp"), *b = preset("tm_cpp");
    nupic_model_result *ra = results(), *rb = results();
    run(a, 0, g_n, ra);
    run(b, 0, g_n, rb);
    assert_same_results(ra, rb, 0, g_n);
    assert_true(ra[0].has_anomaly);
    assert_true(ra[0].raw_anomaly == 1.0);
    /* learningPeriod 288 + estimationSamples 100 records of 0.5. */
    for (size_t k = 0; k < 388; k++)
        assert_true(ra[k].likelihood == 0.5);
    bool below_one = false, above_half = false;
    double raw_sum = 0;
    for (size_t k = 0; k < g_n; k++) {
        assert_true(ra[k].raw_anomaly >= 0 && ra[k].raw_anomaly <= 1);
        /* A float32 value of (n - hits) / n with n = 40. */
        assert_true(ra[k].raw_anomaly == (double)(float)ra[k].raw_anomaly);
        double x = ra[k].raw_anomaly * 40;
        assert_true(fabs(x - round(x)) < 1e-4);
        assert_true(ra[k].likelihood >= 0 && ra[k].likelihood <= 1);
        assert_true(isfinite(ra[k].log_likelihood));
        if (ra[k].raw_anomaly < 1) below_one = true;
        if (k >= 388 && ra[k].likelihood != 0.5) above_half = true;
        raw_sum += ra[k].raw_anomaly;
        assert_int_equal(ra[k].n_steps, 0); /* no classifier */
    }
    assert_true(below_one);
    assert_true(above_half);
    /* It learns: the mean raw score of the last 1000 records is well below
     * that of the first 100. */
    double first = 0, last = 0;
    for (size_t k = 0; k < 100; k++)
        first += ra[k].raw_anomaly;
    for (size_t k = g_n - 1000; k < g_n; k++)
        last += ra[k].raw_anomaly;
    assert_true(last / 1000 < 0.5 * (first / 100));
    (void)raw_sum;
    assert_int_equal(nupic_model_records(a), g_n);
    char diff[256];
    assert_true(nupic_model_equal(a, b, diff, sizeof diff));
    free(ra);
    free(rb);
    nupic_model_free(a);
    nupic_model_free(b);
}

/* Saved after record N and restored, the model continues exactly as the one
 * never saved; written again, it gives the same bytes. */
static void test_save_load_continuation(void **state) {
    (void)state;
    const size_t points[] = {1, 389, 1500, 3000};
    nupic_model *ref = preset("tm_cpp");
    nupic_model_result *rr = results();
    run(ref, 0, g_n, rr);
    nupic_model_free(ref);
    for (size_t i = 0; i < sizeof points / sizeof points[0]; i++) {
        size_t n = points[i], stop = n + 400 < g_n ? n + 400 : g_n;
        nupic_model *m = preset("tm_cpp");
        run(m, 0, n, NULL);
        for (int unpacked = 0; unpacked <= 1; unpacked++) {
            size_t len, len2;
            void *buf = to_mem(m, &len, unpacked);
            nupic_model *r = from_mem(buf, len);
            char diff[256] = "";
            if (!nupic_model_equal(m, r, diff, sizeof diff))
                fail_msg("after %zu records: %s", n, diff);
            void *buf2 = to_mem(r, &len2, unpacked);
            ts_assert_bytes_equal(buf, len, buf2, len2);
            free(buf2);
            nupic_model_result *rc = results();
            run(r, n, stop, rc);
            assert_same_results(rr, rc, n, stop);
            free(rc);
            nupic_model_free(r);
            free(buf);
        }
        nupic_model_free(m);
    }
    free(rr);
}

/* The same with the backtracking TM (the preset's default, "cpp"): NuPIC's
 * first score, learning, and save and load continuing bit for bit. */
static void test_cpp_preset(void **state) {
    (void)state;
    const size_t n = 1600, points[] = {1, 700, 1200};
    nupic_model *ref = preset(NULL);
    nupic_model_result *rr = results();
    run(ref, 0, n, rr);
    assert_true(rr[0].raw_anomaly == 1.0);
    double first = 0, last = 0;
    for (size_t k = 0; k < 100; k++)
        first += rr[k].raw_anomaly;
    for (size_t k = n - 300; k < n; k++)
        last += rr[k].raw_anomaly;
    assert_true(last / 300 < 0.5 * (first / 100));
    for (size_t k = 0; k < 388; k++)
        assert_true(rr[k].likelihood == 0.5);
    nupic_model_free(ref);
    for (size_t i = 0; i < sizeof points / sizeof points[0]; i++) {
        size_t at = points[i], stop = at + 400;
        nupic_model *m = preset("cpp");
        run(m, 0, at, NULL);
        size_t len, len2;
        void *buf = to_mem(m, &len, false);
        nupic_model *r = from_mem(buf, len);
        char diff[256] = "";
        if (!nupic_model_equal(m, r, diff, sizeof diff))
            fail_msg("after %zu records: %s", at, diff);
        void *buf2 = to_mem(r, &len2, false);
        ts_assert_bytes_equal(buf, len, buf2, len2);
        nupic_model_result *rc = results();
        run(r, at, stop, rc);
        assert_same_results(rr, rc, at, stop);
        free(rc);
        free(buf);
        free(buf2);
        nupic_model_free(r);
        nupic_model_free(m);
    }
    free(rr);
    /* Learning and inference both off: refused, nothing changed. */
    nupic_model *m = preset("cpp");
    run(m, 0, 5, NULL);
    size_t len;
    void *before = to_mem(m, &len, true);
    nupic_model_enable_learning(m, false);
    nupic_model_enable_inference(m, false);
    nupic_value v[2] = {{.kind = NUPIC_VALUE_MISSING},
                        {.kind = NUPIC_VALUE_MISSING}};
    nupic_model_result res;
    nupic_error err = {0};
    assert_int_equal(nupic_model_run(m, v, &res, &err), NUPIC_ERR_ARG);
    assert_non_null(strstr(err.message, "learning or inference"));
    nupic_model_enable_learning(m, true);
    nupic_model_enable_inference(m, true);
    size_t len2;
    void *after = to_mem(m, &len2, true);
    ts_assert_bytes_equal(before, len, after, len2);
    free(before);
    free(after);
    nupic_model_free(m);
}

/* ---- params ------------------------------------------------------------- */

static void expect_error(const char *json, nupic_status want,
                         const char *message) {
    nupic_model *m = NULL;
    nupic_error err = {0};
    nupic_status st = nupic_model_new_from_json(json, strlen(json), &m, &err);
    assert_null(m);
    if (st != want || strstr(err.message, message) == NULL)
        fail_msg("got %d '%s', expected %d '%s'", st, err.message, want,
                 message);
}

/* The preset's document with, in the object at `path` (keys separated by
 * '.'), key `from` renamed `to` and, if value is not NULL, given the value
 * `value` (JSON). */
static char *preset_json_with(const char *path, const char *from,
                              const char *to, const char *value) {
    nupic_anomaly_preset p = {0.0, 100.0, 0, "tm_cpp"};
    char *json = NULL;
    nupic_error err = {0};
    assert_int_equal(nupic_anomaly_preset_json(&p, &json, &err), NUPIC_OK);
    json_t *doc = json_loads(json, 0, NULL);
    free(json);
    assert_non_null(doc);
    json_t *obj = doc;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *k = strtok(buf, "."); k; k = strtok(NULL, "."))
        assert_non_null(obj = json_object_get(obj, k));
    json_t *v = json_object_get(obj, from);
    assert_non_null(v);
    json_t *nv =
        value ? json_loads(value, JSON_DECODE_ANY, NULL) : json_incref(v);
    assert_non_null(nv);
    json_object_del(obj, from);
    json_object_set_new(obj, to, nv);
    char *out = json_dumps(doc, 0);
    json_decref(doc);
    return out;
}

static void test_params_errors(void **state) {
    (void)state;
    char *j = preset_json_with("modelConfig.modelParams.spParams",
                               "columnCount", "colmnCount", NULL);
    expect_error(j, NUPIC_ERR_PARAM,
                 "modelConfig.modelParams.spParams.colmnCount: unknown "
                 "parameter");
    free(j);
    j = preset_json_with("modelConfig.modelParams", "inferenceType",
                         "inferenceType", "\"Temporal\"");
    expect_error(j, NUPIC_ERR_PARAM,
                 "modelConfig.modelParams.inferenceType: unknown inference "
                 "type 'Temporal'");
    free(j);
    j = preset_json_with("modelConfig.modelParams.spParams", "seed", "seed",
                         "\"42\"");
    expect_error(j, NUPIC_ERR_PARAM,
                 "modelConfig.modelParams.spParams.seed: expected an "
                 "integer, got a string");
    free(j);
    j = preset_json_with("modelConfig.modelParams.tmParams", "minThreshold",
                         "minThresold", NULL);
    expect_error(j, NUPIC_ERR_PARAM,
                 "modelConfig.modelParams.tmParams.minThresold: unknown "
                 "parameter");
    free(j);
    expect_error("{\"modelConfig\": {}, \"extra\": 1}", NUPIC_ERR_PARAM,
                 "extra: unknown parameter");
    expect_error("{\"model\": \"HTMPrediction\", \"version\": 1}",
                 NUPIC_ERR_PARAM, "modelConfig.modelParams: missing");
    expect_error("{", NUPIC_ERR_FORMAT, "params: line");
    j = preset_json_with("modelConfig.modelParams.tmParams", "temporalImp",
                         "temporalImp", "\"py\"");
    expect_error(j, NUPIC_ERR_UNSUPPORTED,
                 "modelConfig.modelParams.tmParams.temporalImp: 'py' is not "
                 "supported");
    free(j);
    nupic_anomaly_preset p = {0.0, 100.0, 0, "tm_py"};
    nupic_model *m = NULL;
    nupic_error err = {0};
    assert_int_equal(nupic_model_new_anomaly_preset(&p, &m, &err),
                     NUPIC_ERR_PARAM);
}

/* The preset derives NuPIC's values: RDSE resolution
 * max(minResolution, (max - min) / 130), equal bounds widened by 1. */
static void test_preset_values(void **state) {
    (void)state;
    struct {
        double lo, hi, minres, want;
    } cases[] = {{0, 130, 0, 1.0},
                 {0, 100, 0, 100.0 / 130},
                 {5, 5, 0, 1.0 / 130},
                 {0, 0.01, 0, 0.001},
                 {0, 0.01, 0.5, 0.5}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        nupic_anomaly_preset p = {cases[i].lo, cases[i].hi, cases[i].minres,
                                  "tm_cpp"};
        char *json = NULL;
        nupic_error err = {0};
        assert_int_equal(nupic_anomaly_preset_json(&p, &json, &err), NUPIC_OK);
        const char *at = strstr(json, "\"resolution\": ");
        assert_non_null(at);
        double got = strtod(at + strlen("\"resolution\": "), NULL);
        if (got != cases[i].want)
            fail_msg("case %zu: resolution %.17g, expected %.17g", i, got,
                     cases[i].want);
        free(json);
    }
}

/* ---- checkpoints -------------------------------------------------------- */

static void scratch_dir(char *buf, size_t size, const char *name) {
    snprintf(buf, size, "model-%s-%ld", name, (long)getpid());
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", buf);
    assert_int_equal(system(cmd), 0);
}

static nupic_model *load_dir(const char *dir) {
    nupic_model *m = NULL;
    nupic_error err = {0};
    if (nupic_model_load(dir, &m, &err) != NUPIC_OK)
        fail_msg("load %s: %s", dir, err.message);
    return m;
}

static void test_checkpoint_dir(void **state) {
    (void)state;
    char dir[256];
    scratch_dir(dir, sizeof dir, "ckpt");
    char sub[300];
    snprintf(sub, sizeof sub, "%s/a/b", dir);
    nupic_model *m = preset("tm_cpp");
    run(m, 0, 600, NULL);
    nupic_error err = {0};
    assert_int_equal(nupic_model_save(m, sub, &err), NUPIC_OK);
    nupic_model *r = load_dir(sub);
    char diff[256] = "";
    if (!nupic_model_equal(m, r, diff, sizeof diff)) fail_msg("%s", diff);
    nupic_model_result *a = results(), *b = results();
    run(m, 600, 800, a);
    run(r, 600, 800, b);
    assert_same_results(a, b, 600, 800);
    /* A second save replaces the first. */
    assert_int_equal(nupic_model_save(m, sub, &err), NUPIC_OK);
    nupic_model *r2 = load_dir(sub);
    assert_int_equal(nupic_model_records(r2), 800);
    /* Loading what is not there names the file. */
    char missing[320];
    snprintf(missing, sizeof missing, "%s/none", dir);
    nupic_model *x = NULL;
    assert_int_equal(nupic_model_load(missing, &x, &err), NUPIC_ERR_IO);
    assert_non_null(strstr(err.message, "none/model.data"));
    free(a);
    free(b);
    nupic_model_free(m);
    nupic_model_free(r);
    nupic_model_free(r2);
}

/* A full disk (a file size limit makes the writes fail): an error, and the
 * previous checkpoint still loads, unchanged. */
static void test_checkpoint_full_disk(void **state) {
    (void)state;
    char dir[256];
    scratch_dir(dir, sizeof dir, "full");
    nupic_model *m = preset("tm_cpp");
    run(m, 0, 300, NULL);
    nupic_error err = {0};
    assert_int_equal(nupic_model_save(m, dir, &err), NUPIC_OK);
    nupic_model *saved = load_dir(dir);
    run(m, 300, 500, NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = {4096, 4096};
        setrlimit(RLIMIT_FSIZE, &rl);
        nupic_error e = {0};
        nupic_status st = nupic_model_save(m, dir, &e);
        _exit(st == NUPIC_ERR_IO && strstr(e.message, "model.data") ? 0 : 1);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    nupic_model *after = load_dir(dir);
    char diff[256] = "";
    if (!nupic_model_equal(saved, after, diff, sizeof diff))
        fail_msg("%s", diff);
    nupic_model_free(m);
    nupic_model_free(saved);
    nupic_model_free(after);
}

/* A read-only file system (a tmpfs remounted read-only, in a mount
 * namespace of a child process): saving gives an I/O error naming the
 * file, and the checkpoint there still loads, unchanged.  Skipped where
 * the process may not mount (the child exits 77). */
static void test_checkpoint_read_only_fs(void **state) {
    (void)state;
    char dir[256];
    scratch_dir(dir, sizeof dir, "rofs");
    assert_int_equal(mkdir(dir, 0755), 0);
    nupic_model *m = preset("tm_cpp");
    run(m, 0, 100, NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (unshare(CLONE_NEWNS) != 0 ||
            mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
            mount("nupic-test", dir, "tmpfs", 0, "size=64m") != 0)
            _exit(77);
        nupic_error e = {0};
        if (nupic_model_save(m, dir, &e) != NUPIC_OK) _exit(2);
        nupic_model *saved = NULL;
        if (nupic_model_load(dir, &saved, &e) != NUPIC_OK) _exit(3);
        if (mount(NULL, dir, NULL, MS_REMOUNT | MS_RDONLY, NULL) != 0)
            _exit(77);
        run(m, 100, 150, NULL);
        memset(&e, 0, sizeof e);
        nupic_status st = nupic_model_save(m, dir, &e);
        if (st != NUPIC_ERR_IO || strstr(e.message, "model.data") == NULL) {
            fprintf(stderr, "read-only save: %d %s\n", st, e.message);
            _exit(4);
        }
        nupic_model *after = NULL;
        if (nupic_model_load(dir, &after, &e) != NUPIC_OK) _exit(5);
        char diff[256];
        if (!nupic_model_equal(saved, after, diff, sizeof diff)) _exit(6);
        _exit(0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    rmdir(dir);
    nupic_model_free(m);
    if (WEXITSTATUS(status) == 77) skip();
    assert_int_equal(WEXITSTATUS(status), 0);
}

/* A read-only place to save (here a "directory" that is a file): an error
 * naming it, nothing changed. */
static void test_checkpoint_not_a_dir(void **state) {
    (void)state;
    char dir[256];
    scratch_dir(dir, sizeof dir, "file");
    FILE *f = fopen(dir, "w");
    assert_non_null(f);
    fputs("not a directory\n", f);
    fclose(f);
    nupic_model *m = preset("tm_cpp");
    run(m, 0, 5, NULL);
    nupic_error err = {0};
    assert_int_equal(nupic_model_save(m, dir, &err), NUPIC_ERR_IO);
    assert_non_null(strstr(err.message, dir));
    ts_buf b = ts_read_file(dir);
    assert_int_equal(b.len, strlen("not a directory\n"));
    ts_buf_free(&b);
    nupic_model_free(m);
}

/* Killed while saving, again and again: the checkpoint always loads, as
 * the model of one save or another. */
static void test_checkpoint_kill(void **state) {
    (void)state;
    char dir[256];
    scratch_dir(dir, sizeof dir, "kill");
    nupic_model *m = preset("tm_cpp");
    run(m, 0, 1000, NULL);
    nupic_error err = {0};
    assert_int_equal(nupic_model_save(m, dir, &err), NUPIC_OK);
    for (int round = 0; round < 8; round++) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            for (;;) {
                nupic_error e = {0};
                if (nupic_model_save(m, dir, &e) != NUPIC_OK) _exit(1);
            }
        }
        struct timespec ts = {0, (long)(3 + 7 * round) * 1000000L};
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFSIGNALED(status));
        nupic_model *r = load_dir(dir);
        char diff[256] = "";
        if (!nupic_model_equal(m, r, diff, sizeof diff)) fail_msg("%s", diff);
        nupic_model_free(r);
    }
    nupic_model_free(m);
}

/* A truncated or corrupted model.data: a clear error or (a flipped value
 * that is still valid) a model; never a crash or a leak. */
static void test_corrupted_file(void **state) {
    (void)state;
    nupic_model *m = preset("tm_cpp");
    run(m, 0, 200, NULL);
    size_t len;
    uint8_t *buf = to_mem(m, &len, true);
    nupic_error err = {0};
    for (size_t cut = 0; cut < len; cut += len / 37 + 1) {
        nupic_model *r = NULL;
        nupic_status st = nupic_model_read_from_mem(buf, cut, NULL, &r, &err);
        assert_int_not_equal(st, NUPIC_OK);
        assert_null(r);
        assert_true(err.message[0] != '\0');
    }
    uint8_t *copy = malloc(len);
    assert_non_null(copy);
    srand(7);
    int errors = 0;
    for (int i = 0; i < 300; i++) {
        memcpy(copy, buf, len);
        size_t at = (size_t)rand() % len;
        copy[at] ^= (uint8_t)(1u << (rand() % 8));
        nupic_model *r = NULL;
        nupic_error e = {0};
        if (nupic_model_read_from_mem(copy, len, NULL, &r, &e) != NUPIC_OK) {
            assert_null(r);
            assert_true(e.message[0] != '\0');
            errors++;
        }
        nupic_model_free(r);
    }
    assert_true(errors > 0);
    free(copy);
    free(buf);
    nupic_model_free(m);
}

/* ---- a prediction model -------------------------------------------------- */

static const char *k_predict =
    "{\"modelConfig\": {\"model\": \"HTMPrediction\", \"version\": 1,"
    " \"modelParams\": {\"inferenceType\": \"TemporalMultiStep\","
    "  \"sensorParams\": {\"verbosity\": 0, \"encoders\": {"
    "   \"timestamp_timeOfDay\": {\"fieldname\": \"timestamp\","
    "     \"name\": \"timestamp\", \"timeOfDay\": [21, 1],"
    "     \"type\": \"DateEncoder\"},"
    "   \"kw\": {\"fieldname\": \"kw\", \"name\": \"kw\", \"clipInput\": true,"
    "     \"maxval\": 100.0, \"minval\": 0.0, \"n\": 50, \"w\": 21,"
    "     \"type\": \"ScalarEncoder\"},"
    "   \"_classifierInput\": {\"classifierOnly\": true,"
    "     \"fieldname\": \"kw\", \"name\": \"_classifierInput\","
    "     \"clipInput\": true, \"maxval\": 100.0, \"minval\": 0.0,"
    "     \"n\": 100, \"w\": 21, \"type\": \"ScalarEncoder\"}}},"
    "  \"spEnable\": true, \"spParams\": {\"columnCount\": 512,"
    "   \"globalInhibition\": 1, \"numActiveColumnsPerInhArea\": 20,"
    "   \"potentialPct\": 0.85, \"seed\": 1956, \"synPermActiveInc\": 0.04,"
    "   \"synPermConnected\": 0.1, \"synPermInactiveDec\": 0.005,"
    "   \"boostStrength\": 3.0},"
    "  \"tmEnable\": true, \"tmParams\": {\"temporalImp\": \"tm_cpp\","
    "   \"columnCount\": 512, \"inputWidth\": 512, \"cellsPerColumn\": 8,"
    "   \"activationThreshold\": 12, \"minThreshold\": 9,"
    "   \"newSynapseCount\": 20, \"initialPerm\": 0.21,"
    "   \"permanenceInc\": 0.1, \"permanenceDec\": 0.1, \"seed\": 1960,"
    "   \"maxSegmentsPerCell\": 64, \"maxSynapsesPerSegment\": 32},"
    "  \"clEnable\": true, \"clParams\": {\"alpha\": 0.1, \"steps\": \"1,5\","
    "   \"regionName\": \"SDRClassifierRegion\", \"verbosity\": 0}}},"
    " \"inferenceArgs\": {\"predictedField\": \"kw\","
    "  \"predictionSteps\": [1, 5]}}";

static void run_predict(nupic_model *m, size_t from, size_t to,
                        nupic_model_result *res) {
    uint32_t ft = 9, fv = 9;
    for (uint32_t i = 0; i < nupic_model_num_fields(m); i++) {
        if (strcmp(nupic_model_field_name(m, i), "timestamp") == 0) ft = i;
        if (strcmp(nupic_model_field_name(m, i), "kw") == 0) fv = i;
    }
    assert_true(ft < 2 && fv < 2);
    for (size_t k = from; k < to; k++) {
        nupic_value v[2];
        v[ft].kind = NUPIC_VALUE_DATETIME;
        v[ft].u.datetime = g_records[k].t;
        v[fv].kind = NUPIC_VALUE_NUMBER;
        v[fv].u.number = g_records[k].value;
        nupic_error err = {0};
        if (nupic_model_run(m, v, &res[k], &err) != NUPIC_OK)
            fail_msg("record %zu: %s", k, err.message);
    }
}

static void test_prediction_model(void **state) {
    (void)state;
    nupic_model *m = NULL;
    nupic_error err = {0};
    if (nupic_model_new_from_json(k_predict, strlen(k_predict), &m, &err) !=
        NUPIC_OK)
        fail_msg("%s", err.message);
    uint32_t pf;
    assert_true(nupic_model_predicted_field(m, &pf));
    assert_string_equal(nupic_model_field_name(m, pf), "kw");
    nupic_model_result *a = results(), *b = results();
    run_predict(m, 0, 600, a);
    size_t len;
    void *buf = to_mem(m, &len, false);
    nupic_model *r = from_mem(buf, len);
    free(buf);
    run_predict(m, 600, 900, a);
    run_predict(r, 600, 900, b);
    assert_same_results(a, b, 600, 900);
    assert_false(a[899].has_anomaly);
    assert_int_equal(a[899].n_steps, 2);
    assert_int_equal(a[899].steps[0], 1);
    assert_int_equal(a[899].steps[1], 5);
    /* After 900 hourly records the one-step prediction is informative:
     * its mean error is below that of predicting the mean of the data. */
    double err_pred = 0, err_mean = 0, mean = 0;
    for (size_t k = 700; k < 899; k++)
        mean += g_records[k + 1].value;
    mean /= 199;
    for (size_t k = 700; k < 899; k++) {
        assert_true(a[k].best_probability[0] > 0 &&
                    a[k].best_probability[0] <= 1);
        err_pred += fabs(a[k].best_value[0] - g_records[k + 1].value);
        err_mean += fabs(mean - g_records[k + 1].value);
    }
    assert_true(err_pred < err_mean);
    /* Inference off: no predictions. */
    nupic_model_enable_inference(m, false);
    run_predict(m, 900, 901, a);
    assert_int_equal(a[900].n_steps, 0);
    free(a);
    free(b);
    nupic_model_free(m);
    nupic_model_free(r);
}

/* Learning off is part of the saved state and continues exactly. */
static void test_learning_off(void **state) {
    (void)state;
    nupic_model *m = preset("tm_cpp"), *r;
    run(m, 0, 300, NULL);
    nupic_model_enable_learning(m, false);
    assert_false(nupic_model_learning(m));
    size_t len;
    void *buf = to_mem(m, &len, false);
    r = from_mem(buf, len);
    free(buf);
    assert_false(nupic_model_learning(r));
    nupic_model_result *a = results(), *b = results();
    run(m, 300, 400, a);
    run(r, 300, 400, b);
    assert_same_results(a, b, 300, 400);
    nupic_model_free(r);
    free(a);
    free(b);
    nupic_model_free(m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_preset_hotgym),
        cmocka_unit_test(test_save_load_continuation),
        cmocka_unit_test(test_cpp_preset),
        cmocka_unit_test(test_params_errors),
        cmocka_unit_test(test_preset_values),
        cmocka_unit_test(test_checkpoint_dir),
        cmocka_unit_test(test_checkpoint_full_disk),
        cmocka_unit_test(test_checkpoint_read_only_fs),
        cmocka_unit_test(test_checkpoint_not_a_dir),
        cmocka_unit_test(test_checkpoint_kill),
        cmocka_unit_test(test_corrupted_file),
        cmocka_unit_test(test_prediction_model),
        cmocka_unit_test(test_learning_off),
    };
    return cmocka_run_group_tests(tests, load_hotgym, free_hotgym);
}
