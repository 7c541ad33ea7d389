/*
 * tests/algo/test_encoders_persist.c - the encoders' durability and
 * errors: round trips that keep the whole state, continue with the same
 * outputs and write the same bytes again; saved data that is wrong in one
 * field at a time (a clear error naming it, nothing leaked); bad values,
 * bad parameters and bad JSON; an RDSE that runs out of buckets.
 */
#include "enc_ref.h"

/* ------------------------------------------------------------------------
 * The hotgym records (from the multi reference file's inputs)
 * ------------------------------------------------------------------------ */

typedef struct hotgym {
    size_t n;
    nupic_datetime *t;
    double *kw;
} hotgym;

static hotgym g_hot;

static int setup(void **state) {
    (void)state;
    ref_file r = ref_load("encoders/multi_hotgym.txt.xz");
    g_hot.n = r.n;
    g_hot.t = calloc(r.n, sizeof *g_hot.t);
    g_hot.kw = calloc(r.n, sizeof *g_hot.kw);
    for (size_t i = 0; i < r.n; i++) {
        char ts[32];
        const char *comma = strchr(r.cases[i].input, ',');
        snprintf(ts, sizeof ts, "%.*s", (int)(comma - r.cases[i].input),
                 r.cases[i].input);
        g_hot.t[i] = ref_hotgym_time(ts);
        g_hot.kw[i] = strtod(comma + 1, NULL);
    }
    ref_free(&r);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    free(g_hot.t);
    free(g_hot.kw);
    return 0;
}

static const char *const days[7] = {"Mon", "Tue", "Wed", "Thu",
                                    "Fri", "Sat", "Sun"};

/* ------------------------------------------------------------------------
 * One interface over the five encoders
 * ------------------------------------------------------------------------ */

typedef enum { K_SCALAR, K_RDSE, K_DATE, K_CATEGORY, K_MULTI } kind;

typedef struct enc {
    kind k;
    void *e;
} enc;

static uint32_t enc_width(enc x) {
    switch (x.k) {
    case K_SCALAR: return nupic_scalar_enc_width(x.e);
    case K_RDSE: return nupic_rdse_width(x.e);
    case K_DATE: return nupic_date_enc_width(x.e);
    case K_CATEGORY: return nupic_category_enc_width(x.e);
    case K_MULTI: return nupic_multi_enc_width(x.e);
    }
    return 0;
}

static void enc_free(enc x) {
    switch (x.k) {
    case K_SCALAR: nupic_scalar_enc_free(x.e); break;
    case K_RDSE: nupic_rdse_free(x.e); break;
    case K_DATE: nupic_date_enc_free(x.e); break;
    case K_CATEGORY: nupic_category_enc_free(x.e); break;
    case K_MULTI: nupic_multi_enc_free(x.e); break;
    }
}

static bool enc_equal(enc a, enc b, char *diff, size_t size) {
    switch (a.k) {
    case K_SCALAR: return nupic_scalar_enc_equal(a.e, b.e, diff, size);
    case K_RDSE: return nupic_rdse_equal(a.e, b.e, diff, size);
    case K_DATE: return nupic_date_enc_equal(a.e, b.e, diff, size);
    case K_CATEGORY: return nupic_category_enc_equal(a.e, b.e, diff, size);
    case K_MULTI: return nupic_multi_enc_equal(a.e, b.e, diff, size);
    }
    return false;
}

/* Record i of hotgym through the encoder (the scalar encoders take the
 * consumption, the date encoders the time, categories the weekday). */
static void enc_record(enc x, size_t i, uint8_t *out) {
    nupic_error err = {NUPIC_OK, ""};
    nupic_status st = NUPIC_OK;
    const nupic_datetime *t = &g_hot.t[i];
    int wd = (int)((i + 4) % 7); /* 2010-07-02 was a Friday */
    switch (x.k) {
    case K_SCALAR:
        st = nupic_scalar_enc_encode(x.e, g_hot.kw[i], out, &err);
        break;
    case K_RDSE: st = nupic_rdse_encode(x.e, g_hot.kw[i] * 3, out, &err); break;
    case K_DATE: st = nupic_date_enc_encode(x.e, t, out, &err); break;
    case K_CATEGORY:
        st = nupic_category_enc_encode(x.e, days[(wd + (int)(i / 24)) % 7], out,
                                       &err);
        break;
    case K_MULTI: {
        nupic_multi_enc *m = x.e;
        nupic_value v[8];
        memset(v, 0, sizeof v);
        for (uint32_t f = 0; f < nupic_multi_enc_num_fields(m); f++) {
            const char *name = nupic_multi_enc_field_name(m, f);
            if (strcmp(name, "timestamp") == 0) {
                v[f].kind = NUPIC_VALUE_DATETIME;
                v[f].u.datetime = *t;
            } else if (strcmp(name, "day") == 0) {
                v[f].kind = NUPIC_VALUE_CATEGORY;
                v[f].u.category = days[(wd + (int)(i / 24)) % 7];
            } else {
                v[f].kind =
                    i % 97 == 5 ? NUPIC_VALUE_MISSING : NUPIC_VALUE_NUMBER;
                v[f].u.number = g_hot.kw[i];
            }
        }
        st = nupic_multi_enc_encode(m, v, out, &err);
        break;
    }
    }
    if (st != NUPIC_OK) fail_msg("record %zu: %s", i, err.message);
}

static nupic_status enc_to_mem(enc x, const nupic_save_options *o, void **buf,
                               size_t *len, nupic_error *err) {
    switch (x.k) {
    case K_SCALAR: return nupic_scalar_enc_write_to_mem(x.e, o, buf, len, err);
    case K_RDSE: return nupic_rdse_write_to_mem(x.e, o, buf, len, err);
    case K_DATE: return nupic_date_enc_write_to_mem(x.e, o, buf, len, err);
    case K_CATEGORY:
        return nupic_category_enc_write_to_mem(x.e, o, buf, len, err);
    case K_MULTI: return nupic_multi_enc_write_to_mem(x.e, o, buf, len, err);
    }
    return NUPIC_ERR_ARG;
}

static nupic_status enc_from_mem(kind k, const void *buf, size_t len, enc *out,
                                 nupic_error *err) {
    out->k = k;
    out->e = NULL;
    switch (k) {
    case K_SCALAR:
        return nupic_scalar_enc_read_from_mem(
            buf, len, NULL, (nupic_scalar_enc **)&out->e, err);
    case K_RDSE:
        return nupic_rdse_read_from_mem(buf, len, NULL, (nupic_rdse **)&out->e,
                                        err);
    case K_DATE:
        return nupic_date_enc_read_from_mem(buf, len, NULL,
                                            (nupic_date_enc **)&out->e, err);
    case K_CATEGORY:
        return nupic_category_enc_read_from_mem(
            buf, len, NULL, (nupic_category_enc **)&out->e, err);
    case K_MULTI:
        return nupic_multi_enc_read_from_mem(buf, len, NULL,
                                             (nupic_multi_enc **)&out->e, err);
    }
    return NUPIC_ERR_ARG;
}

static nupic_status enc_save(enc x, const char *path, nupic_error *err) {
    switch (x.k) {
    case K_SCALAR: return nupic_scalar_enc_save(x.e, path, NULL, err);
    case K_RDSE: return nupic_rdse_save(x.e, path, NULL, err);
    case K_DATE: return nupic_date_enc_save(x.e, path, NULL, err);
    case K_CATEGORY: return nupic_category_enc_save(x.e, path, NULL, err);
    case K_MULTI: return nupic_multi_enc_save(x.e, path, NULL, err);
    }
    return NUPIC_ERR_ARG;
}

static nupic_status enc_load(kind k, const char *path, enc *out,
                             nupic_error *err) {
    out->k = k;
    out->e = NULL;
    switch (k) {
    case K_SCALAR:
        return nupic_scalar_enc_load(path, NULL, (nupic_scalar_enc **)&out->e,
                                     err);
    case K_RDSE:
        return nupic_rdse_load(path, NULL, (nupic_rdse **)&out->e, err);
    case K_DATE:
        return nupic_date_enc_load(path, NULL, (nupic_date_enc **)&out->e, err);
    case K_CATEGORY:
        return nupic_category_enc_load(path, NULL,
                                       (nupic_category_enc **)&out->e, err);
    case K_MULTI:
        return nupic_multi_enc_load(path, NULL, (nupic_multi_enc **)&out->e,
                                    err);
    }
    return NUPIC_ERR_ARG;
}

static nupic_status enc_to_file(enc x, FILE *f, nupic_error *err) {
    switch (x.k) {
    case K_SCALAR: return nupic_scalar_enc_write_to_file(x.e, f, NULL, err);
    case K_RDSE: return nupic_rdse_write_to_file(x.e, f, NULL, err);
    case K_DATE: return nupic_date_enc_write_to_file(x.e, f, NULL, err);
    case K_CATEGORY: return nupic_category_enc_write_to_file(x.e, f, NULL, err);
    case K_MULTI: return nupic_multi_enc_write_to_file(x.e, f, NULL, err);
    }
    return NUPIC_ERR_ARG;
}

static nupic_status enc_from_file(kind k, FILE *f, enc *out, nupic_error *err) {
    out->k = k;
    out->e = NULL;
    switch (k) {
    case K_SCALAR:
        return nupic_scalar_enc_read_from_file(
            f, NULL, (nupic_scalar_enc **)&out->e, err);
    case K_RDSE:
        return nupic_rdse_read_from_file(f, NULL, (nupic_rdse **)&out->e, err);
    case K_DATE:
        return nupic_date_enc_read_from_file(f, NULL,
                                             (nupic_date_enc **)&out->e, err);
    case K_CATEGORY:
        return nupic_category_enc_read_from_file(
            f, NULL, (nupic_category_enc **)&out->e, err);
    case K_MULTI:
        return nupic_multi_enc_read_from_file(f, NULL,
                                              (nupic_multi_enc **)&out->e, err);
    }
    return NUPIC_ERR_ARG;
}

#define OK(call)                                                               \
    do {                                                                       \
        nupic_error e_ = {NUPIC_OK, ""};                                       \
        nupic_error *err = &e_;                                                \
        if ((call) != NUPIC_OK) fail_msg("%s: %s", #call, e_.message);         \
    } while (0)

/* ------------------------------------------------------------------------
 * Round trips
 * ------------------------------------------------------------------------ */

static enc make(kind k, const char *json) {
    enc x = {k, NULL};
    switch (k) {
    case K_SCALAR:
        OK(nupic_scalar_enc_new_from_json(json, strlen(json),
                                          (nupic_scalar_enc **)&x.e, err));
        break;
    case K_RDSE:
        OK(nupic_rdse_new_from_json(json, strlen(json), (nupic_rdse **)&x.e,
                                    err));
        break;
    case K_DATE:
        OK(nupic_date_enc_new_from_json(json, strlen(json),
                                        (nupic_date_enc **)&x.e, err));
        break;
    case K_CATEGORY:
        OK(nupic_category_enc_new_from_json(json, strlen(json),
                                            (nupic_category_enc **)&x.e, err));
        break;
    case K_MULTI:
        OK(nupic_multi_enc_new_from_json(json, strlen(json),
                                         (nupic_multi_enc **)&x.e, err));
        break;
    }
    return x;
}

/* Parameters the schemas hold exactly (Float32 values; a scalar
 * resolution that n gives back). */
static const struct {
    kind k;
    const char *json;
} durable[] = {
    {K_SCALAR, "{\"w\": 21, \"minval\": 0, \"maxval\": 100, \"n\": 120, "
               "\"clipInput\": true}"},
    {K_SCALAR, "{\"w\": 21, \"minval\": 0, \"maxval\": 96, \"resolution\": "
               "0.5, \"clipInput\": true}"},
    {K_SCALAR, "{\"w\": 7, \"minval\": -4, \"maxval\": 100, \"periodic\": "
               "true, \"radius\": 3.25, \"forced\": true, \"name\": \"p\"}"},
    {K_RDSE, "{\"resolution\": 0.5, \"offset\": 40, \"seed\": 7}"},
    {K_RDSE,
     "{\"resolution\": 2, \"w\": 5, \"n\": 31, \"seed\": 3, \"offset\": 0}"},
    {K_DATE, "{\"timeOfDay\": [21, 1], \"weekend\": 21}"},
    {K_DATE, "{\"season\": [21, 30], \"dayOfWeek\": [21, 0.5], \"weekend\": "
             "[21, 1], \"customDays\": [21, [\"sat\", \"Sunday\"]], "
             "\"holiday\": 21, \"timeOfDay\": [21, 2.5], \"name\": \"when\"}"},
    {K_DATE, "{\"customDays\": [3, \"Friday\"], \"holiday\": 7, "
             "\"holidays\": [[12, 25]]}"},
    {K_CATEGORY, "{\"w\": 21, \"categoryList\": [\"Mon\", \"Tue\", \"Wed\", "
                 "\"Thu\", \"Fri\"]}"},
    {K_CATEGORY, "{\"w\": 3, \"categoryList\": [\"Mon\", \"Tue\", \"Wed\", "
                 "\"Thu\", \"Fri\", \"Sat\", \"Sun\", \"Mon\"], \"forced\": "
                 "true, \"allowUnknown\": false, \"name\": \"\"}"},
    {K_MULTI,
     "{\"a\": {\"fieldname\": \"consumption\", \"type\": "
     "\"RandomDistributedScalarEncoder\", \"resolution\": 0.25, \"offset\": 0, "
     "\"n\": 300}, \"b\": {\"fieldname\": \"timestamp\", \"type\": "
     "\"DateEncoder\", \"timeOfDay\": [21, 1]}, \"c\": {\"fieldname\": "
     "\"timestamp\", \"type\": \"DateEncoder\", \"weekend\": 21, \"name\": "
     "\"we\"}, \"d\": {\"fieldname\": \"day\", \"type\": \"CategoryEncoder\", "
     "\"w\": 5, \"categoryList\": [\"Sat\", \"Sun\"], \"forced\": true}, "
     "\"e\": {\"fieldname\": \"consumption\", \"type\": \"ScalarEncoder\", "
     "\"w\": 21, \"minval\": 0, \"maxval\": 64, \"n\": 85, \"clipInput\": "
     "true}}"},
};

/* Runs records [from, to) through both and checks identical outputs. */
static void same_outputs(enc a, enc b, size_t from, size_t to) {
    uint32_t w = enc_width(a);
    assert_int_equal(enc_width(b), w);
    uint8_t *oa = malloc(w), *ob = malloc(w);
    for (size_t i = from; i < to; i++) {
        enc_record(a, i, oa);
        enc_record(b, i, ob);
        if (memcmp(oa, ob, w) != 0) fail_msg("record %zu: outputs differ", i);
    }
    free(oa);
    free(ob);
}

static void check_round_trip(enc x, const char *what) {
    char diff[256];
    for (int packed = 0; packed < 2; packed++) {
        nupic_save_options so = {!packed};
        void *buf = NULL, *buf2 = NULL;
        size_t len = 0, len2 = 0;
        OK(enc_to_mem(x, &so, &buf, &len, err));
        enc y;
        OK(enc_from_mem(x.k, buf, len, &y, err));
        if (!enc_equal(x, y, diff, sizeof diff))
            fail_msg("%s: after a round trip: %s", what, diff);
        OK(enc_to_mem(y, &so, &buf2, &len2, err));
        ts_assert_bytes_equal(buf, len, buf2, len2);
        enc_free(y);
        free(buf);
        free(buf2);
    }
    /* A path and a stream, too. */
    enc y, z;
    OK(enc_save(x, "enc.capnp", err));
    OK(enc_load(x.k, "enc.capnp", &y, err));
    assert_true(enc_equal(x, y, diff, sizeof diff));
    FILE *f = tmpfile();
    assert_non_null(f);
    OK(enc_to_file(x, f, err));
    OK(enc_to_file(x, f, err));
    rewind(f);
    OK(enc_from_file(x.k, f, &z, err));
    assert_true(enc_equal(x, z, diff, sizeof diff));
    enc_free(z);
    OK(enc_from_file(x.k, f, &z, err));
    assert_true(enc_equal(x, z, diff, sizeof diff));
    fclose(f);
    enc_free(z);
    enc_free(y);
}

static void round_trips_are_exact(void **state) {
    (void)state;
    for (size_t c = 0; c < sizeof durable / sizeof *durable; c++) {
        enc x = make(durable[c].k, durable[c].json);
        check_round_trip(x, durable[c].json); /* fresh */
        uint32_t w = enc_width(x);
        uint8_t *out = malloc(w);
        for (size_t i = 0; i < 1500; i++)
            enc_record(x, i, out);
        free(out);
        check_round_trip(x, durable[c].json); /* after 1500 records */
        /* The restored one continues exactly as the original. */
        void *buf = NULL;
        size_t len = 0;
        OK(enc_to_mem(x, NULL, &buf, &len, err));
        enc y;
        OK(enc_from_mem(x.k, buf, len, &y, err));
        free(buf);
        same_outputs(x, y, 1500, g_hot.n);
        char diff[256];
        if (!enc_equal(x, y, diff, sizeof diff))
            fail_msg("%s: after both ran on: %s", durable[c].json, diff);
        enc_free(y);
        enc_free(x);
    }
}

/* NuPIC's schemas hold the RDSE's resolution and offset as Float32;
 * nupic-c also writes them whole (resolutionExact, offsetExact), so even
 * the first round trip of hotgym's RDSE (0.88, offset 21.2) is exact, and
 * a message without the additions (as NuPIC writes it) gives NuPIC's
 * Float32 values. */
static void round_trips_exact_from_the_first(void **state) {
    (void)state;
    enc x = make(K_RDSE, "{\"resolution\": 0.88, \"seed\": 1}");
    uint8_t out[400];
    for (size_t i = 0; i < 1000; i++)
        assert_int_equal(nupic_rdse_encode(x.e, g_hot.kw[i], out, NULL),
                         NUPIC_OK);
    void *buf = NULL, *buf2 = NULL;
    size_t len = 0, len2 = 0;
    OK(enc_to_mem(x, NULL, &buf, &len, err));
    enc y;
    OK(enc_from_mem(K_RDSE, buf, len, &y, err));
    char diff[256];
    if (!enc_equal(x, y, diff, sizeof diff)) fail_msg("%s", diff);
    double off = 0;
    nupic_rdse_params p;
    nupic_rdse_get_params(y.e, &p);
    assert_true(p.resolution == 0.88);
    assert_true(nupic_rdse_offset(y.e, &off) && off == 21.2);
    OK(enc_to_mem(y, NULL, &buf2, &len2, err));
    ts_assert_bytes_equal(buf, len, buf2, len2);
    for (size_t i = 1000; i < g_hot.n; i++) {
        uint8_t a[400], b[400];
        OK(nupic_rdse_encode(x.e, g_hot.kw[i], a, err));
        OK(nupic_rdse_encode(y.e, g_hot.kw[i], b, err));
        assert_memory_equal(a, b, 400);
    }
    if (!enc_equal(x, y, diff, sizeof diff)) fail_msg("%s", diff);
    /* Without the additions: NuPIC's restore. */
    ncp_builder *bld = NULL;
    assert_int_equal(ncp_builder_new(NULL, &bld), NCP_OK);
    RandomDistributedScalarEncoderProto_B rb =
        RandomDistributedScalarEncoderProto_new_root(bld);
    OK(nupic_rdse_write(x.e, rb, err));
    RandomDistributedScalarEncoderProto_set_resolutionExact(rb, 0);
    RandomDistributedScalarEncoderProto_set_offsetExact(rb, 0);
    ts_buf bytes = ts_write_mem(bld, 0);
    ncp_builder_free(bld);
    ncp_msg *m = ts_open(&bytes);
    nupic_rdse *z = NULL;
    OK(nupic_rdse_read(RandomDistributedScalarEncoderProto_read_root(m), &z,
                       err));
    nupic_rdse_get_params(z, &p);
    assert_true(p.resolution == (double)0.88f);
    assert_true(nupic_rdse_offset(z, &off) && off == (double)21.2f);
    nupic_rdse_free(z);
    ncp_msg_free(m);
    ts_buf_free(&bytes);
    free(buf);
    free(buf2);
    enc_free(x);
    enc_free(y);
}

/* ------------------------------------------------------------------------
 * Saved data wrong in one field
 * ------------------------------------------------------------------------ */

typedef void (*mutator)(void *root);

/* Valid encoders the mutators write pieces of. */
static nupic_scalar_enc *g_sc01; /* w 3 over [0, 1], radius 1: n = 6 */

/* Writes x, lets mutate change the root, and reads the result back;
 * expects status and a message holding each of the '|'-separated words
 * (status NUPIC_OK: the mutation keeps it valid). */
static void expect_read(enc x, mutator mutate, nupic_status status,
                        const char *words) {
    ncp_builder *b = NULL;
    assert_int_equal(ncp_builder_new(NULL, &b), NCP_OK);
    nupic_error rerr = {NUPIC_OK, ""};
    ScalarEncoderProto_B sc;
    RandomDistributedScalarEncoderProto_B rd;
    DateEncoderProto_B da;
    CategoryEncoderProto_B ca;
    MultiEncoderProto_B mu;
    void *root = NULL;
    switch (x.k) {
    case K_SCALAR:
        sc = ScalarEncoderProto_new_root(b);
        OK(nupic_scalar_enc_write(x.e, sc, err));
        root = &sc;
        break;
    case K_RDSE:
        rd = RandomDistributedScalarEncoderProto_new_root(b);
        OK(nupic_rdse_write(x.e, rd, err));
        root = &rd;
        break;
    case K_DATE:
        da = DateEncoderProto_new_root(b);
        OK(nupic_date_enc_write(x.e, da, err));
        root = &da;
        break;
    case K_CATEGORY:
        ca = CategoryEncoderProto_new_root(b);
        OK(nupic_category_enc_write(x.e, ca, err));
        root = &ca;
        break;
    case K_MULTI:
        mu = MultiEncoderProto_new_root(b);
        OK(nupic_multi_enc_write(x.e, mu, err));
        root = &mu;
        break;
    }
    if (mutate) mutate(root);
    assert_int_equal(ncp_builder_status(b), NCP_OK);
    ts_buf bytes = ts_write_mem(b, 0);
    ncp_builder_free(b);
    enc y;
    nupic_status st = enc_from_mem(x.k, bytes.data, bytes.len, &y, &rerr);
    ts_buf_free(&bytes);
    if (st != status)
        fail_msg("expected %s ('%s'), got %s: %s", nupic_status_name(status),
                 words, nupic_status_name(st), rerr.message);
    if (status == NUPIC_OK) {
        enc_free(y);
        return;
    }
    assert_null(y.e);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", words);
    for (char *w = buf, *bar; w; w = bar ? bar + 1 : NULL) {
        bar = strchr(w, '|');
        if (bar) *bar = '\0';
        if (strstr(rerr.message, w) == NULL)
            fail_msg("message '%s' lacks '%s'", rerr.message, w);
    }
}

#define SC(r) (*(ScalarEncoderProto_B *)(r))
#define RD(r) (*(RandomDistributedScalarEncoderProto_B *)(r))
#define DA(r) (*(DateEncoderProto_B *)(r))
#define CA(r) (*(CategoryEncoderProto_B *)(r))
#define MU(r) (*(MultiEncoderProto_B *)(r))

static void sc_w_even(void *r) {
    ScalarEncoderProto_set_w(SC(r), 20);
}
static void sc_n_small(void *r) {
    ScalarEncoderProto_set_n(SC(r), 21);
}
static void sc_n_zero(void *r) {
    ScalarEncoderProto_set_n(SC(r), 0);
}
static void sc_n_huge(void *r) {
    ScalarEncoderProto_set_n(SC(r), 1u << 30);
}
static void sc_min_nan(void *r) {
    ScalarEncoderProto_set_minval(SC(r), NAN);
}
static void sc_min_max(void *r) {
    ScalarEncoderProto_set_minval(SC(r), 100);
}
static void sc_name_nul(void *r) {
    ScalarEncoderProto_set_name(SC(r), "ab\0cd", 5);
}

/* The RDSE under test has buckets 499..501 with w = 5, n = 31.  These
 * are valid: below the middle neighbours differ at (i - 1) mod 5 (500 vs
 * 499: position 4), above it at i mod 5 (501 vs 500: position 1). */
static const uint32_t b499[5] = {0, 1, 2, 3, 9}, b500[5] = {0, 1, 2, 3, 4},
                      b501[5] = {0, 7, 2, 3, 4};

static void rd_map(void *r, uint32_t count, const uint32_t *keys,
                   const uint32_t *const *bits, const uint32_t *lens) {
    RandomDistributedScalarEncoderProto_BucketMapping_BList l =
        RandomDistributedScalarEncoderProto_init_bucketMap(RD(r), count);
    for (uint32_t j = 0; j < count; j++) {
        RandomDistributedScalarEncoderProto_BucketMapping_B m =
            RandomDistributedScalarEncoderProto_BucketMapping_BList_get(l, j);
        RandomDistributedScalarEncoderProto_BucketMapping_set_key(m, keys[j]);
        RandomDistributedScalarEncoderProto_BucketMapping_set_value(m, bits[j],
                                                                    lens[j]);
    }
}

static void rd_with(void *r, const uint32_t *a, const uint32_t *b,
                    const uint32_t *c, uint32_t lb) {
    static const uint32_t keys[3] = {499, 500, 501};
    const uint32_t *bits[3] = {a, b, c};
    uint32_t lens[3] = {5, lb, 5};
    rd_map(r, 3, keys, bits, lens);
}

static void rd_good(void *r) {
    rd_with(r, b499, b500, b501, 5);
}
static void rd_reordered(void *r) {
    static const uint32_t keys[3] = {501, 499, 500};
    const uint32_t *bits[3] = {b501, b499, b500};
    uint32_t lens[3] = {5, 5, 5};
    rd_map(r, 3, keys, bits, lens);
}
static void rd_6_bits(void *r) {
    static const uint32_t big[6] = {0, 1, 2, 3, 4, 5};
    rd_with(r, b499, big, b501, 6);
}
static void rd_dup_key(void *r) {
    static const uint32_t keys[3] = {499, 500, 500};
    const uint32_t *bits[3] = {b499, b500, b501};
    uint32_t lens[3] = {5, 5, 5};
    rd_map(r, 3, keys, bits, lens);
}
static void rd_key_out(void *r) {
    static const uint32_t keys[3] = {499, 500, 502};
    const uint32_t *bits[3] = {b499, b500, b501};
    uint32_t lens[3] = {5, 5, 5};
    rd_map(r, 3, keys, bits, lens);
}
static void rd_bit_big(void *r) {
    static const uint32_t bad[5] = {0, 1, 2, 3, 31};
    rd_with(r, b499, bad, b501, 5);
}
static void rd_bit_twice(void *r) {
    static const uint32_t bad[5] = {0, 1, 2, 3, 3};
    rd_with(r, b499, bad, b501, 5);
}
static void rd_not_adjacent(void *r) {
    static const uint32_t bad[5] = {0, 1, 2, 10, 11};
    rd_with(r, bad, b500, b501, 5);
}
static void rd_count(void *r) {
    static const uint32_t keys[2] = {499, 500};
    const uint32_t *bits[2] = {b499, b500};
    uint32_t lens[2] = {5, 5};
    rd_map(r, 2, keys, bits, lens);
}
static void rd_min_high(void *r) {
    RandomDistributedScalarEncoderProto_set_minIndex(RD(r), 501);
}
static void rd_max_high(void *r) {
    RandomDistributedScalarEncoderProto_set_maxIndex(RD(r), 1000);
}
static void rd_w_even(void *r) {
    RandomDistributedScalarEncoderProto_set_w(RD(r), 4);
}
static void rd_n_small(void *r) {
    RandomDistributedScalarEncoderProto_set_n(RD(r), 30);
}
static void rd_res_zero(void *r) {
    RandomDistributedScalarEncoderProto_set_resolution(RD(r), 0);
}
static void rd_offset_inf(void *r) {
    RandomDistributedScalarEncoderProto_offset_set_value(
        RandomDistributedScalarEncoderProto_init_offset(RD(r)), INFINITY);
}
static void rd_offset_tag(void *r) {
    ncp_bstruct_set_u16(&RD(r).s, 18, 7);
}
static void rd_random_short(void *r) {
    RandomProto_B rp = RandomDistributedScalarEncoderProto_init_random(RD(r));
    RandomProto_set_seed(rp, 1);
    int64_t st[30] = {0};
    RandomImplProto_B impl = RandomProto_init_impl(rp);
    RandomImplProto_set_state(impl, st, 30);
    RandomImplProto_set_fptr(impl, 3);
}
static void rd_no_random(void *r) {
    ncp_bptr_set_null(ncp_bstruct_ptr(&RD(r).s, 1));
}
static void rd_map_bytes(void *r) {
    ncp_bptr_set_data(ncp_bstruct_ptr(&RD(r).s, 2), "abcdefgh", 8);
}
static void rd_name_nul(void *r) {
    RandomDistributedScalarEncoderProto_set_name(RD(r), "x\0y", 3);
}

static void da_bad_days(void *r) {
    ScalarEncoderProto_B s = DateEncoderProto_init_customDaysEncoder(DA(r));
    OK(nupic_scalar_enc_write(g_sc01, s, err));
    ScalarEncoderProto_set_name(s, "sat funday", 10);
}
static void da_good_days(void *r) {
    ScalarEncoderProto_B s = DateEncoderProto_init_customDaysEncoder(DA(r));
    OK(nupic_scalar_enc_write(g_sc01, s, err));
    ScalarEncoderProto_set_name(s, "SAT  sunday ", 12);
}
static void da_bad_season(void *r) {
    ScalarEncoderProto_B s = DateEncoderProto_init_seasonEncoder(DA(r));
    OK(nupic_scalar_enc_write(g_sc01, s, err));
    ScalarEncoderProto_set_w(s, 20);
}

/* The category encoder under test: w 3, categories "a", "b". */
static void ca_map(void *r, uint32_t n, const uint32_t *idx,
                   const char *const *names) {
    CategoryEncoderProto_CategoryMapping_BList l =
        CategoryEncoderProto_init_indexToCategory(CA(r), n);
    for (uint32_t j = 0; j < n; j++) {
        CategoryEncoderProto_CategoryMapping_B m =
            CategoryEncoderProto_CategoryMapping_BList_get(l, j);
        CategoryEncoderProto_CategoryMapping_set_index(m, idx[j]);
        CategoryEncoderProto_CategoryMapping_set_category(m, names[j],
                                                          strlen(names[j]));
    }
}
static void ca_zero(void *r) {
    static const uint32_t idx[3] = {0, 1, 2};
    static const char *const names[3] = {"zero", "a", "b"};
    ca_map(r, 3, idx, names);
}
static void ca_repeat(void *r) {
    static const uint32_t idx[3] = {0, 1, 1};
    static const char *const names[3] = {"<UNKNOWN>", "a", "b"};
    ca_map(r, 3, idx, names);
}
static void ca_zero_twice(void *r) {
    static const uint32_t idx[3] = {0, 1, 0};
    static const char *const names[3] = {"<UNKNOWN>", "a", "<UNKNOWN>"};
    ca_map(r, 3, idx, names);
}
static void ca_out(void *r) {
    static const uint32_t idx[3] = {0, 1, 5};
    static const char *const names[3] = {"<UNKNOWN>", "a", "b"};
    ca_map(r, 3, idx, names);
}
static void ca_none(void *r) {
    static const uint32_t idx[1] = {0};
    static const char *const names[1] = {"<UNKNOWN>"};
    ca_map(r, 1, idx, names);
}
static void ca_strict(void *r) { /* no index 0: unknowns not allowed */
    static const uint32_t idx[2] = {2, 1};
    static const char *const names[2] = {"b", "a"};
    ca_map(r, 2, idx, names);
}
static void ca_width(void *r) {
    CategoryEncoderProto_set_width(CA(r), 10);
}
static void ca_encoder(void *r) {
    ScalarEncoderProto_B s = CategoryEncoderProto_init_encoder(CA(r));
    OK(nupic_scalar_enc_write(g_sc01, s, err));
}
static void ca_nul(void *r) {
    CategoryEncoderProto_CategoryMapping_BList l =
        CategoryEncoderProto_init_indexToCategory(CA(r), 3);
    for (uint32_t j = 0; j < 3; j++) {
        CategoryEncoderProto_CategoryMapping_B m =
            CategoryEncoderProto_CategoryMapping_BList_get(l, j);
        CategoryEncoderProto_CategoryMapping_set_index(m, j);
        CategoryEncoderProto_CategoryMapping_set_category(
            m, j == 0 ? "<UNKNOWN>" : "a\0b", j == 0 ? 9 : 3);
    }
}

/* The multi encoder under test: two scalar fields of 6 bits each. */
static void mu_two(void *r, uint32_t second_offset, int second_which) {
    MultiEncoderProto_EncoderUnion_BList l =
        MultiEncoderProto_init_encoders(MU(r), 2);
    for (uint32_t j = 0; j < 2; j++) {
        MultiEncoderProto_EncoderUnion_B u =
            MultiEncoderProto_EncoderUnion_BList_get(l, j);
        if (j == 1 && second_which == 1) {
            MultiEncoderProto_EncoderUnion_init_adaptiveScalarEncoder(u);
        } else {
            ScalarEncoderProto_B s =
                MultiEncoderProto_EncoderUnion_init_scalarEncoder(u);
            OK(nupic_scalar_enc_write(g_sc01, s, err));
            if (j == 1 && second_which == 2) ScalarEncoderProto_set_w(s, 2);
            if (j == 1 && second_which == 3) ncp_bstruct_set_u16(&u.s, 0, 12);
        }
        MultiEncoderProto_EncoderUnion_set_name(u, "f", 1);
        MultiEncoderProto_EncoderUnion_set_offset(u, j ? second_offset : 0);
    }
}
static void mu_good(void *r) {
    mu_two(r, 6, 0);
}
static void mu_offset(void *r) {
    mu_two(r, 5, 0);
}
static void mu_adaptive(void *r) {
    mu_two(r, 6, 1);
}
static void mu_nested(void *r) {
    mu_two(r, 6, 2);
}
static void mu_tag(void *r) {
    mu_two(r, 6, 3);
}

static void bad_saved_data(void **state) {
    (void)state;
    nupic_scalar_enc_params sp;
    nupic_scalar_enc_params_default(&sp);
    sp.w = 3;
    sp.maxval = 1;
    sp.radius = 1;
    sp.forced = true;
    OK(nupic_scalar_enc_new(&sp, &g_sc01, err));
    assert_int_equal(nupic_scalar_enc_width(g_sc01), 6);

    enc sc = make(K_SCALAR, "{\"w\": 21, \"minval\": 0, \"maxval\": 100, "
                            "\"n\": 120}");
    expect_read(sc, NULL, NUPIC_OK, "");
    expect_read(sc, sc_w_even, NUPIC_ERR_FORMAT, "ScalarEncoderProto|w = 20");
    expect_read(sc, sc_n_small, NUPIC_ERR_FORMAT, "n = 21 must exceed w = 21");
    expect_read(sc, sc_n_zero, NUPIC_ERR_FORMAT, "ScalarEncoderProto.n: 0");
    expect_read(sc, sc_n_huge, NUPIC_ERR_FORMAT, "n = 1073741824 exceeds");
    expect_read(sc, sc_min_nan, NUPIC_ERR_FORMAT, "must be finite");
    expect_read(sc, sc_min_max, NUPIC_ERR_FORMAT,
                "minval 100.0 is greater than or equal to maxval 100.0");
    expect_read(sc, sc_name_nul, NUPIC_ERR_FORMAT,
                "ScalarEncoderProto.name: the text holds a NUL byte at 2");
    enc_free(sc);

    enc rd = make(K_RDSE, "{\"resolution\": 1, \"w\": 5, \"n\": 31, "
                          "\"offset\": 0, \"seed\": 3}");
    uint8_t out[31];
    for (int v = -1; v <= 1; v++)
        OK(nupic_rdse_encode(rd.e, v, out, err));
    expect_read(rd, NULL, NUPIC_OK, "");
    expect_read(rd, rd_good, NUPIC_OK, "");
    expect_read(rd, rd_reordered, NUPIC_OK, "");
    const char *P = "RandomDistributedScalarEncoderProto";
    (void)P;
    expect_read(rd, rd_6_bits, NUPIC_ERR_FORMAT,
                "RandomDistributedScalarEncoderProto.bucketMap: bucket 500 has "
                "6 bits, expected w = 5");
    expect_read(rd, rd_dup_key, NUPIC_ERR_FORMAT,
                "bucketMap[2]: bucket 500 appears twice");
    expect_read(
        rd, rd_key_out, NUPIC_ERR_FORMAT,
        "bucketMap[2]: key 502 is outside minIndex 499 to maxIndex 501");
    expect_read(rd, rd_bit_big, NUPIC_ERR_FORMAT,
                "bucket 500 bit 4 is 31, not below n = 31");
    expect_read(rd, rd_bit_twice, NUPIC_ERR_FORMAT,
                "bucket 500 holds bit 3 twice");
    expect_read(rd, rd_not_adjacent, NUPIC_ERR_FORMAT,
                "buckets 499 and 500 must differ exactly at position 4 (they "
                "differ at 3)");
    expect_read(rd, rd_count, NUPIC_ERR_FORMAT,
                "bucketMap: 2 buckets, expected 3 (minIndex 499 to maxIndex "
                "501)");
    expect_read(rd, rd_min_high, NUPIC_ERR_FORMAT,
                "minIndex 501 and maxIndex 501 must enclose bucket 500");
    expect_read(rd, rd_max_high, NUPIC_ERR_FORMAT, "maxIndex 1000");
    expect_read(rd, rd_w_even, NUPIC_ERR_FORMAT, "w = 4: it must be an odd");
    expect_read(rd, rd_n_small, NUPIC_ERR_FORMAT,
                "n = 30: it must be strictly greater than 6 * w = 30");
    expect_read(rd, rd_res_zero, NUPIC_ERR_FORMAT, "resolution 0");
    expect_read(rd, rd_offset_inf, NUPIC_ERR_FORMAT,
                "RandomDistributedScalarEncoderProto.offset.value: inf is not "
                "finite");
    expect_read(rd, rd_offset_tag, NUPIC_ERR_FORMAT,
                "offset: unknown member 7");
    expect_read(rd, rd_random_short, NUPIC_ERR_FORMAT,
                "RandomImplProto.state: 30 words, expected 31");
    expect_read(rd, rd_no_random, NUPIC_ERR_FORMAT,
                "RandomDistributedScalarEncoderProto.random: absent");
    expect_read(rd, rd_map_bytes, NUPIC_ERR_FORMAT, "bucketMap");
    expect_read(rd, rd_name_nul, NUPIC_ERR_FORMAT,
                "name: the text holds a NUL");
    enc_free(rd);

    enc da = make(K_DATE, "{\"timeOfDay\": [21, 1], \"weekend\": 21}");
    expect_read(da, NULL, NUPIC_OK, "");
    expect_read(da, da_good_days, NUPIC_OK, "");
    expect_read(
        da, da_bad_days, NUPIC_ERR_FORMAT,
        "DateEncoderProto.customDaysEncoder.name: 'sat funday' does not "
        "name days of the week");
    expect_read(da, da_bad_season, NUPIC_ERR_FORMAT,
                "DateEncoderProto.seasonEncoder: w = 20");
    enc_free(da);

    enc ca = make(K_CATEGORY, "{\"w\": 3, \"categoryList\": [\"a\", \"b\"], "
                              "\"forced\": true}");
    expect_read(ca, NULL, NUPIC_OK, "");
    expect_read(ca, ca_strict, NUPIC_OK, "");
    expect_read(ca, ca_zero, NUPIC_ERR_FORMAT,
                "CategoryEncoderProto.indexToCategory[0]: index 0 must be "
                "'<UNKNOWN>'");
    expect_read(ca, ca_repeat, NUPIC_ERR_FORMAT,
                "indexToCategory[2]: index 1 is repeated");
    expect_read(ca, ca_zero_twice, NUPIC_ERR_FORMAT, "index 0 appears twice");
    expect_read(ca, ca_out, NUPIC_ERR_FORMAT,
                "indexToCategory[2]: index 5 is out of range");
    expect_read(ca, ca_none, NUPIC_ERR_FORMAT,
                "CategoryEncoderProto.indexToCategory: no categories");
    expect_read(ca, ca_width, NUPIC_ERR_FORMAT,
                "width 10 and encoder (w 3, n 9, [0, 2]) do not encode 2 "
                "categories");
    expect_read(ca, ca_encoder, NUPIC_ERR_FORMAT, "do not encode 2 categories");
    expect_read(ca, ca_nul, NUPIC_ERR_FORMAT,
                "indexToCategory[1].category: the text holds a NUL byte");
    enc_free(ca);

    enc mu = make(K_MULTI, "{}");
    expect_read(mu, NULL, NUPIC_OK, "");
    expect_read(mu, mu_good, NUPIC_OK, "");
    expect_read(mu, mu_offset, NUPIC_ERR_FORMAT,
                "MultiEncoderProto.encoders[1].offset: 5, expected 6");
    expect_read(mu, mu_adaptive, NUPIC_ERR_UNSUPPORTED,
                "MultiEncoderProto.encoders[1].adaptiveScalarEncoder: nupic-c "
                "does not implement this encoder");
    expect_read(mu, mu_nested, NUPIC_ERR_FORMAT,
                "MultiEncoderProto.encoders[1].scalarEncoder: w = 2");
    expect_read(mu, mu_tag, NUPIC_ERR_FORMAT,
                "MultiEncoderProto.encoders[1]: unknown encoder type 12");
    enc_free(mu);
    nupic_scalar_enc_free(g_sc01);
}

/* Bytes that are no message at all. */
static void garbage_is_rejected(void **state) {
    (void)state;
    uint8_t junk[64];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (uint8_t)(i * 37 + 11);
    enc x = make(K_RDSE, "{\"resolution\": 1}");
    void *buf = NULL;
    size_t len = 0;
    OK(enc_to_mem(x, NULL, &buf, &len, err));
    for (int k = K_SCALAR; k <= K_MULTI; k++) {
        enc y;
        nupic_error e1 = {NUPIC_OK, ""};
        assert_int_not_equal(enc_from_mem((kind)k, junk, sizeof junk, &y, &e1),
                             NUPIC_OK);
        assert_null(y.e);
        assert_true(e1.message[0] != '\0');
        nupic_error e2 = {NUPIC_OK, ""};
        assert_int_not_equal(enc_from_mem((kind)k, buf, len / 2, &y, &e2),
                             NUPIC_OK);
        nupic_error e3 = {NUPIC_OK, ""};
        assert_int_not_equal(enc_from_mem((kind)k, junk, 0, &y, &e3), NUPIC_OK);
    }
    nupic_error e4 = {NUPIC_OK, ""};
    enc y;
    assert_int_equal(enc_load(K_DATE, "/nonexistent/x.capnp", &y, &e4),
                     NUPIC_ERR_IO);
    free(buf);
    enc_free(x);
}

/* ------------------------------------------------------------------------
 * Bad values, bad parameters, bad JSON
 * ------------------------------------------------------------------------ */

#define J(lit) lit, strlen(lit)

#define EXPECT(status, call, words)                                            \
    do {                                                                       \
        nupic_error e_ = {NUPIC_OK, ""};                                       \
        nupic_error *err = &e_;                                                \
        nupic_status st_ = (call);                                             \
        if (st_ != (status))                                                   \
            fail_msg("%s: %s, expected %s (%s)", #call,                        \
                     nupic_status_name(st_), nupic_status_name(status),        \
                     e_.message);                                              \
        if (strstr(e_.message, words) == NULL)                                 \
            fail_msg("%s: message '%s' lacks '%s'", #call, e_.message, words); \
    } while (0)

static void bad_values_change_nothing(void **state) {
    (void)state;
    uint8_t out[1024], before[1024];
    char diff[256];
    enc sc = make(K_SCALAR, "{\"w\": 21, \"minval\": 0, \"maxval\": 100, "
                            "\"n\": 120, \"name\": \"kw\"}");
    memset(out, 7, sizeof out);
    EXPECT(NUPIC_ERR_ARG, nupic_scalar_enc_encode(sc.e, NAN, out, err),
           "ScalarEncoder 'kw': the input is NaN");
    EXPECT(NUPIC_ERR_ARG, nupic_scalar_enc_encode(sc.e, 100.5, out, err),
           "input (100.5) greater than range (0.0 - 100.0)");
    EXPECT(NUPIC_ERR_ARG, nupic_scalar_enc_encode(sc.e, -INFINITY, out, err),
           "input (-inf) less than range");
    assert_int_equal(out[0], 7); /* output unchanged */
    enc per =
        make(K_SCALAR, "{\"w\": 21, \"minval\": 0, \"maxval\": 24, "
                       "\"periodic\": true, \"radius\": 1, \"clipInput\": "
                       "true}");
    EXPECT(NUPIC_ERR_ARG, nupic_scalar_enc_encode(per.e, 24, out, err),
           "greater than periodic range");
    EXPECT(NUPIC_ERR_ARG, nupic_scalar_enc_encode(per.e, -1, out, err),
           "less than range");
    enc_free(per);
    enc_free(sc);

    enc rd = make(K_RDSE, "{\"resolution\": 1, \"seed\": 5}");
    enc copy;
    void *buf = NULL;
    size_t len = 0;
    EXPECT(NUPIC_ERR_ARG, nupic_rdse_encode(rd.e, NAN, out, err),
           "the input is nan");
    assert_false(nupic_rdse_offset(rd.e, NULL)); /* still unset */
    OK(nupic_rdse_encode(rd.e, 10, out, err));
    OK(enc_to_mem(rd, NULL, &buf, &len, err));
    OK(enc_from_mem(K_RDSE, buf, len, &copy, err));
    free(buf);
    EXPECT(NUPIC_ERR_ARG, nupic_rdse_encode(rd.e, INFINITY, out, err),
           "the input is inf");
    assert_true(enc_equal(rd, copy, diff, sizeof diff));
    enc_free(copy);
    enc_free(rd);

    enc far = make(K_RDSE, "{\"resolution\": 1e-300, \"seed\": 5}");
    OK(nupic_rdse_encode(far.e, -1e308, out, err));
    EXPECT(NUPIC_ERR_ARG, nupic_rdse_encode(far.e, 1e308, out, err),
           "is too far from the offset");
    enc_free(far);

    enc da = make(K_DATE, "{\"timeOfDay\": 21, \"holiday\": 5, \"holidays\": "
                          "[[2, 29]]}");
    nupic_datetime bad[] = {
        {2010, 2, 29, 0, 0, 0, 0}, {2010, 13, 1, 0, 0, 0, 0},
        {0, 1, 1, 0, 0, 0, 0},     {10000, 1, 1, 0, 0, 0, 0},
        {2010, 1, 1, 24, 0, 0, 0}, {2010, 1, 1, 0, 60, 0, 0},
        {2010, 1, 1, 0, 0, 60, 0}, {2010, 1, 1, 0, 0, 0, -1},
        {2010, 4, 31, 0, 0, 0, 0}, {2010, 1, 0, 0, 0, 0, 0}};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        EXPECT(NUPIC_ERR_ARG, nupic_date_enc_encode(da.e, &bad[i], out, err),
               "is not a valid date and time");
    nupic_datetime d = {2010, 3, 1, 12, 0, 0, 0};
    EXPECT(NUPIC_ERR_ARG, nupic_date_enc_encode(da.e, &d, out, err),
           "holiday (2, 29) does not exist in 2010");
    d.year = 2012;
    OK(nupic_date_enc_encode(da.e, &d, out, err));
    enc_free(da);

    enc ca = make(K_CATEGORY, "{\"w\": 21, \"categoryList\": [\"a\", \"b\"], "
                              "\"allowUnknown\": false, \"name\": \"abc\"}");
    EXPECT(NUPIC_ERR_ARG, nupic_category_enc_encode(ca.e, "c", out, err),
           "CategoryEncoder 'abc': unknown category 'c'");
    EXPECT(NUPIC_ERR_ARG, nupic_category_enc_encode(ca.e, NULL, out, err),
           "NULL category");
    OK(nupic_category_enc_encode(ca.e, "b", out, err));
    enc_free(ca);
    enc open = make(K_CATEGORY, "{\"w\": 21, \"categoryList\": [\"a\"]}");
    uint32_t idx = 9;
    OK(nupic_category_enc_index(open.e, "zz", &idx, err));
    assert_int_equal(idx, 0);
    enc_free(open);

    /* A multi encoder's failed record changes none of its encoders. */
    enc mu = make(K_MULTI,
                  "{\"a\": {\"fieldname\": \"x\", \"type\": "
                  "\"RandomDistributedScalarEncoder\", \"resolution\": 1}, "
                  "\"b\": {\"fieldname\": \"y\", \"type\": \"ScalarEncoder\", "
                  "\"w\": 21, \"minval\": 0, \"maxval\": 10, \"n\": 30}}");
    nupic_value v[2];
    memset(v, 0, sizeof v);
    v[0].kind = NUPIC_VALUE_NUMBER;
    v[0].u.number = 1000;
    v[1].kind = NUPIC_VALUE_NUMBER;
    v[1].u.number = 11;
    EXPECT(NUPIC_ERR_ARG, nupic_multi_enc_encode(mu.e, v, out, err),
           "greater than range");
    assert_false(nupic_rdse_offset(nupic_multi_enc_rdse(mu.e, 0), NULL));
    uint32_t lo, hi;
    nupic_rdse_bucket_range(nupic_multi_enc_rdse(mu.e, 0), &lo, &hi);
    assert_int_equal(lo, 500);
    assert_int_equal(hi, 500);
    v[1].kind = NUPIC_VALUE_CATEGORY;
    EXPECT(NUPIC_ERR_ARG, nupic_multi_enc_encode(mu.e, v, out, err),
           "field 'y' (ScalarEncoder) needs a number, not a category");
    v[1].kind = NUPIC_VALUE_NUMBER;
    v[1].u.number = 5;
    OK(nupic_multi_enc_encode(mu.e, v, out, err));
    memcpy(before, out, nupic_multi_enc_width(mu.e));
    v[0].kind = NUPIC_VALUE_MISSING;
    OK(nupic_multi_enc_encode(mu.e, v, out, err));
    for (uint32_t i = 0; i < 400; i++)
        assert_int_equal(out[i], 0);
    assert_memory_equal(out + 400, before + 400, 30);
    enc_free(mu);
}

static void bad_params(void **state) {
    (void)state;
    nupic_scalar_enc *s = NULL;
    nupic_scalar_enc_params sp;
    nupic_scalar_enc_params_default(&sp);
    sp.maxval = 10;
    EXPECT(NUPIC_ERR_PARAM, nupic_scalar_enc_new(&sp, &s, err),
           "one of n, radius and resolution must be given");
    sp.resolution = -1;
    EXPECT(NUPIC_ERR_PARAM, nupic_scalar_enc_new(&sp, &s, err),
           "resolution -1 is not a positive finite number");
    sp.resolution = 1e-9;
    EXPECT(NUPIC_ERR_PARAM, nupic_scalar_enc_new(&sp, &s, err),
           "bits (at most 16777216)");
    sp.resolution = 0;
    sp.radius = NAN;
    EXPECT(NUPIC_ERR_PARAM, nupic_scalar_enc_new(&sp, &s, err),
           "radius nan is not a positive finite number");
    sp.radius = 0;
    sp.minval = -INFINITY;
    sp.n = 100;
    EXPECT(NUPIC_ERR_PARAM, nupic_scalar_enc_new(&sp, &s, err), "finite");
    sp.minval = -1.7e308;
    sp.maxval = 1.7e308;
    EXPECT(NUPIC_ERR_PARAM, nupic_scalar_enc_new(&sp, &s, err), "too wide");
    assert_null(s);

    nupic_rdse *r = NULL;
    nupic_rdse_params rp;
    nupic_rdse_params_default(&rp);
    EXPECT(NUPIC_ERR_PARAM, nupic_rdse_new(&rp, &r, err),
           "resolution 0: it must be a positive number");
    rp.resolution = 1;
    rp.seed = -2;
    EXPECT(NUPIC_ERR_PARAM, nupic_rdse_new(&rp, &r, err), "seed -2");
    rp.seed = 1;
    rp.n = NUPIC_ENC_MAX_WIDTH + 1;
    EXPECT(NUPIC_ERR_PARAM, nupic_rdse_new(&rp, &r, err), "exceeds");
    rp.n = 400;
    rp.has_offset = true;
    rp.offset = NAN;
    EXPECT(NUPIC_ERR_PARAM, nupic_rdse_new(&rp, &r, err), "offset nan");
    assert_null(r);

    nupic_date_enc *d = NULL;
    nupic_date_enc_params dp;
    nupic_date_enc_params_default(&dp);
    const char *daysv[2] = {"sat", "caturday"};
    dp.custom_days_w = 3;
    dp.custom_days = daysv;
    dp.num_custom_days = 2;
    EXPECT(NUPIC_ERR_PARAM, nupic_date_enc_new(&dp, &d, err),
           "unable to understand 'caturday' as a day of week");
    dp.num_custom_days = 1;
    dp.custom_days_w = 0;
    dp.holiday_w = 3;
    nupic_holiday hs[2] = {{0, 12, 25}, {0, 2, 30}};
    dp.holidays = hs;
    dp.num_holidays = 2;
    EXPECT(NUPIC_ERR_PARAM, nupic_date_enc_new(&dp, &d, err),
           "holidays[1] = (0, 2, 30) is not a date");
    dp.num_holidays = 0;
    assert_null(d);

    nupic_category_enc *c = NULL;
    nupic_category_enc_params cp;
    nupic_category_enc_params_default(&cp);
    const char *cats[3] = {"a", "<UNKNOWN>", "b"};
    cp.categories = cats;
    EXPECT(NUPIC_ERR_PARAM, nupic_category_enc_new(&cp, &c, err),
           "no categories");
    cp.num_categories = 3;
    EXPECT(NUPIC_ERR_PARAM, nupic_category_enc_new(&cp, &c, err),
           "category 2 is '<UNKNOWN>'");
    cats[1] = "x";
    cp.w = 20;
    EXPECT(NUPIC_ERR_PARAM, nupic_category_enc_new(&cp, &c, err),
           "w = 20: the width must be odd");
    cp.w = 19;
    EXPECT(NUPIC_ERR_PARAM, nupic_category_enc_new(&cp, &c, err),
           "it must be at least 21");
    assert_null(c);

    nupic_multi_enc *m = NULL;
    OK(nupic_multi_enc_new("m", &m, err));
    EXPECT(NUPIC_ERR_ARG, nupic_multi_enc_add_rdse(m, "x", NULL, err), "NULL");
    nupic_multi_enc_free(m);
}

static void saving_refuses_what_cannot_be_restored(void **state) {
    (void)state;
    void *buf = NULL;
    size_t len = 0;
    enc rd = make(K_RDSE, "{\"resolution\": 1e40}");
    EXPECT(NUPIC_ERR_UNSUPPORTED, enc_to_mem(rd, NULL, &buf, &len, err),
           "resolution 1e+40 cannot be saved");
    enc_free(rd);
    rd = make(K_RDSE, "{\"resolution\": 1e-50}");
    EXPECT(NUPIC_ERR_UNSUPPORTED, enc_to_mem(rd, NULL, &buf, &len, err),
           "as a Float32");
    enc_free(rd);
    rd = make(K_RDSE, "{\"resolution\": 1e30, \"offset\": 1e300}");
    EXPECT(NUPIC_ERR_UNSUPPORTED, enc_to_mem(rd, NULL, &buf, &len, err),
           "offset 1.0000000000000001e+300 cannot be saved");
    enc_free(rd);
    enc sc = make(K_SCALAR, "{\"w\": 21, \"minval\": 1, \"maxval\": "
                            "1.00000001, \"n\": 100}");
    EXPECT(NUPIC_ERR_UNSUPPORTED, enc_to_mem(sc, NULL, &buf, &len, err),
           "ScalarEncoderProto holds them as Float32");
    enc_free(sc);
    enc da = make(K_DATE, "{\"holiday\": 5, \"holidays\": [[7, 4]]}");
    EXPECT(NUPIC_ERR_UNSUPPORTED, enc_to_mem(da, NULL, &buf, &len, err),
           "DateEncoderProto has no field for its 1 holidays");
    enc_free(da);
    assert_null(buf);
}

static void bad_json(void **state) {
    (void)state;
    nupic_scalar_enc *s = NULL;
    nupic_multi_enc *m = NULL;
    nupic_rdse *r = NULL;
    nupic_date_enc *d = NULL;
    nupic_category_enc *c = NULL;
    EXPECT(NUPIC_ERR_FORMAT,
           nupic_scalar_enc_new_from_json(J("{\"w\": "), &s, err),
           "parameters:1:");
    EXPECT(
        NUPIC_ERR_PARAM,
        nupic_scalar_enc_new_from_json(J("{\"w\": 21, \"wat\": 1}"), &s, err),
        "unknown ScalarEncoder parameter 'wat'");
    EXPECT(NUPIC_ERR_PARAM,
           nupic_scalar_enc_new_from_json(J("{\"w\": 21.5}"), &s, err),
           "w: expected an integer, got a real number");
    EXPECT(NUPIC_ERR_PARAM,
           nupic_scalar_enc_new_from_json(J("{\"w\": 21}"), &s, err),
           "ScalarEncoder needs w, minval and maxval");
    EXPECT(NUPIC_ERR_PARAM, nupic_scalar_enc_new_from_json(J("[]"), &s, err),
           "expected an object of parameters, got an array");
    EXPECT(NUPIC_ERR_PARAM, nupic_rdse_new_from_json(J("{}"), &r, err),
           "needs a resolution");
    EXPECT(NUPIC_ERR_PARAM,
           nupic_rdse_new_from_json(J("{\"resolution\": \"1\"}"), &r, err),
           "resolution: expected a number, got a string");
    EXPECT(NUPIC_ERR_PARAM,
           nupic_date_enc_new_from_json(J("{\"timeOfDay\": [21]}"), &d, err),
           "timeOfDay: expected [width, radius], got 1 values");
    EXPECT(NUPIC_ERR_PARAM,
           nupic_date_enc_new_from_json(J("{\"holidays\": [[1]]}"), &d, err),
           "holidays[0]: expected [month, day] or [year, month, day]");
    EXPECT(NUPIC_ERR_PARAM,
           nupic_category_enc_new_from_json(
               "{\"w\": 21, \"categoryList\": [\"a\", 3]}", 35, &c, err),
           "categoryList[]: expected a string, got an integer");
    const char *unsupported =
        "{\"x\": {\"fieldname\": \"x\", \"type\": \"LogEncoder\"}}";
    EXPECT(
        NUPIC_ERR_UNSUPPORTED,
        nupic_multi_enc_new_from_json(unsupported, strlen(unsupported), &m,
                                      err),
        "encoders.x: type 'LogEncoder' is not an encoder nupic-c implements");
    const char *nested =
        "{\"x\": {\"fieldname\": \"x\", \"type\": \"ScalarEncoder\", \"w\": 2, "
        "\"minval\": 0, \"maxval\": 1, \"n\": 9}}";
    EXPECT(NUPIC_ERR_PARAM,
           nupic_multi_enc_new_from_json(nested, strlen(nested), &m, err),
           "w = 2: the width must be odd");
    const char *nofield = "{\"x\": {\"type\": \"ScalarEncoder\"}}";
    EXPECT(NUPIC_ERR_PARAM,
           nupic_multi_enc_new_from_json(nofield, strlen(nofield), &m, err),
           "encoders.x: no fieldname");
    assert_null(s);
    assert_null(m);
    assert_null(r);
    assert_null(d);
    assert_null(c);
    /* Skipped: keys with ':', null values, classifier-only encoders. */
    const char *skips =
        "{\"b\": {\"fieldname\": \"kw\", \"type\": \"ScalarEncoder\", \"w\": "
        "21, "
        "\"minval\": 0, \"maxval\": 53, \"n\": 29, \"clipInput\": true}, "
        "\"a\": {\"fieldname\": \"t\", \"type\": \"DateEncoder\", \"weekend\": "
        "21}, \"c:x\": {\"bogus\": 1}, \"d\": null, \"_classifierInput\": "
        "{\"classifierOnly\": true, \"fieldname\": \"kw\", \"type\": "
        "\"ScalarEncoder\", \"w\": 21, \"minval\": 0, \"maxval\": 53, \"n\": "
        "115}}";
    OK(nupic_multi_enc_new_from_json(skips, strlen(skips), &m, err));
    assert_int_equal(nupic_multi_enc_num_encoders(m), 2);
    assert_int_equal(nupic_multi_enc_type(m, 0), NUPIC_ENC_DATE); /* "a" */
    assert_int_equal(nupic_multi_enc_type(m, 1), NUPIC_ENC_SCALAR);
    assert_int_equal(nupic_multi_enc_offset(m, 1), 42);
    assert_int_equal(nupic_multi_enc_width(m), 42 + 29);
    assert_string_equal(nupic_scalar_enc_name(nupic_multi_enc_scalar(m, 1)),
                        "[0:53]");
    uint32_t f = 9;
    assert_true(nupic_multi_enc_find_field(m, "kw", &f));
    assert_int_equal(f, 1);
    assert_int_equal(nupic_multi_enc_encoder_field(m, 1), 1);
    assert_false(nupic_multi_enc_find_field(m, "zz", NULL));
    assert_null(nupic_multi_enc_rdse(m, 1));
    assert_null(nupic_multi_enc_field_name(m, 2));
    nupic_multi_enc_free(m);
    EXPECT(NUPIC_ERR_IO,
           nupic_multi_enc_load_json("/nonexistent.json", &m, err),
           "/nonexistent.json");
}

/* An RDSE whose rules leave no bit for the next bucket (maxOverlap 0 in
 * a saved state): a clear error where NuPIC would draw for ever, and the
 * encoder unchanged. */
static void mo_zero(void *r) {
    RandomDistributedScalarEncoderProto_set_maxOverlap(RD(r), 0);
}

static void rdse_running_out_of_bits(void **state) {
    (void)state;
    enc rd = make(K_RDSE, "{\"resolution\": 1, \"w\": 3, \"n\": 19, "
                          "\"offset\": 0, \"seed\": 9}");
    ncp_builder *b = NULL;
    assert_int_equal(ncp_builder_new(NULL, &b), NCP_OK);
    RandomDistributedScalarEncoderProto_B root =
        RandomDistributedScalarEncoderProto_new_root(b);
    OK(nupic_rdse_write(rd.e, root, err));
    mo_zero(&root);
    ts_buf bytes = ts_write_mem(b, 0);
    ncp_builder_free(b);
    enc_free(rd);
    OK(nupic_rdse_read_from_mem(bytes.data, bytes.len, NULL,
                                (nupic_rdse **)&rd.e, err));
    ts_buf_free(&bytes);
    uint8_t out[19];
    nupic_status st = NUPIC_OK;
    int v = 0;
    nupic_error e1 = {NUPIC_OK, ""};
    for (; v < 200 && st == NUPIC_OK; v++)
        st = nupic_rdse_encode(rd.e, v, out, &e1);
    assert_int_equal(st, NUPIC_ERR_TOO_LARGE);
    assert_non_null(strstr(e1.message, "no bit can make bucket"));
    uint32_t lo, hi;
    nupic_rdse_bucket_range(rd.e, &lo, &hi);
    assert_int_equal(hi, 500 + v - 2); /* the last good value's bucket */
    enc_free(rd);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trips_are_exact),
        cmocka_unit_test(round_trips_exact_from_the_first),
        cmocka_unit_test(bad_saved_data),
        cmocka_unit_test(garbage_is_rejected),
        cmocka_unit_test(bad_values_change_nothing),
        cmocka_unit_test(bad_params),
        cmocka_unit_test(saving_refuses_what_cannot_be_restored),
        cmocka_unit_test(bad_json),
        cmocka_unit_test(rdse_running_out_of_bits),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
