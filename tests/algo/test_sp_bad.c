/*
 * tests/algo/test_sp_bad.c - the spatial pooler's reader on hostile input.
 *
 * Valid states (small spatial poolers after a few steps, nupic.core's
 * files) are truncated, corrupted, read as the wrong type, and rebuilt with
 * the generated builder API with one thing wrong: sizes that disagree,
 * rows too long, indices out of range or out of order, permanences outside
 * the pool, NaN and infinite values, bad random state, parameters under
 * which a step could not finish.  Each must fail with the status and a
 * message naming the field and the offending value, return no object and
 * leak nothing (LeakSanitizer in the asan build); input that reads must
 * write back to the same state and compute.  Every message is also read
 * from a file, at once and on demand (src/algo/persist.c loads files on
 * demand), which must give the same status and message, or equal states
 * writing the same bytes.  The normal build runs the
 * AVX-512 load kernels where the CPU has them, the portable build the
 * scalar code; the messages are the same.
 *
 * With NUPIC_SP_CORPUS_OUT=DIR in the environment every message built here
 * is also written to DIR (the source of the mutated seeds of
 * fuzz/corpus/sp/).
 */
#define _POSIX_C_SOURCE 200809L

#include "persist.h"
#include "sp_simd.h" /* sps_force_scalar */
#include "test_support.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nupic/sp.h>

#include "nupic/proto/TemporalMemoryProto.capnp.h"

#define NI           100u /* inputs of the main fixture */
#define NC           16u  /* its columns */
#define RANDOM_WORDS 31u

/* ------------------------------------------------------------------------
 * Fixture: spatial poolers after a few steps, and their messages
 * ------------------------------------------------------------------------ */

typedef struct fixture {
    nupic_sp *sp;    /* 1-D: 100 inputs, 16 columns, global inhibition */
    nupic_sp *local; /* 2-D: 8x8 inputs, 4x4 columns, local, stimulus 1 */
    ts_buf unpacked, packed; /* sp's state */
    int64_t state[RANDOM_WORDS];
    int64_t rptr, fptr;
    uint64_t seed;
} fixture;

/* A fixed pseudo-random input of about a fifth of the inputs. */
static size_t step_input(uint32_t step, uint32_t inputs, uint32_t *out) {
    size_t n = 0;
    uint32_t x = 2463534242u + step * 7919u;
    for (uint32_t i = 0; i < inputs; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        if (x % 5 == 0) out[n++] = i;
    }
    return n;
}

static nupic_sp *make_sp(const nupic_sp_params *p, uint32_t steps) {
    nupic_sp *sp = NULL;
    nupic_error err = {NUPIC_OK, ""};
    if (nupic_sp_new(p, &sp, &err) != NUPIC_OK) fail_msg("%s", err.message);
    uint32_t *in = calloc(nupic_sp_num_inputs(sp), sizeof *in);
    uint32_t *out = calloc(nupic_sp_num_columns(sp), sizeof *out);
    assert_non_null(in);
    assert_non_null(out);
    for (uint32_t t = 0; t < steps; t++) {
        size_t n = step_input(t, nupic_sp_num_inputs(sp), in), nout = 0;
        if (nupic_sp_compute(sp, in, n, true, out, &nout, &err) != NUPIC_OK)
            fail_msg("step %u: %s", t, err.message);
    }
    free(in);
    free(out);
    return sp;
}

static ts_buf sp_bytes(const nupic_sp *sp, bool packed) {
    nupic_save_options so = {!packed};
    nupic_error err = {NUPIC_OK, ""};
    void *buf = NULL;
    size_t len = 0;
    if (nupic_sp_write_to_mem(sp, &so, &buf, &len, &err) != NUPIC_OK)
        fail_msg("write: %s", err.message);
    ts_buf b = {buf, len};
    return b;
}

static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    nupic_sp_params p;
    nupic_sp_params_default(&p);
    p.num_dimensions = 1;
    p.input_dimensions[0] = NI;
    p.column_dimensions[0] = NC;
    p.potential_radius = 12;
    p.potential_pct = 0.75f;
    p.num_active_columns_per_inh_area = 4;
    p.duty_cycle_period = 10;
    p.seed = 42;
    f->sp = make_sp(&p, 6);

    nupic_sp_params_default(&p);
    p.num_dimensions = 2;
    p.input_dimensions[0] = p.input_dimensions[1] = 8;
    p.column_dimensions[0] = p.column_dimensions[1] = 4;
    p.potential_radius = 3;
    p.global_inhibition = false;
    p.num_active_columns_per_inh_area = 3;
    p.stimulus_threshold = 1;
    p.boost_strength = 2.0f;
    p.wrap_around = false;
    p.duty_cycle_period = 5;
    p.seed = 7;
    f->local = make_sp(&p, 7);

    f->unpacked = sp_bytes(f->sp, false);
    f->packed = sp_bytes(f->sp, true);
    /* The random state, for messages that change it. */
    ncp_msg *m = ts_open(&f->unpacked);
    RandomProto_R r =
        SpatialPoolerProto_get_random(SpatialPoolerProto_read_root(m));
    RandomImplProto_R impl = RandomProto_get_impl(r);
    f->seed = RandomProto_get_seed(r);
    assert_int_equal(
        RandomImplProto_copy_state(impl, f->state, 0, RANDOM_WORDS),
        RANDOM_WORDS);
    f->rptr = RandomImplProto_get_rptr(impl);
    f->fptr = RandomImplProto_get_fptr(impl);
    assert_int_equal(ncp_msg_status(m), NCP_OK);
    ncp_msg_free(m);
    *state = f;
    return 0;
}

/* The file that file_ways_agree() rewrites for each message. */
static FILE *g_agree;

static int teardown(void **state) {
    fixture *f = *state;
    nupic_sp_free(f->sp);
    nupic_sp_free(f->local);
    ts_buf_free(&f->unpacked);
    ts_buf_free(&f->packed);
    free(f);
    if (g_agree) fclose(g_agree);
    g_agree = NULL;
    return 0;
}

/* ------------------------------------------------------------------------
 * Checking a read
 * ------------------------------------------------------------------------ */

static int g_sentinel;
#define SENTINEL ((nupic_sp *)(void *)&g_sentinel)

/* Everything a state that reads must do: write back to bytes that read
 * into an equal state and write the same bytes again (unpacked and packed),
 * and compute. */
static void check_good_state(nupic_sp *sp, const char *what) {
    for (int packed = 0; packed < 2; packed++) {
        ts_buf a = sp_bytes(sp, packed != 0);
        nupic_sp *again = NULL;
        nupic_error err = {NUPIC_OK, ""};
        if (nupic_sp_read_from_mem(a.data, a.len, NULL, &again, &err))
            fail_msg("%s: rereading: %s", what, err.message);
        char diff[256];
        if (!nupic_sp_equal(sp, again, diff, sizeof diff))
            fail_msg("%s: reread state differs: %s", what, diff);
        ts_buf b = sp_bytes(again, packed != 0);
        ts_assert_bytes_equal(a.data, a.len, b.data, b.len);
        nupic_sp_free(again);
        ts_buf_free(&a);
        ts_buf_free(&b);
    }
    uint32_t ni = nupic_sp_num_inputs(sp), nc = nupic_sp_num_columns(sp);
    if ((uint64_t)ni * nc > (1u << 20)) return;
    uint32_t *in = calloc(ni, sizeof *in), *out = calloc(nc, sizeof *out);
    assert_non_null(in);
    assert_non_null(out);
    for (uint32_t t = 0; t < 2; t++) {
        size_t n = step_input(t, ni, in), nout = 0;
        nupic_error err = {NUPIC_OK, ""};
        nupic_status st = nupic_sp_compute(sp, in, n, t == 0, out, &nout, &err);
        if (st == NUPIC_ERR_PARAM && strstr(err.message, "not enough columns"))
            break;
        if (st != NUPIC_OK) fail_msg("%s: compute: %s", what, err.message);
        for (size_t k = 0; k < nout; k++)
            assert_true(out[k] < nc && (k == 0 || out[k] > out[k - 1]));
    }
    free(in);
    free(out);
}

/* The options persist.c opens messages with. */
static ncp_read_options load_options(ncp_packing packing) {
    return persist_read_options(&(nupic_load_options){.packing = packing});
}

/* Reads the message at f's position, at once or on demand, into a state
 * (*sp, NULL on failure). */
static nupic_status read_file_way(FILE *f, bool on_demand, ncp_packing packing,
                                  nupic_sp **sp, nupic_error *err) {
    ncp_read_options o = load_options(packing);
    ncp_msg *m = NULL;
    ncp_error e = {NCP_OK, ""};
    *sp = SENTINEL;
    nupic_error_clear(err);
    ncp_status ns = on_demand ? ncp_msg_read_file_on_demand(f, &o, &m, &e)
                              : ncp_msg_read_file(f, &o, &m, &e);
    if (ns != NCP_OK) {
        *sp = NULL;
        return nupic_error_from_ncp(err, &e);
    }
    nupic_status st = nupic_sp_read(SpatialPoolerProto_read_root(m), sp, err);
    ncp_msg_free(m);
    return st;
}

/* data from a file, read at once and on demand: the same status and
 * message, or equal states that write the same bytes. */
static void file_ways_agree(const void *data, size_t len, ncp_packing packing,
                            const char *what) {
    /* One temporary file for all (closing a rewritten file would make the
     * file system write it out each time); teardown closes it. */
    if (g_agree == NULL) g_agree = tmpfile();
    FILE *f = g_agree;
    assert_non_null(f);
    assert_int_equal(ftruncate(fileno(f), 0), 0);
    rewind(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fflush(f), 0);
    nupic_sp *sp[2];
    nupic_error err[2];
    nupic_status st[2];
    for (int on_demand = 0; on_demand < 2; on_demand++) {
        rewind(f);
        st[on_demand] = read_file_way(f, on_demand != 0, packing,
                                      &sp[on_demand], &err[on_demand]);
        if (st[on_demand] == NUPIC_OK) {
            /* The stream is left after the message either way. */
            ncp_msg *m = NULL;
            ncp_read_options o = load_options(packing);
            assert_int_equal(ncp_msg_from_buffer(data, len, &o, &m, NULL),
                             NCP_OK);
            assert_int_equal(ftell(f), (long)ncp_msg_consumed(m));
            ncp_msg_free(m);
        }
    }
    if (st[0] != st[1] || strcmp(err[0].message, err[1].message) != 0)
        fail_msg("%s: read at once: %s \"%s\"; on demand: %s \"%s\"", what,
                 nupic_status_name(st[0]), err[0].message,
                 nupic_status_name(st[1]), err[1].message);
    if (st[0] != NUPIC_OK) {
        assert_null(sp[0]);
        assert_null(sp[1]);
        return;
    }
    char diff[256];
    if (!nupic_sp_equal(sp[0], sp[1], diff, sizeof diff))
        fail_msg("%s: read at once and on demand: %s", what, diff);
    for (int packed = 0; packed < 2; packed++) {
        ts_buf a = sp_bytes(sp[0], packed != 0), b = sp_bytes(sp[1], packed);
        ts_assert_bytes_equal(a.data, a.len, b.data, b.len);
        ts_buf_free(&a);
        ts_buf_free(&b);
    }
    nupic_sp_free(sp[0]);
    nupic_sp_free(sp[1]);
}

/* Reads data with the given packing: either it fails with a proper error
 * record and no object (returns the status; the message in *err), or it
 * reads a state that passes check_good_state (returns NUPIC_OK).  Reading
 * it from a file at once and on demand must agree. */
static nupic_status read_any(const void *data, size_t len, ncp_packing packing,
                             nupic_error *err, const char *what) {
    nupic_load_options lo = {.packing = packing};
    nupic_sp *sp = SENTINEL;
    nupic_error_clear(err);
    file_ways_agree(data, len, packing, what);
    nupic_status st = nupic_sp_read_from_mem(data, len, &lo, &sp, err);
    if (st == NUPIC_OK) {
        assert_non_null(sp);
        assert_int_equal(err->status, NUPIC_OK);
        check_good_state(sp, what);
        nupic_sp_free(sp);
        return st;
    }
    if (sp != NULL) fail_msg("%s: failed, but *out is not NULL", what);
    if (err->status != st || err->message[0] == '\0')
        fail_msg("%s: returned %s, recorded %s \"%s\"", what,
                 nupic_status_name(st), nupic_status_name(err->status),
                 err->message);
    if (st != NUPIC_ERR_FORMAT && st != NUPIC_ERR_TOO_LARGE)
        fail_msg("%s: %s: %s", what, nupic_status_name(st), err->message);
    return st;
}

static void assert_message(const nupic_error *err, const char *const *subs,
                           const char *what) {
    for (; *subs; subs++)
        if (strstr(err->message, *subs) == NULL)
            fail_msg("%s: message \"%s\" lacks \"%s\"", what, err->message,
                     *subs);
}

/* Whether a message is about the content (it then names a field), not
 * the framing, whose messages differ between memory, files and paths. */
static bool about_content(const char *m) {
    const char *names[] = {"SpatialPoolerProto", "RandomProto",
                           "RandomImplProto", "SparseFloatList"};
    for (size_t i = 0; i < 4; i++)
        if (strncmp(m, names[i], strlen(names[i])) == 0) return true;
    return false;
}

/* Expects data to fail with status `want` and a message holding each of
 * subs (NULL-terminated), from memory, a FILE* and a path; the same
 * message when it is about the content. */
static void expect_bytes_fail(const void *data, size_t len, nupic_status want,
                              const char *const *subs, const char *what) {
    nupic_error err;
    nupic_status st = read_any(data, len, NCP_PACKING_AUTO, &err, what);
    if (st != want)
        fail_msg("%s: %s (\"%s\"), expected %s", what, nupic_status_name(st),
                 err.message, nupic_status_name(want));
    assert_message(&err, subs, what);
    char first[NUPIC_ERROR_MESSAGE_SIZE];
    memcpy(first, err.message, sizeof first);

    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    rewind(f);
    nupic_sp *sp = SENTINEL;
    nupic_error_clear(&err);
    assert_int_equal(nupic_sp_read_from_file(f, NULL, &sp, &err), want);
    assert_null(sp);
    assert_message(&err, subs, what);
    if (about_content(first)) assert_string_equal(err.message, first);
    fclose(f);

    ts_write_file("bad.capnp", data, len);
    sp = SENTINEL;
    nupic_error_clear(&err);
    assert_int_equal(nupic_sp_load("bad.capnp", NULL, &sp, &err), want);
    assert_null(sp);
    assert_message(&err, subs, what);
    if (about_content(first)) assert_string_equal(err.message, first);
}

/* Saves a message built here when NUPIC_SP_CORPUS_OUT names a folder. */
static void save_for_corpus(const ts_buf *b, const char *name,
                            const char *ext) {
    const char *dir = getenv("NUPIC_SP_CORPUS_OUT");
    if (dir == NULL) return;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.%s", dir, name, ext);
    for (char *p = path + strlen(dir) + 1; *p; p++)
        if (*p == ' ' || *p == '/' || *p == '(' || *p == ')') *p = '_';
    ts_write_file(path, b->data, b->len);
}

/* ------------------------------------------------------------------------
 * Messages rebuilt with one thing changed
 * ------------------------------------------------------------------------ */

/* Sparse rows: a matrix as the wire holds it. */
typedef struct rows {
    uint32_t n;     /* rows written */
    uint32_t alloc; /* rows allocated */
    uint32_t *len;
    uint32_t **idx;
    float **val; /* NULL for pools */
} rows;

/* How one row is encoded, when not as the schema says. */
typedef enum {
    ENC_SCHEMA,
    ENC_U64,       /* a pool row as List(UInt64); SparseFloat as UInt64 */
    ENC_U16,       /* a pool row as List(UInt16) */
    ENC_TEXT,      /* a row as text */
    ENC_WIDE,      /* SparseFloat structs of 2 data words and a pointer */
    ENC_STRUCT_8B, /* a pool row as a struct list of one data word */
    ENC_BITS,      /* a row as List(Bool) */
} encoding;

/* The state of `sp` with the changes described here. */
typedef struct spec {
    const fixture *f;
    const nupic_sp *sp;
    rows pools, perms;
    /* Declared sizes of the matrices. */
    uint32_t pool_rows, pool_cols, perm_rows, perm_cols;
    uint32_t odd_pool_row, odd_perm_row; /* rows encoded as below */
    encoding pool_enc, perm_enc;
    uint32_t high;      /* high halves of a pool row's 64-bit elements */
    uint32_t count;     /* a list length for the tweak, plus one (0: none) */
    uint32_t seg_words; /* segments of this size (0: the default) */
    bool perms_first;   /* permanences built (and laid out) before pools */
    /* Further changes to the root (scalars, lists, random state). */
    void (*tweak)(SpatialPoolerProto_B b, const struct spec *s);
    uint32_t at;  /* a column or word index for the tweak */
    double value; /* a value for the tweak */
} spec;

static void rows_alloc(rows *r, uint32_t n, uint32_t cap, bool values) {
    r->n = r->alloc = n;
    r->len = calloc(n ? n : 1, sizeof *r->len);
    r->idx = calloc(n ? n : 1, sizeof *r->idx);
    r->val = values ? calloc(n ? n : 1, sizeof *r->val) : NULL;
    assert_non_null(r->len);
    assert_non_null(r->idx);
    for (uint32_t c = 0; c < n; c++) {
        r->idx[c] = calloc(cap + 8, sizeof **r->idx);
        assert_non_null(r->idx[c]);
        if (values) {
            r->val[c] = calloc(cap + 8, sizeof **r->val);
            assert_non_null(r->val[c]);
        }
    }
}

static void rows_free(rows *r) {
    for (uint32_t c = 0; c < r->alloc; c++) {
        free(r->idx[c]);
        if (r->val) free(r->val[c]);
    }
    free(r->len);
    free(r->idx);
    free(r->val);
}

static spec spec_of(const fixture *f, const nupic_sp *sp) {
    spec s;
    memset(&s, 0, sizeof s);
    s.f = f;
    s.sp = sp;
    uint32_t ni = nupic_sp_num_inputs(sp), nc = nupic_sp_num_columns(sp);
    s.pool_rows = s.perm_rows = nc;
    s.pool_cols = s.perm_cols = ni;
    rows_alloc(&s.pools, nc, ni, false);
    rows_alloc(&s.perms, nc, ni, true);
    uint32_t *pot = calloc(ni, sizeof *pot);
    float *perm = calloc(ni, sizeof *perm);
    assert_non_null(pot);
    assert_non_null(perm);
    for (uint32_t c = 0; c < nc; c++) {
        assert_int_equal(nupic_sp_get_potential(sp, c, pot), NUPIC_OK);
        assert_int_equal(nupic_sp_get_permanence(sp, c, perm), NUPIC_OK);
        for (uint32_t i = 0; i < ni; i++) {
            if (pot[i]) s.pools.idx[c][s.pools.len[c]++] = i;
            if (perm[i] != 0.0f) {
                s.perms.idx[c][s.perms.len[c]] = i;
                s.perms.val[c][s.perms.len[c]++] = perm[i];
            }
        }
    }
    free(pot);
    free(perm);
    s.odd_pool_row = s.odd_perm_row = UINT32_MAX;
    return s;
}

static void spec_free(spec *s) {
    rows_free(&s->pools);
    rows_free(&s->perms);
}

static void put_pool_row(ncp_bptr p, const spec *s, uint32_t c) {
    uint32_t n = s->pools.len[c];
    const uint32_t *idx = s->pools.idx[c];
    encoding enc = c == s->odd_pool_row ? s->pool_enc : ENC_SCHEMA;
    switch (enc) {
    case ENC_U64: {
        ncp_blist l = ncp_bptr_init_list(p, NCP_ELEM_8BYTES, n);
        for (uint32_t k = 0; k < n; k++)
            ncp_blist_set_u64(&l, k, idx[k] | (uint64_t)s->high << 32);
        break;
    }
    case ENC_U16: {
        ncp_blist l = ncp_bptr_init_list(p, NCP_ELEM_2BYTES, n);
        for (uint32_t k = 0; k < n; k++)
            ncp_blist_set_u16(&l, k, (uint16_t)idx[k]);
        break;
    }
    case ENC_TEXT: ncp_bptr_set_text(p, "not a list of inputs", 20); break;
    case ENC_STRUCT_8B: {
        ncp_blist l = ncp_bptr_init_struct_list(p, n, 1, 0);
        for (uint32_t k = 0; k < n; k++) {
            ncp_bstruct e = ncp_blist_struct(&l, k);
            ncp_bstruct_set_u32(&e, 0, idx[k]);
        }
        break;
    }
    default: ncp_bptr_init_list_from(p, NCP_ELEM_4BYTES, n, idx); break;
    }
}

static void put_perm_row(SparseFloatList_B row, const spec *s, uint32_t c) {
    uint32_t n = s->perms.len[c];
    const uint32_t *idx = s->perms.idx[c];
    const float *val = s->perms.val[c];
    encoding enc = c == s->odd_perm_row ? s->perm_enc : ENC_SCHEMA;
    ncp_bptr p = ncp_bstruct_ptr(&row.s, 0);
    switch (enc) {
    case ENC_U64: {
        ncp_blist l = ncp_bptr_init_list(p, NCP_ELEM_8BYTES, n);
        for (uint32_t k = 0; k < n; k++)
            ncp_blist_set_u64(&l, k,
                              idx[k] | (uint64_t)ncp_f32_to_bits(val[k]) << 32);
        break;
    }
    case ENC_WIDE: {
        ncp_blist l = ncp_bptr_init_struct_list(p, n, 2, 1);
        for (uint32_t k = 0; k < n; k++) {
            ncp_bstruct e = ncp_blist_struct(&l, k);
            ncp_bstruct_set_u32(&e, 0, idx[k]);
            ncp_bstruct_set_u32(&e, 4, ncp_f32_to_bits(val[k]));
            ncp_bstruct_set_u64(&e, 8, UINT64_C(0x0123456789abcdef));
            ncp_bptr_set_text(ncp_bstruct_ptr(&e, 0), "extra", 5);
        }
        break;
    }
    case ENC_TEXT: ncp_bptr_set_text(p, "not a list of permanences", 25); break;
    case ENC_BITS: ncp_bptr_init_list(p, NCP_ELEM_BIT, n); break;
    default: {
        SparseFloat_BList l = SparseFloatList_init_values(row, n);
        for (uint32_t k = 0; k < n; k++) {
            SparseFloat_B e = SparseFloat_BList_get(l, k);
            SparseFloat_set_index(e, idx[k]);
            SparseFloat_set_value(e, val[k]);
        }
        break;
    }
    }
}

/* The message of a spec: the state as nupic_sp_write writes it, pools and
 * permanences replaced by the spec's, then the tweak. */
static ts_buf spec_build(const spec *s, bool packed) {
    ncp_builder *b = NULL;
    ncp_builder_options bo = {s->seg_words, NCP_GROW_FIXED, {0}};
    assert_int_equal(ncp_builder_new(s->seg_words ? &bo : NULL, &b), NCP_OK);
    SpatialPoolerProto_B root = SpatialPoolerProto_new_root(b);
    nupic_error err = {NUPIC_OK, ""};
    if (nupic_sp_write(s->sp, root, &err) != NUPIC_OK)
        fail_msg("write: %s", err.message);

    for (int part = 0; part < 2; part++) {
        if ((part == 0) != s->perms_first) {
            SparseBinaryMatrixProto_B pp =
                SpatialPoolerProto_init_potentialPools(root);
            SparseBinaryMatrixProto_set_numRows(pp, s->pool_rows);
            SparseBinaryMatrixProto_set_numColumns(pp, s->pool_cols);
            ncp_blist prow =
                SparseBinaryMatrixProto_init_indices(pp, s->pools.n);
            for (uint32_t c = 0; c < s->pools.n; c++)
                put_pool_row(ncp_blist_ptr(&prow, c), s, c);
        } else {
            SparseMatrixProto_B pm = SpatialPoolerProto_init_permanences(root);
            SparseMatrixProto_set_numRows(pm, s->perm_rows);
            SparseMatrixProto_set_numColumns(pm, s->perm_cols);
            SparseFloatList_BList mrow =
                SparseMatrixProto_init_rows(pm, s->perms.n);
            for (uint32_t c = 0; c < s->perms.n; c++)
                put_perm_row(SparseFloatList_BList_get(mrow, c), s, c);
        }
    }

    if (s->tweak) s->tweak(root, s);
    assert_int_equal(ncp_builder_status(b), NCP_OK);
    ts_buf out = ts_write_mem(b, packed ? NCP_WRITE_PACKED : 0);
    ncp_builder_free(b);
    return out;
}

/* Expects the spec's message, unpacked and packed, to fail with `want` and
 * the given message fragments (NULL-terminated). */
#define expect_fail(s, want, ...)                                              \
    expect_fail_(s, want, __func__, (const char *const[]){__VA_ARGS__, NULL})

static void expect_fail_(spec *s, nupic_status want, const char *what,
                         const char *const *subs) {
    for (int packed = 0; packed < 2; packed++) {
        ts_buf m = spec_build(s, packed != 0);
        if (!packed) save_for_corpus(&m, what, "bin");
        expect_bytes_fail(m.data, m.len, want, subs, what);
        ts_buf_free(&m);
    }
    spec_free(s);
}

/* Expects the spec's message to read into a state equal to `equal_to` (or,
 * when it is NULL, into any good state). */
static void expect_read(spec *s, const nupic_sp *equal_to, const char *what) {
    for (int packed = 0; packed < 2; packed++) {
        ts_buf m = spec_build(s, packed != 0);
        if (!packed) save_for_corpus(&m, what, "bin");
        file_ways_agree(m.data, m.len, NCP_PACKING_AUTO, what);
        nupic_sp *sp = NULL;
        nupic_error err = {NUPIC_OK, ""};
        if (nupic_sp_read_from_mem(m.data, m.len, NULL, &sp, &err))
            fail_msg("%s: %s", what, err.message);
        char diff[256];
        if (equal_to && !nupic_sp_equal(sp, equal_to, diff, sizeof diff))
            fail_msg("%s: %s", what, diff);
#ifdef SPS_KERNELS
        /* The AVX-512 kernels (which check, place and settle a row in one
         * pass) and the scalar code read the same state. */
        if (sps_available()) {
            nupic_sp *scalar = NULL;
            sps_force_scalar(true);
            nupic_status st =
                nupic_sp_read_from_mem(m.data, m.len, NULL, &scalar, &err);
            sps_force_scalar(false);
            if (st != NUPIC_OK)
                fail_msg("%s: scalar read: %s", what, err.message);
            if (!nupic_sp_equal(sp, scalar, diff, sizeof diff))
                fail_msg("%s: the AVX-512 and scalar reads differ: %s", what,
                         diff);
            nupic_sp_free(scalar);
        }
#endif
        check_good_state(sp, what);
        nupic_sp_free(sp);
        ts_buf_free(&m);
    }
    spec_free(s);
}

static char *fmt(char *buf, size_t size, const char *f, ...)
    __attribute__((format(printf, 3, 4)));
static char *fmt(char *buf, size_t size, const char *f, ...) {
    va_list ap;
    va_start(ap, f);
    vsnprintf(buf, size, f, ap);
    va_end(ap);
    return buf;
}
#define FMT(...) fmt((char[256]){0}, 256, __VA_ARGS__)

/* ------------------------------------------------------------------------
 * Valid states of several shapes (the valid seeds of fuzz/corpus/sp/)
 * ------------------------------------------------------------------------ */

static void varied_states(void **state) {
    (void)state;
    struct {
        const char *name;
        uint32_t ndims, in[3], col[3], radius, active, stim, period, steps;
        float density, boost, pct;
        bool global, wrap;
        int packed; /* 1 unpacked, 2 packed, 3 both */
    } cases[] = {
        {"gen-1d-global",
         1,
         {24},
         {12},
         6,
         3,
         0,
         1000,
         5,
         -1,
         0,
         0.5f,
         true,
         true,
         3},
        {"gen-2d-local-wrap-stim",
         2,
         {6, 6},
         {4, 4},
         2,
         2,
         1,
         3,
         6,
         -1,
         1.5f,
         0.5f,
         false,
         true,
         1},
        {"gen-2d-local-nowrap",
         2,
         {4, 8},
         {2, 4},
         3,
         2,
         0,
         1000,
         5,
         -1,
         0,
         0.6f,
         false,
         false,
         2},
        {"gen-1d-density-boost",
         1,
         {40},
         {20},
         40,
         0,
         0,
         4,
         8,
         0.2f,
         3.0f,
         0.5f,
         true,
         true,
         1},
        {"gen-3d-local-stim2",
         3,
         {3, 3, 3},
         {2, 2, 2},
         1,
         1,
         2,
         1000,
         4,
         -1,
         0,
         0.5f,
         false,
         true,
         1},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        nupic_sp_params p;
        nupic_sp_params_default(&p);
        p.num_dimensions = cases[k].ndims;
        for (uint32_t d = 0; d < cases[k].ndims; d++) {
            p.input_dimensions[d] = cases[k].in[d];
            p.column_dimensions[d] = cases[k].col[d];
        }
        p.potential_radius = cases[k].radius;
        p.potential_pct = cases[k].pct;
        p.global_inhibition = cases[k].global;
        p.wrap_around = cases[k].wrap;
        p.num_active_columns_per_inh_area = (int32_t)cases[k].active;
        p.local_area_density = cases[k].density;
        p.stimulus_threshold = cases[k].stim;
        p.duty_cycle_period = cases[k].period;
        p.boost_strength = cases[k].boost;
        p.seed = (int32_t)k + 3;
        nupic_sp *sp = make_sp(&p, cases[k].steps);
        for (int packed = 0; packed < 2; packed++) {
            ts_buf b = sp_bytes(sp, packed != 0);
            if (cases[k].packed & (1 << packed))
                save_for_corpus(&b, cases[k].name, packed ? "packed" : "bin");
            nupic_error err;
            assert_int_equal(
                read_any(b.data, b.len, NCP_PACKING_AUTO, &err, cases[k].name),
                NUPIC_OK);
            ts_buf_free(&b);
        }
        nupic_sp_free(sp);
    }
}

/* ------------------------------------------------------------------------
 * Framing: truncation and corruption
 * ------------------------------------------------------------------------ */

/* Every strict prefix fails with NUPIC_ERR_FORMAT. */
static void truncated_everywhere(void **state) {
    fixture *f = *state;
    const ts_buf *msgs[] = {&f->unpacked, &f->packed};
    for (int i = 0; i < 2; i++)
        for (size_t len = 0; len < msgs[i]->len; len++) {
            nupic_error err;
            char what[64];
            snprintf(what, sizeof what, "%s prefix of %zu bytes",
                     i ? "packed" : "unpacked", len);
            nupic_status st =
                read_any(msgs[i]->data, len, NCP_PACKING_AUTO, &err, what);
            if (st != NUPIC_ERR_FORMAT)
                fail_msg("%s: %s", what, nupic_status_name(st));
            st = read_any(msgs[i]->data, len,
                          i ? NCP_PACKING_PACKED : NCP_PACKING_UNPACKED, &err,
                          what);
            if (st != NUPIC_ERR_FORMAT)
                fail_msg("%s: %s", what, nupic_status_name(st));
        }
    /* Through a FILE* and a path as well, at a few places. */
    const char *trunc[] = {NULL};
    size_t cuts[] = {3, 8, 100, f->unpacked.len / 2, f->unpacked.len - 1};
    for (size_t k = 0; k < sizeof cuts / sizeof cuts[0]; k++)
        expect_bytes_fail(f->unpacked.data, cuts[k], NUPIC_ERR_FORMAT, trunc,
                          "unpacked prefix");
    expect_bytes_fail(f->packed.data, f->packed.len - 1, NUPIC_ERR_FORMAT,
                      trunc, "packed prefix");
}

/* nupic.core's files: every prefix of the tiny ones, many of the large. */
static void truncated_nupic_core_files(void **state) {
    (void)state;
    const char *tiny[] = {
        "reference/sp-tiny/sp_tiny_10x10_cppdefaults.capnp",
        "reference/sp-tiny/sp_tiny_10x10_cppdefaults.capnp.packed",
        "reference/sp-tiny/sp_tiny_10x10_pydefaults_seed1956.capnp",
        "reference/sp-tiny/sp_tiny_10x10_pydefaults_seed1956.capnp.packed"};
    for (size_t i = 0; i < 4; i++) {
        ts_buf b = ts_read_data(tiny[i]);
        nupic_error err;
        assert_int_equal(
            read_any(b.data, b.len, NCP_PACKING_AUTO, &err, tiny[i]), NUPIC_OK);
        for (size_t len = 0; len < b.len; len++)
            if (read_any(b.data, len, NCP_PACKING_AUTO, &err, tiny[i]) !=
                NUPIC_ERR_FORMAT)
                fail_msg("%s: prefix of %zu bytes: %s", tiny[i], len,
                         err.message);
        ts_buf_free(&b);
    }
    ts_buf big = ts_read_data("reference/sp-hotgym/sp_seq_step1000.capnp.xz");
    for (uint32_t k = 0; k < 12; k++) {
        size_t len = k < 11 ? big.len / 11 * k + 7 * k : big.len - 1;
        nupic_sp *sp = SENTINEL;
        nupic_error err = {NUPIC_OK, ""};
        assert_int_equal(nupic_sp_read_from_mem(big.data, len, NULL, &sp, &err),
                         NUPIC_ERR_FORMAT);
        assert_null(sp);
        assert_true(err.message[0] != '\0');
    }
    ts_buf_free(&big);
}

/* Each byte changed in turn: the read fails properly or gives a good
 * state. */
static void corrupted_bytes(void **state) {
    fixture *f = *state;
    const ts_buf *msgs[] = {&f->unpacked, &f->packed};
    const uint8_t flips[] = {0xff, 0x01, 0x80};
    unsigned failed = 0, read = 0;
    for (int i = 0; i < 2; i++) {
        uint8_t *copy = malloc(msgs[i]->len);
        assert_non_null(copy);
        for (size_t at = 0; at < msgs[i]->len; at++)
            for (size_t k = 0; k < sizeof flips; k++) {
                memcpy(copy, msgs[i]->data, msgs[i]->len);
                copy[at] ^= flips[k];
                char what[80];
                snprintf(what, sizeof what, "%s byte %zu ^ 0x%02x",
                         i ? "packed" : "unpacked", at, flips[k]);
                nupic_error err;
                for (int p = 0; p < 3; p++)
                    if (read_any(copy, msgs[i]->len, (ncp_packing)p, &err,
                                 what) == NUPIC_OK)
                        read++;
                    else
                        failed++;
            }
        free(copy);
    }
    /* Both happen: most changes to values read, most to pointers fail. */
    assert_true(failed > 1000);
    assert_true(read > 1000);
}

/* Several bytes at once, at pseudo-random places, in a large state. */
static void corrupted_hotgym(void **state) {
    (void)state;
    ts_buf big = ts_read_data("reference/sp-hotgym/sp_seq_step1000.capnp.xz");
    uint32_t x = 12345;
    for (int round = 0; round < 6; round++) {
        size_t at[4];
        uint8_t old[4];
        for (int k = 0; k < 4; k++) {
            x = x * 1664525u + 1013904223u;
            /* The first rounds hit the header and the parameters. */
            size_t span = round < 3 ? 600 : big.len;
            at[k] = ((size_t)x << 7 ^ x) % span;
            old[k] = big.data[at[k]];
            big.data[at[k]] ^= (uint8_t)(x >> 24 | 1);
        }
        nupic_error err;
        read_any(big.data, big.len, NCP_PACKING_AUTO, &err, "sp-hotgym");
        for (int k = 4; k-- > 0;)
            big.data[at[k]] = old[k];
    }
    ts_buf_free(&big);
}

/* Reads data (from memory, or from file f on demand) with two threads (the
 * default for a state this large) and in the calling thread alone
 * (no_read_ahead): the same status and message, or equal states. */
static void threads_agree(const ts_buf *data, FILE *f, const char *what) {
    nupic_sp *sp[2];
    nupic_error err[2];
    nupic_status st[2];
    for (int one = 0; one < 2; one++) {
        nupic_load_options lo = {0};
        lo.no_read_ahead = one != 0;
        nupic_error_clear(&err[one]);
        if (f == NULL) {
            st[one] = nupic_sp_read_from_mem(data->data, data->len, &lo,
                                             &sp[one], &err[one]);
        } else {
            rewind(f);
            st[one] = nupic_sp_read_from_file(f, &lo, &sp[one], &err[one]);
        }
    }
    if (st[0] != st[1] || strcmp(err[0].message, err[1].message) != 0)
        fail_msg("%s: two threads: %s \"%s\"; one: %s \"%s\"", what,
                 nupic_status_name(st[0]), err[0].message,
                 nupic_status_name(st[1]), err[1].message);
    if (st[0] != NUPIC_OK) {
        assert_null(sp[0]);
        assert_null(sp[1]);
        return;
    }
    char diff[256];
    if (!nupic_sp_equal(sp[0], sp[1], diff, sizeof diff))
        fail_msg("%s: two threads and one: %s", what, diff);
    nupic_sp_free(sp[0]);
    nupic_sp_free(sp[1]);
}

/* A large state is read by two threads, each taking blocks of columns, and
 * again in the calling thread when anything does not read as expected
 * (sp.c, read_columns_par): whatever the damage - a word anywhere, an
 * index out of range, a NaN permanence, a pool pointer that declares
 * another length, in early or late columns - the result is that of one
 * thread, from memory and from a file read on demand.  The state is
 * nupic.core's hotgym SP as nupic-c writes it: one segment, whose lists'
 * pointers give their lengths (nupic.core's own file, of many segments and
 * far pointers, is read by one thread). */
static void large_state_threads_agree(void **state) {
    (void)state;
    ts_buf ref = ts_read_data("reference/sp-hotgym/sp_seq_step1000.capnp.xz");
    nupic_sp *sp = NULL;
    nupic_error e = {NUPIC_OK, ""};
    if (nupic_sp_read_from_mem(ref.data, ref.len, NULL, &sp, &e) != NUPIC_OK)
        fail_msg("sp-hotgym: %s", e.message);
    ts_buf_free(&ref);
    ts_buf good = sp_bytes(sp, false);
    nupic_sp_free(sp);
    ts_buf bad = {malloc(good.len), good.len};
    assert_non_null(bad.data);
    FILE *f = tmpfile();
    assert_non_null(f);
    uint64_t x = 0x9e3779b97f4a7c15u;
    const size_t words = good.len / 4;
    for (int k = 0; k < 40; k++) {
        memcpy(bad.data, good.data, good.len);
        char what[64];
        snprintf(what, sizeof what, "sp-hotgym, change %d", k);
        if (k > 0) {
            x = x * 6364136223846793005u + 1442695040888963407u;
            /* Every fourth change in the first 64 KiB: the lists of
             * pointers and the first columns. */
            size_t span = k % 4 == 3 ? 16384 : words - 16;
            size_t at = (16 + (size_t)(x >> 17) % span) * 4;
            uint32_t v = ncp_load32(bad.data + at);
            switch (k % 4) {
            case 0: v = 0x7fc00000u; break; /* NaN, or an index */
            case 1:
                v = 1024u + (uint32_t)(x >> 58); /* past numInputs */
                break;
            case 2: v ^= 1u << (x >> 59); break;  /* one bit */
            default: v ^= 8u << (x >> 61); break; /* a count or offset */
            }
            memcpy(bad.data + at, &v, 4);
        }
        threads_agree(&bad, NULL, what);
        if (k % 5 == 0) {
            assert_int_equal(ftruncate(fileno(f), 0), 0);
            rewind(f);
            assert_int_equal(fwrite(bad.data, 1, bad.len, f), bad.len);
            assert_int_equal(fflush(f), 0);
            threads_agree(&bad, f, what);
        }
    }
    fclose(f);
    ts_buf_free(&bad);
    ts_buf_free(&good);
}

/* Many small segments: rows and lists reached through far pointers. */
static void many_segments(void **state) {
    fixture *f = *state;
    const uint32_t words[] = {8, 16, 33};
    for (size_t k = 0; k < 3; k++) {
        spec s = spec_of(f, f->sp);
        s.seg_words = words[k];
        expect_read(&s, f->sp, "small segments");
    }
    spec s = spec_of(f, f->local);
    s.seg_words = 12;
    expect_read(&s, f->local, "small segments, 2-D");
    s = spec_of(f, f->sp);
    s.seg_words = 8;
    s.perms.idx[11][s.perms.len[11] - 1] = NI;
    expect_fail(&s, NUPIC_ERR_FORMAT,
                "SpatialPoolerProto.permanences: row 11 index 100 exceeds "
                "numInputs 100");
    /* Every prefix. */
    s = spec_of(f, f->sp);
    s.seg_words = 8;
    for (int packed = 0; packed < 2; packed++) {
        ts_buf m = spec_build(&s, packed != 0);
        for (size_t len = 0; len < m.len; len += 3) {
            nupic_error err;
            if (read_any(m.data, len, NCP_PACKING_AUTO, &err, "prefix") !=
                NUPIC_ERR_FORMAT)
                fail_msg("prefix of %zu bytes: %s", len, err.message);
        }
        ts_buf_free(&m);
    }
    spec_free(&s);
}

/* ------------------------------------------------------------------------
 * Wrong root type
 * ------------------------------------------------------------------------ */

static void wrong_root_type(void **state) {
    (void)state;
    /* A TemporalMemoryProto: pointer 0 is a List(UInt32), not a random
     * state. */
    ncp_builder *b = NULL;
    assert_int_equal(ncp_builder_new(NULL, &b), NCP_OK);
    TemporalMemoryProto_B tm = TemporalMemoryProto_new_root(b);
    uint32_t dims[] = {2048};
    TemporalMemoryProto_set_columnDimensions(tm, dims, 1);
    TemporalMemoryProto_set_cellsPerColumn(tm, 32);
    TemporalMemoryProto_set_activationThreshold(tm, 13);
    ts_buf m = ts_write_mem(b, 0);
    ncp_builder_free(b);
    save_for_corpus(&m, "wrong_root_tm", "bin");
    expect_bytes_fail(m.data, m.len, NUPIC_ERR_FORMAT,
                      (const char *const[]){"SpatialPoolerProto.random", NULL},
                      "TemporalMemoryProto");
    ts_buf_free(&m);

    /* nupic.core's TemporalMemory state. */
    ts_buf tmf = ts_read_data("reference/tm-hotgym/tm_step1000.capnp.xz");
    expect_bytes_fail(tmf.data, tmf.len, NUPIC_ERR_FORMAT,
                      (const char *const[]){"SpatialPoolerProto.random", NULL},
                      "tm_step1000");
    ts_buf_free(&tmf);

    /* A RandomProto: its impl pointer is read as the random state, and its
     * state list as RandomProto.impl. */
    assert_int_equal(ncp_builder_new(NULL, &b), NCP_OK);
    RandomProto_B rp = RandomProto_new_root(b);
    RandomProto_set_seed(rp, 42);
    RandomImplProto_B impl = RandomProto_init_impl(rp);
    RandomImplProto_init_state(impl, RANDOM_WORDS);
    RandomImplProto_set_fptr(impl, 3);
    m = ts_write_mem(b, 0);
    ncp_builder_free(b);
    expect_bytes_fail(m.data, m.len, NUPIC_ERR_FORMAT,
                      (const char *const[]){"RandomProto.impl", NULL},
                      "RandomProto");
    ts_buf_free(&m);

    /* A null root and an empty struct: no random state. */
    for (int k = 0; k < 2; k++) {
        assert_int_equal(ncp_builder_new(NULL, &b), NCP_OK);
        if (k) ncp_builder_init_root(b, 0, 0);
        m = ts_write_mem(b, 0);
        ncp_builder_free(b);
        expect_bytes_fail(
            m.data, m.len, NUPIC_ERR_FORMAT,
            (const char *const[]){"RandomImplProto.state: 0 words, expected 31",
                                  NULL},
            "empty root");
        ts_buf_free(&m);
    }

    /* A list as the root. */
    assert_int_equal(ncp_builder_new(NULL, &b), NCP_OK);
    ncp_bptr_init_list(ncp_builder_root_ptr(b), NCP_ELEM_4BYTES, 40);
    m = ts_write_mem(b, 0);
    ncp_builder_free(b);
    expect_bytes_fail(m.data, m.len, NUPIC_ERR_FORMAT,
                      (const char *const[]){"SpatialPoolerProto: found a list "
                                            "pointer where a struct was "
                                            "expected",
                                            NULL},
                      "list root");
    ts_buf_free(&m);

    /* Not a message at all. */
    const char text[] = "numInputs = 100, numColumns = 16";
    expect_bytes_fail(text, sizeof text, NUPIC_ERR_TOO_LARGE,
                      (const char *const[]){"segment", NULL}, "text");
    expect_bytes_fail(text, 0, NUPIC_ERR_FORMAT, (const char *const[]){NULL},
                      "empty input");
}

/* ------------------------------------------------------------------------
 * Sizes and dimensions
 * ------------------------------------------------------------------------ */

static void set_num_inputs(SpatialPoolerProto_B b, const spec *s) {
    SpatialPoolerProto_set_numInputs(b, s->at);
}
static void set_num_columns(SpatialPoolerProto_B b, const spec *s) {
    SpatialPoolerProto_set_numColumns(b, s->at);
}
/* inputDimensions of shape s->at below. */
static void set_input_dims(SpatialPoolerProto_B b, const spec *s) {
    static const uint32_t shapes[][9] = {
        {0},                         /* none */
        {1, 1, 1, 1, 1, 1, 1, 1, 1}, /* nine */
        {0, 100},                    /* a zero */
        {65536, 65536},              /* product 2^32 */
        {10, 11},                    /* product 110 */
        {4, 25},                     /* two dimensions, product 100 */
        {2147483647u},               /* the largest */
    };
    static const uint32_t counts[] = {0, 9, 2, 2, 2, 2, 1};
    SpatialPoolerProto_set_inputDimensions(b, shapes[s->at], counts[s->at]);
}

static void numbers_of_inputs_and_columns(void **state) {
    fixture *f = *state;
    spec s = spec_of(f, f->sp);
    s.tweak = set_num_inputs;
    s.at = 0;
    expect_fail(&s, NUPIC_ERR_FORMAT,
                "SpatialPoolerProto.numInputs 0, numColumns 16: each must be "
                "1 to 2^31-1");
    s = spec_of(f, f->sp);
    s.tweak = set_num_inputs;
    s.at = 2147483648u;
    expect_fail(&s, NUPIC_ERR_FORMAT, "numInputs 2147483648, numColumns 16");
    s = spec_of(f, f->sp);
    s.tweak = set_num_columns;
    s.at = 0;
    expect_fail(&s, NUPIC_ERR_FORMAT, "numInputs 100, numColumns 0");
    /* Disagreeing with the dimensions. */
    s = spec_of(f, f->sp);
    s.tweak = set_num_inputs;
    s.at = 101;
    expect_fail(&s, NUPIC_ERR_FORMAT,
                "SpatialPoolerProto.inputDimensions: the dimensions' product "
                "is not 101");
    s = spec_of(f, f->sp);
    s.tweak = set_num_columns;
    s.at = 15;
    expect_fail(&s, NUPIC_ERR_FORMAT,
                "SpatialPoolerProto.columnDimensions: the dimensions' product "
                "is not 15");
}

static void bad_dimensions(void **state) {
    fixture *f = *state;
    const char *want[] = {
        "SpatialPoolerProto.inputDimensions: 0 dimensions (1 to 8 supported)",
        "SpatialPoolerProto.inputDimensions: 9 dimensions (1 to 8 supported)",
        "SpatialPoolerProto.inputDimensions[0] is 0",
        "SpatialPoolerProto.inputDimensions: the dimensions' product is not "
        "100",
        "SpatialPoolerProto.inputDimensions: the dimensions' product is not "
        "100",
        "SpatialPoolerProto.inputDimensions has 2 dimensions, "
        "columnDimensions 1",
        "SpatialPoolerProto.inputDimensions: the dimensions' product is not "
        "100",
    };
    for (uint32_t k = 0; k < 7; k++) {
        spec s = spec_of(f, f->sp);
        s.tweak = set_input_dims;
        s.at = k;
        expect_fail(&s, NUPIC_ERR_FORMAT, want[k]);
    }
}

/* Sizes the message claims but does not hold: numColumns (and
 * numInputs) of 2^31 - 1 with 16 rows.  Found by this test: the reader
 * allocated the per-column arrays before comparing the rows with
 * numColumns, so the claim cost gigabytes (or NUPIC_ERR_NOMEM, or an
 * AddressSanitizer abort) instead of a format error. */
static void set_huge(SpatialPoolerProto_B b, const spec *s) {
    uint32_t huge = 2147483647u;
    SpatialPoolerProto_set_numColumns(b, huge);
    SpatialPoolerProto_set_columnDimensions(b, &huge, 1);
    if (s->at) {
        SpatialPoolerProto_set_numInputs(b, huge);
        SpatialPoolerProto_set_inputDimensions(b, &huge, 1);
    }
}

static void claimed_sizes_not_held(void **state) {
    fixture *f = *state;
    for (uint32_t k = 0; k < 2; k++) {
        spec s = spec_of(f, f->sp);
        s.tweak = set_huge;
        s.at = k;
        s.pool_rows = s.perm_rows = 2147483647u;
        if (k) s.pool_cols = s.perm_cols = 2147483647u;
        expect_fail(&s, NUPIC_ERR_FORMAT,
                    "SpatialPoolerProto.potentialPools.indices: 16 rows, "
                    "expected 2147483647");
    }
}

/* ------------------------------------------------------------------------
 * Potential pools
 * ------------------------------------------------------------------------ */

static void pool_shape(void **state) {
    fixture *f = *state;
    spec s = spec_of(f, f->sp);
    s.pool_cols = 99;
    expect_fail(&s, NUPIC_ERR_FORMAT,
                "SpatialPoolerProto.potentialPools: 16 x 99, expected 16 x "
                "100");
    s = spec_of(f, f->sp);
    s.pool_rows = 17;
    expect_fail(&s, NUPIC_ERR_FORMAT, "potentialPools: 17 x 100, expected");
    s = spec_of(f, f->sp);
    s.pools.n = 15;
    expect_fail(&s, NUPIC_ERR_FORMAT,
                "SpatialPoolerProto.potentialPools.indices: 15 rows, "
                "expected 16");
    s = spec_of(f, f->sp);
    s.pools.n = 0;
    expect_fail(&s, NUPIC_ERR_FORMAT,
                "potentialPools.indices: 0 rows, expected 16");
}

static void pool_row_longer_than_input(void **state) {
    fixture *f = *state;
    spec s = spec_of(f, f->sp);
    s.pools.len[3] = NI + 1;
    for (uint32_t i = 0; i <= NI; i++)
        s.pools.idx[3][i] = i;
    expect_fail(&s, NUPIC_ERR_FORMAT,
                "SpatialPoolerProto.potentialPools: row 3 has 101 inputs, "
                "more than numInputs 100");
}

static void pool_index_out_of_range(void **state) {
    fixture *f = *state;
    const uint32_t bad[] = {NI, NI + 1, 0x7fffffffu, 0xffffffffu};
    for (size_t k = 0; k < 4; k++) {
        spec s = spec_of(f, f->sp);
        s.pools.idx[5][s.pools.len[5] - 1] = bad[k];
        expect_fail(&s, NUPIC_ERR_FORMAT,
                    FMT("SpatialPoolerProto.potentialPools: row 5 index %u "
                        "exceeds numInputs 100",
                        bad[k]));
    }
    /* In every position of a row, and in every row. */
    for (uint32_t c = 0; c < NC; c += 5) {
        spec s0 = spec_of(f, f->sp);
        for (uint32_t k = 0; k < s0.pools.len[c]; k += 3) {
            spec s = spec_of(f, f->sp);
            for (uint32_t j = k; j < s.pools.len[c]; j++)
                s.pools.idx[c][j] = NI + j;
            expect_fail(&s, NUPIC_ERR_FORMAT,
                        FMT("potentialPools: row %u index %u exceeds "
                            "numInputs 100",
                            c, NI + k));
        }
        spec_free(&s0);
    }
}

static void pool_not_ascending(void **state) {
    fixture *f = *state;
    for (uint32_t c = 0; c < NC; c += 3) {
        spec s = spec_of(f, f->sp);
        uint32_t *r = s.pools.idx[c], k = s.pools.len[c] / 2;
        uint32_t a = r[k], b = r[k + 1];
        r[k] = b;
        r[k + 1] = a;
        expect_fail(&s, NUPIC_ERR_FORMAT,
                    FMT("SpatialPoolerProto.potentialPools: row %u is not in "
                        "ascending order (%u after %u)",
                        c, a, b));
    }
    /* A repeated input; a descending row (the first pair reported). */
    spec s = spec_of(f, f->sp);
    uint32_t *r = s.pools.idx[2];
    r[4] = r[3];
    expect_fail(&s, NUPIC_ERR_FORMAT,
                FMT("potentialPools: row 2 is not in ascending order (%u "
                    "after %u)",
                    r[3], r[3]));
    s = spec_of(f, f->sp);
    r = s.pools.idx[9];
    uint32_t n = s.pools.len[9];
    for (uint32_t k = 0; k < n / 2; k++) {
        uint32_t t = r[k];
        r[k] = r[n - 1 - k];
        r[n - 1 - k] = t;
    }
    expect_fail(&s, NUPIC_ERR_FORMAT,
                FMT("potentialPools: row 9 is not in ascending order (%u "
                    "after %u)",
                    r[1], r[0]));
}

static void set_stimulus_threshold(SpatialPoolerProto_B b, const spec *s) {
    SpatialPoolerProto_set_stimulusThreshold(b, s->at);
}

static void pool_shorter_than_stimulus_threshold(void **state) {
    fixture *f = *state;
    spec s = spec_of(f, f->sp);
    uint32_t shortest = 0;
    for (uint32_t c = 1; c < NC; c++)
        if (s.pools.len[c] < s.pools.len[shortest]) shortest = c;
    uint32_t first = 0;
    while (s.pools.len[first] >= s.pools.len[shortest] + 1)
        first++;
    s.tweak = set_stimulus_threshold;
    s.at = s.pools.len[shortest] + 1;
    expect_fail(&s, NUPIC_ERR_FORMAT,
                FMT("SpatialPoolerProto.potentialPools: row %u has %u inputs, "
                    "fewer than stimulusThreshold %u",
                    first, s.pools.len[first], s.pools.len[shortest] + 1));
    /* An empty pool with a threshold of 1. */
    s = spec_of(f, f->local);
    s.pools.len[6] = 0;
    s.perms.len[6] = 0;
    expect_fail(&s, NUPIC_ERR_FORMAT,
                "SpatialPoolerProto.potentialPools: row 6 has 0 inputs, "
                "fewer than stimulusThreshold 1");
}

/* Rows the schema does not allow: the runtime's error is reported, naming
 * the field.  Found by this test: the row read as empty and the reader
 * blamed the permanences ("row 4 has 16 values, more than its potential
 * pool (0)"). */
static void pool_row_of_wrong_type(void **state) {
    fixture *f = *state;
    spec s = spec_of(f, f->sp);
    s.odd_pool_row = 4;
    s.pool_enc = ENC_TEXT;
    expect_fail(&s, NUPIC_ERR_FORMAT,
                "SpatialPoolerProto.potentialPools.indices");
    s = spec_of(f, f->sp);
    s.odd_pool_row = 4;
    s.pool_enc = ENC_U16; /* narrower than UInt32 */
    expect_fail(&s, NUPIC_ERR_FORMAT,
                "SpatialPoolerProto.potentialPools.indices");
}

/* Encodings the schema allows: wider elements read as UInt32. */
static void pool_row_upgraded_encodings(void **state) {
    fixture *f = *state;
    spec s = spec_of(f, f->sp);
    s.odd_pool_row = 4;
    s.pool_enc = ENC_U64;
    expect_read(&s, f->sp, "pool row as List(UInt64)");
    s = spec_of(f, f->sp);
    s.odd_pool_row = 0;
    s.pool_enc = ENC_STRUCT_8B;
    expect_read(&s, f->sp, "pool row as a struct list");
    /* The high halves of 64-bit elements are not part of the indices. */
    s = spec_of(f, f->sp);
    s.odd_pool_row = 4;
    s.pool_enc = ENC_U64;
    s.high = 0xffffffffu;
    expect_read(&s, f->sp, "pool row as List(UInt64), high halves set");
}

/* ------------------------------------------------------------------------
 * Permanences
 * ------------------------------------------------------------------------ */

static void perm_shape(void **state) {
    fixture *f = *state;
    spec s = spec_of(f, f->sp);
    s.perm_cols = 101;
    expect_fail(&s, NUPIC_ERR_FORMAT,
                "SpatialPoolerProto.permanences: 16 x 101, expected 16 x 100");
    s = spec_of(f, f->sp);
    s.perm_rows = 0;
    expect_fail(&s, NUPIC_ERR_FORMAT, "permanences: 0 x 100, expected 16 x");
    s = spec_of(f, f->sp);
    s.perms.n = 15;
    expect_fail(&s, NUPIC_ERR_FORMAT,
                "SpatialPoolerProto.permanences.rows: 15 rows, expected 16");
}

static void perm_row_longer_than_pool(void **state) {
    fixture *f = *state;
    /* Every pool input and one more. */
    spec s = spec_of(f, f->sp);
    uint32_t c = 7, m = s.pools.len[c];
    uint32_t extra = 0;
    for (uint32_t k = 0; k < m && s.pools.idx[c][k] == extra; k++)
        extra++;
    uint32_t n = 0;
    for (uint32_t k = 0, i = 0; i < NI && n <= m; i++)
        if ((k < m && s.pools.idx[c][k] == i) || i == extra) {
            if (k < m && s.pools.idx[c][k] == i) k++;
            s.perms.idx[c][n] = i;
            s.perms.val[c][n++] = 0.3f;
        }
    s.perms.len[c] = n;
    expect_fail(&s, NUPIC_ERR_FORMAT,
                FMT("SpatialPoolerProto.permanences: row 7 has %u values, "
                    "more than its potential pool (%u)",
                    m + 1, m));
    /* Longer than the input. */
    s = spec_of(f, f->sp);
    s.perms.len[c] = NI + 1;
    for (uint32_t i = 0; i <= NI; i++) {
        s.perms.idx[c][i] = i;
        s.perms.val[c][i] = 0.5f;
    }
    expect_fail(&s, NUPIC_ERR_FORMAT,
                FMT("SpatialPoolerProto.permanences: row 7 has 101 values, "
                    "more than its potential pool (%u)",
                    m));
}

static void perm_index_out_of_range(void **state) {
    fixture *f = *state;
    const uint32_t bad[] = {NI, 0x80000000u, 0xffffffffu};
    for (size_t k = 0; k < 3; k++) {
        spec s = spec_of(f, f->sp);
        s.perms.idx[2][s.perms.len[2] - 1] = bad[k];
        expect_fail(&s, NUPIC_ERR_FORMAT,
                    FMT("SpatialPoolerProto.permanences: row 2 index %u "
                        "exceeds numInputs 100",
                        bad[k]));
    }
    /* At every position of some rows: the kernels take 16 values at a
     * time, and the rows hold more. */
    uint32_t longest = 0;
    for (uint32_t c = 0; c < NC; c += 3) {
        spec s0 = spec_of(f, f->sp);
        uint32_t n = s0.perms.len[c];
        spec_free(&s0);
        longest = n > longest ? n : longest;
        for (uint32_t k = 0; k < n; k++) {
            spec s = spec_of(f, f->sp);
            s.perms.idx[c][k] = NI + 5;
            if (k + 1 < n) s.perms.idx[c][k + 1] = NI + 6;
            expect_fail(&s, NUPIC_ERR_FORMAT,
                        FMT("permanences: row %u index %u exceeds numInputs "
                            "100",
                            c, NI + 5));
        }
    }
    assert_true(longest > 16);
}

static void perm_not_ascending(void **state) {
    fixture *f = *state;
    for (uint32_t c = 1; c < NC; c += 4) {
        spec s = spec_of(f, f->sp);
        uint32_t n = s.perms.len[c];
        for (uint32_t k = 0; k + 1 < n; k += 2) {
            spec t = spec_of(f, f->sp);
            uint32_t a = t.perms.idx[c][k], b = t.perms.idx[c][k + 1];
            t.perms.idx[c][k] = b;
            t.perms.idx[c][k + 1] = a;
            expect_fail(&t, NUPIC_ERR_FORMAT,
                        FMT("SpatialPoolerProto.permanences: row %u is not in "
                            "ascending order (%u after %u)",
                            c, a, b));
        }
        /* A repeated input. */
        uint32_t d = s.perms.idx[c][1];
        s.perms.idx[c][2] = d;
        expect_fail(&s, NUPIC_ERR_FORMAT,
                    FMT("permanences: row %u is not in ascending order (%u "
                        "after %u)",
                        c, d, d));
    }
}

static void perm_outside_pool(void **state) {
    fixture *f = *state;
    for (uint32_t c = 0; c < NC; c += 2) {
        spec s = spec_of(f, f->sp);
        /* The first input not in the pool: it replaces the row's first
         * entry, or goes after its last. */
        uint32_t out = 0;
        for (uint32_t k = 0; k < s.pools.len[c] && s.pools.idx[c][k] == out;
             k++)
            out++;
        uint32_t *idx = s.perms.idx[c];
        if (out < idx[0])
            idx[0] = out;
        else {
            out = s.pools.idx[c][s.pools.len[c] - 1] + 1;
            if (out >= NI) {
                spec_free(&s);
                continue;
            }
            idx[s.perms.len[c] - 1] = out;
        }
        expect_fail(&s, NUPIC_ERR_FORMAT,
                    FMT("SpatialPoolerProto.permanences: row %u has a "
                        "permanence for input %u, which is not in its "
                        "potential pool",
                        c, out));
    }
}

static void perm_not_finite(void **state) {
    fixture *f = *state;
    const float bad[] = {NAN, INFINITY, -INFINITY};
    const char *text[] = {"nan", "inf", "-inf"};
    for (size_t v = 0; v < 3; v++)
        for (uint32_t c = 0; c < NC; c += 5) {
            spec s = spec_of(f, f->sp);
            uint32_t k = s.perms.len[c] - 1 - (uint32_t)v;
            s.perms.val[c][k] = bad[v];
            expect_fail(&s, NUPIC_ERR_FORMAT,
                        FMT("SpatialPoolerProto.permanences: row %u input %u "
                            "is %s, not a finite number",
                            c, s.perms.idx[c][k], text[v]));
        }
    /* A NaN with another payload, in a 2-D state. */
    spec s = spec_of(f, f->local);
    float nan2 = ncp_f32_from_bits(0x7fc00123u);
    s.perms.val[3][0] = nan2;
    expect_fail(&s, NUPIC_ERR_FORMAT,
                FMT("permanences: row 3 input %u is nan, not a finite number",
                    s.perms.idx[3][0]));
}

static void perm_row_of_wrong_type(void **state) {
    fixture *f = *state;
    /* A bit list cannot be read as structs. */
    spec s = spec_of(f, f->sp);
    s.odd_perm_row = 8;
    s.perm_enc = ENC_BITS;
    expect_fail(&s, NUPIC_ERR_FORMAT, "SparseFloatList.values");
    /* Text can: as 26 structs of one byte, whose fields read as 0. */
    s = spec_of(f, f->sp);
    s.odd_perm_row = 8;
    s.perm_enc = ENC_TEXT;
    expect_fail(&s, NUPIC_ERR_FORMAT,
                FMT("SpatialPoolerProto.permanences: row 8 has 26 values, "
                    "more than its potential pool (%u)",
                    s.pools.len[8]));
    s = spec_of(f, f->sp);
    s.odd_perm_row = 8;
    s.perm_enc = ENC_TEXT;
    s.pools.len[8] = NI;
    for (uint32_t i = 0; i < NI; i++)
        s.pools.idx[8][i] = i;
    expect_fail(&s, NUPIC_ERR_FORMAT,
                "SpatialPoolerProto.permanences: row 8 is not in ascending "
                "order (0 after 0)");
}

/* Encodings the schema allows, and values that are accepted and clipped
 * as nupic.core clips them. */
static void perm_rows_accepted(void **state) {
    fixture *f = *state;
    spec s = spec_of(f, f->sp);
    s.odd_perm_row = 3;
    s.perm_enc = ENC_WIDE;
    expect_read(&s, f->sp, "SparseFloat of 2 data words and a pointer");
    s = spec_of(f, f->sp);
    s.odd_perm_row = 5;
    s.perm_enc = ENC_U64;
    expect_read(&s, f->sp, "SparseFloat list as List(UInt64)");
    /* Explicit zeros for pool inputs without a value; an empty row. */
    s = spec_of(f, f->sp);
    uint32_t c = 6, n = 0;
    for (uint32_t k = 0; k < s.pools.len[c]; k++) {
        uint32_t i = s.pools.idx[c][k];
        float v = 0.0f;
        for (uint32_t j = 0; j < s.perms.len[c]; j++)
            if (s.perms.idx[c][j] == i) v = s.perms.val[c][j];
        s.perms.idx[c][n] = i;
        s.perms.val[c][n++] = v;
    }
    s.perms.len[c] = n;
    expect_read(&s, f->sp, "explicit zeros");
    s = spec_of(f, f->sp);
    s.perms.len[9] = 0;
    expect_read(&s, NULL, "an empty row");
    /* Values outside [synPermMin, synPermMax], below the trim threshold,
     * negative zero, subnormal: clipped, and stable once written. */
    s = spec_of(f, f->local);
    const float odd[] = {1e30f, -5.0f, 1.5f, -0.0f, 1e-40f, 0.01f, 0.1f};
    for (uint32_t k = 0; k < 7 && k < s.perms.len[2]; k++)
        s.perms.val[2][k] = odd[k];
    expect_read(&s, NULL, "clipped values");
}

/* ------------------------------------------------------------------------
 * Lists of one value per column
 * ------------------------------------------------------------------------ */

static const char *const list_names[] = {
    "tieBreaker", "overlapDutyCycles", "activeDutyCycles",
    "minOverlapDutyCycles", "boostFactors"};

/* List s->at / 8 (of list_names) with value s->value at column s->at % 8,
 * or with s->count - 1 values. */
static void set_column_list(SpatialPoolerProto_B b, const spec *s) {
    uint32_t which = s->at / 8, col = s->at % 8;
    const float *src[] = {
        nupic_sp_tie_breaker(s->sp), nupic_sp_overlap_duty_cycles(s->sp),
        nupic_sp_active_duty_cycles(s->sp),
        nupic_sp_min_overlap_duty_cycles(s->sp), nupic_sp_boost_factors(s->sp)};
    float v[NC + 4] = {0};
    uint32_t n = nupic_sp_num_columns(s->sp);
    memcpy(v, src[which], n * sizeof *v);
    if (s->count)
        n = s->count - 1;
    else
        v[col] = (float)s->value;
    switch (which) {
    case 0: SpatialPoolerProto_set_tieBreaker(b, v, n); break;
    case 1: SpatialPoolerProto_set_overlapDutyCycles(b, v, n); break;
    case 2: SpatialPoolerProto_set_activeDutyCycles(b, v, n); break;
    case 3: SpatialPoolerProto_set_minOverlapDutyCycles(b, v, n); break;
    default: SpatialPoolerProto_set_boostFactors(b, v, n); break;
    }
}

static void column_lists(void **state) {
    fixture *f = *state;
    const double bad[] = {NAN, INFINITY, -INFINITY};
    const char *text[] = {"nan", "inf", "-inf"};
    for (uint32_t l = 0; l < 5; l++) {
        for (uint32_t v = 0; v < 3; v++) {
            spec s = spec_of(f, f->sp);
            s.tweak = set_column_list;
            s.at = l * 8 + 2 + v;
            s.value = bad[v];
            expect_fail(&s, NUPIC_ERR_FORMAT,
                        FMT("SpatialPoolerProto.%s[%u] is %s, not a finite "
                            "number",
                            list_names[l], 2 + v, text[v]));
        }
        const uint32_t lens[] = {0, 15, 17};
        for (uint32_t k = 0; k < 3; k++) {
            spec s = spec_of(f, f->sp);
            s.tweak = set_column_list;
            s.at = l * 8;
            s.count = lens[k] + 1;
            expect_fail(&s, NUPIC_ERR_FORMAT,
                        FMT("SpatialPoolerProto.%s: %u values, expected one "
                            "per column (16)",
                            list_names[l], lens[k]));
        }
    }
}

/* ------------------------------------------------------------------------
 * Parameters
 * ------------------------------------------------------------------------ */

#define FLOAT_SETTERS(X)                                                       \
    X(potentialPct)                                                            \
    X(localAreaDensity)                                                        \
    X(synPermInactiveDec)                                                      \
    X(synPermActiveInc)                                                        \
    X(synPermBelowStimulusInc)                                                 \
    X(synPermConnected)                                                        \
    X(minPctOverlapDutyCycles)                                                 \
    X(boostStrength)                                                           \
    X(synPermMin)                                                              \
    X(synPermMax)                                                              \
    X(synPermTrimThreshold)

#define TWEAK_F(field)                                                         \
    static void tweak_##field(SpatialPoolerProto_B b, const spec *s) {         \
        SpatialPoolerProto_set_##field(b, (float)s->value);                    \
    }
FLOAT_SETTERS(TWEAK_F)
#undef TWEAK_F

static void non_finite_parameters(void **state) {
    fixture *f = *state;
    static const struct {
        const char *name;
        void (*tweak)(SpatialPoolerProto_B, const spec *);
    } fields[] = {
#define ENTRY_F(field) {#field, tweak_##field},
        FLOAT_SETTERS(ENTRY_F)
#undef ENTRY_F
    };
    const double bad[] = {NAN, INFINITY, -INFINITY};
    const char *text[] = {"nan", "inf", "-inf"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        for (size_t v = 0; v < 3; v++) {
            spec s = spec_of(f, f->sp);
            s.tweak = fields[i].tweak;
            s.value = bad[v];
            expect_fail(&s, NUPIC_ERR_FORMAT,
                        FMT("SpatialPoolerProto.%s is %s, not a finite number",
                            fields[i].name, text[v]));
        }
}

static void set_periods(SpatialPoolerProto_B b, const spec *s) {
    SpatialPoolerProto_set_dutyCyclePeriod(b, (uint16_t)(s->at & 0xffff));
    SpatialPoolerProto_set_updatePeriod(b, (uint16_t)(s->at >> 16));
}

static void set_density(SpatialPoolerProto_B b, const spec *s) {
    SpatialPoolerProto_set_numActiveColumnsPerInhArea(b, s->at);
    SpatialPoolerProto_set_localAreaDensity(b, (float)s->value);
}

static void set_stimulus(SpatialPoolerProto_B b, const spec *s) {
    SpatialPoolerProto_set_stimulusThreshold(b, s->at);
    SpatialPoolerProto_set_synPermBelowStimulusInc(b, (float)s->value);
}

static void bad_parameters(void **state) {
    fixture *f = *state;
    spec s = spec_of(f, f->sp);
    s.tweak = tweak_synPermConnected;
    s.value = 0;
    expect_fail(&s, NUPIC_ERR_FORMAT,
                "SpatialPoolerProto.synPermConnected is 0; it must be in "
                "(1e-6, 1]");
    s = spec_of(f, f->sp);
    s.tweak = tweak_synPermConnected;
    s.value = 1e-6;
    expect_fail(&s, NUPIC_ERR_FORMAT, "synPermConnected is 1e-06; it must be");

    s = spec_of(f, f->sp);
    s.tweak = set_periods;
    s.at = 0 | 50u << 16;
    expect_fail(&s, NUPIC_ERR_FORMAT,
                "SpatialPoolerProto.dutyCyclePeriod 0, updatePeriod 50: both "
                "must be at least 1");
    s = spec_of(f, f->sp);
    s.tweak = set_periods;
    s.at = 10;
    expect_fail(&s, NUPIC_ERR_FORMAT, "dutyCyclePeriod 10, updatePeriod 0");

    const float densities[] = {-1.0f, 0.0f, 0.6f};
    const char *dtext[] = {"-1", "0", "0.6"};
    for (int k = 0; k < 3; k++) {
        s = spec_of(f, f->sp);
        s.tweak = set_density;
        s.at = 0;
        s.value = densities[k];
        expect_fail(&s, NUPIC_ERR_FORMAT,
                    FMT("SpatialPoolerProto.numActiveColumnsPerInhArea is 0 "
                        "and localAreaDensity %s is not in (0, 0.5]",
                        dtext[k]));
    }
    s = spec_of(f, f->sp);
    s.tweak = set_stimulus;
    s.at = 2;
    s.value = 0;
    expect_fail(&s, NUPIC_ERR_FORMAT,
                "SpatialPoolerProto.synPermBelowStimulusInc 0 is too small to "
                "raise permanences to stimulusThreshold 2");
    s = spec_of(f, f->sp);
    s.tweak = set_stimulus;
    s.at = 1;
    s.value = -0.1;
    expect_fail(&s, NUPIC_ERR_FORMAT, "synPermBelowStimulusInc -0.1 is");
}

/* Permanence bounds other than nupic.core's, which the reader accepted.
 * With stimulusThreshold > 0 a learning step raises a column's permanences
 * by synPermBelowStimulusInc until enough reach synPermConnected; from
 * synPermMin = -1e30, or towards synPermConnected = 1e30, the sums stop
 * changing and the step never ends.  And with synPermMax below
 * synPermConnected (corrupted_bytes found one: synPermMax -4) or
 * synPermMin above 0, the state read was not the state it wrote back. */
static void set_bounds(SpatialPoolerProto_B b, const spec *s) {
    SpatialPoolerProto_set_stimulusThreshold(b, 1);
    if (s->at == 0) SpatialPoolerProto_set_synPermMin(b, (float)s->value);
    if (s->at == 1) SpatialPoolerProto_set_synPermMax(b, (float)s->value);
    if (s->at == 2) SpatialPoolerProto_set_synPermConnected(b, (float)s->value);
}

static void permanence_bounds(void **state) {
    fixture *f = *state;
    const struct {
        uint32_t which;
        double value;
        const char *want;
    } cases[] = {
        {0, -1e30,
         "SpatialPoolerProto.synPermMin -1e+30 and synPermMax 1: they must "
         "be 0 and 1"},
        {0, 0.01, "synPermMin 0.01 and synPermMax 1: they must be 0 and 1"},
        {1, 2.0, "synPermMin 0 and synPermMax 2: they must be 0 and 1"},
        {1, 0.05, "synPermMin 0 and synPermMax 0.05: they must be 0 and 1"},
        {2, 1e30,
         "SpatialPoolerProto.synPermConnected is 1e+30; it must be in "
         "(1e-6, 1]"},
        {2, 1.5, "synPermConnected is 1.5; it must be in (1e-6, 1]"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        spec s = spec_of(f, f->sp);
        s.tweak = set_bounds;
        s.at = cases[k].which;
        s.value = cases[k].value;
        expect_fail(&s, NUPIC_ERR_FORMAT, cases[k].want);
    }
    /* At the edges: accepted, and a step finishes. */
    spec s = spec_of(f, f->sp);
    s.tweak = set_bounds;
    s.at = 2;
    s.value = 1.0;
    expect_read(&s, NULL, "synPermConnected 1");
}

/* Values between the connection threshold and the trim threshold, which
 * nupic.core never stores (it clips them to 0).  The reader counted them as
 * connected before clipping them, so the state it read wrote back as
 * another one. */
static void perm_between_threshold_and_trim(void **state) {
    fixture *f = *state;
    spec s = spec_of(f, f->sp);
    s.tweak = tweak_synPermTrimThreshold;
    s.value = 0.5;
    for (uint32_t k = 0; k < s.perms.len[3]; k++)
        s.perms.val[3][k] = 0.3f;
    ts_buf m = spec_build(&s, false);
    nupic_sp *sp = NULL;
    nupic_error err = {NUPIC_OK, ""};
    if (nupic_sp_read_from_mem(m.data, m.len, NULL, &sp, &err))
        fail_msg("%s", err.message);
    assert_int_equal(nupic_sp_connected_counts(sp)[3], 0);
    float perm[NI];
    assert_int_equal(nupic_sp_get_permanence(sp, 3, perm), NUPIC_OK);
    for (uint32_t i = 0; i < NI; i++)
        assert_true(perm[i] == 0.0f);
    nupic_sp_free(sp);
    ts_buf_free(&m);
    expect_read(&s, NULL, "permanences below synPermTrimThreshold");
}

/* Every pool empty (and so no synapse at all).  Found by the fuzzer: the
 * reader then allocated no pool arrays, and offset and copied through null
 * pointers (undefined behaviour, reported by the sanitizers). */
static void all_pools_empty(void **state) {
    fixture *f = *state;
    spec s = spec_of(f, f->sp);
    for (uint32_t c = 0; c < NC; c++)
        s.pools.len[c] = s.perms.len[c] = 0;
    expect_read(&s, NULL, "every pool empty");
}

/* ------------------------------------------------------------------------
 * Files read on demand
 * ------------------------------------------------------------------------ */

/* Permanences laid out before the pools (the reader reads every pool
 * first): the same state, from memory and from files. */
static void permanences_before_pools(void **state) {
    fixture *f = *state;
    spec s = spec_of(f, f->sp);
    s.perms_first = true;
    expect_read(&s, f->sp, "permanences first");
    s = spec_of(f, f->local);
    s.perms_first = true;
    s.seg_words = 16;
    expect_read(&s, f->local, "permanences first, small segments");
    s = spec_of(f, f->sp);
    s.perms_first = true;
    s.perms.idx[3][0] = NI + 7;
    expect_fail(&s, NUPIC_ERR_FORMAT,
                "SpatialPoolerProto.permanences: row 3 index 107 exceeds "
                "numInputs 100");
}

/* A state of about 2 MB: larger than the reader's window and chunks. */
static nupic_sp *large_sp(void) {
    nupic_sp_params p;
    nupic_sp_params_default(&p);
    p.num_dimensions = 1;
    p.input_dimensions[0] = 512;
    p.column_dimensions[0] = 400;
    p.potential_radius = 512;
    p.potential_pct = 0.8f;
    p.num_active_columns_per_inh_area = 10;
    p.seed = 99;
    return make_sp(&p, 3);
}

/* The offset of the middle of the rows of permanences in the unpacked
 * message b (nupic_sp_write lays them out after the pools). */
static size_t middle_of_permanences(const ts_buf *b) {
    ncp_msg *m = ts_open(b);
    SpatialPoolerProto_R r = SpatialPoolerProto_read_root(m);
    SparseFloatList_RList pr =
        SparseMatrixProto_get_rows(SpatialPoolerProto_get_permanences(r));
    uint32_t n = SparseFloatList_RList_len(pr);
    SparseFloat_RList v =
        SparseFloatList_get_values(SparseFloatList_RList_get(pr, n / 2));
    size_t at = (size_t)(v.l.start - b->data);
    assert_int_equal(ncp_msg_status(m), NCP_OK);
    ncp_msg_free(m);
    assert_true(at > b->len / 2 && at < b->len);
    return at;
}

/* A file cut in the middle of the rows of permanences fails, whichever
 * way it is read, with what reading it at once gives. */
static void file_cut_in_permanence_rows(void **state) {
    (void)state;
    nupic_sp *sp = large_sp();
    ts_buf b = sp_bytes(sp, false);
    assert_true(b.len > (2u << 20) * 3 / 4);
    size_t cut = middle_of_permanences(&b);
    const char *subs[] = {NULL};
    expect_bytes_fail(b.data, cut, NUPIC_ERR_FORMAT, subs, "cut in rows");
    /* And the whole file reads (at once and on demand agree). */
    nupic_error err;
    assert_int_equal(read_any(b.data, b.len, NCP_PACKING_AUTO, &err, "large"),
                     NUPIC_OK);
    ts_buf_free(&b);
    nupic_sp_free(sp);
}

/* A file that stops being readable while the state is read on demand:
 * shortened in the middle of the rows of permanences, or its descriptor
 * replaced by one that cannot read.  The read fails with that error, no
 * state, nothing leaked. */
static void file_fails_while_read(void **state) {
    (void)state;
    nupic_sp *sp = large_sp();
    ts_buf b = sp_bytes(sp, false);
    size_t cut = middle_of_permanences(&b);
    for (int how = 0; how < 2; how++) {
        ts_write_file("failing.bin", b.data, b.len);
        int fd = open("failing.bin", O_RDWR);
        assert_true(fd >= 0);
        ncp_read_options o = load_options(NCP_PACKING_AUTO);
        ncp_msg *m = NULL;
        assert_int_equal(ncp_msg_read_fd_on_demand(fd, &o, &m, NULL), NCP_OK);
        if (how == 0) {
            assert_int_equal(ftruncate(fd, (off_t)cut), 0);
        } else {
            int w = open("failing.bin", O_WRONLY);
            assert_true(w >= 0);
            assert_int_equal(dup2(w, fd), fd);
            close(w);
        }
        nupic_sp *back = SENTINEL;
        nupic_error err = {NUPIC_OK, ""};
        nupic_status st =
            nupic_sp_read(SpatialPoolerProto_read_root(m), &back, &err);
        assert_null(back);
        if (how == 0) {
            assert_int_equal(st, NUPIC_ERR_FORMAT);
            assert_non_null(strstr(err.message, "segments: input ends after"));
        } else {
            assert_int_equal(st, NUPIC_ERR_IO);
            assert_non_null(strstr(err.message, strerror(EBADF)));
        }
        assert_int_equal(err.status, st);
        ncp_msg_free(m);
        close(fd);
    }
    remove("failing.bin");
    ts_buf_free(&b);
    nupic_sp_free(sp);
}

/* ------------------------------------------------------------------------
 * Random state
 * ------------------------------------------------------------------------ */

/* s->at: 0 a state of value - 1000 words, 1 word 5 = value, 2 cursors
 * (value = rptr, fptr), 3 no random state at all. */
static void set_random(SpatialPoolerProto_B b, const spec *s) {
    if (s->at == 3) {
        ncp_bptr_set_null(ncp_bstruct_ptr(&b.s, 0));
        return;
    }
    RandomProto_B r = SpatialPoolerProto_init_random(b);
    RandomProto_set_seed(r, s->f->seed);
    RandomImplProto_B impl = RandomProto_init_impl(r);
    int64_t st[RANDOM_WORDS + 8];
    memcpy(st, s->f->state, sizeof s->f->state);
    memset(st + RANDOM_WORDS, 0, 8 * sizeof st[0]);
    uint32_t n = RANDOM_WORDS;
    int64_t rptr = s->f->rptr, fptr = s->f->fptr;
    if (s->at == 0) n = (uint32_t)(s->value - 1000);
    if (s->at == 1) st[5] = (int64_t)s->value;
    if (s->at == 2) {
        rptr = (int64_t)s->value / 1000;
        fptr = (int64_t)s->value % 1000;
    }
    RandomImplProto_set_state(impl, st, n);
    RandomImplProto_set_rptr(impl, rptr);
    RandomImplProto_set_fptr(impl, fptr);
}

static void bad_random_state(void **state) {
    fixture *f = *state;
    const uint32_t lens[] = {0, 30, 32};
    for (int k = 0; k < 3; k++) {
        spec s = spec_of(f, f->sp);
        s.tweak = set_random;
        s.at = 0;
        s.value = 1000 + lens[k];
        expect_fail(
            &s, NUPIC_ERR_FORMAT,
            FMT("RandomImplProto.state: %u words, expected 31", lens[k]));
    }
    const double words[] = {-1.0, 4294967296.0, -9.2e18};
    const char *wtext[] = {"-1", "4294967296", "-9200000000000000000"};
    for (int k = 0; k < 3; k++) {
        spec s = spec_of(f, f->sp);
        s.tweak = set_random;
        s.at = 1;
        s.value = words[k];
        expect_fail(&s, NUPIC_ERR_FORMAT,
                    FMT("RandomImplProto.state: word 5 is %s, not a 32-bit "
                        "value",
                        wtext[k]));
    }
    const struct {
        int64_t rptr, fptr;
    } cur[] = {{0, 0}, {0, 4}, {30, 31}, {31, 3}};
    for (int k = 0; k < 4; k++) {
        spec s = spec_of(f, f->sp);
        s.tweak = set_random;
        s.at = 2;
        s.value = (double)(cur[k].rptr * 1000 + cur[k].fptr);
        expect_fail(&s, NUPIC_ERR_FORMAT,
                    FMT("RandomImplProto: cursors rptr %lld and fptr %lld are "
                        "not 3 apart within the state",
                        (long long)cur[k].rptr, (long long)cur[k].fptr));
    }
    spec s = spec_of(f, f->sp);
    s.tweak = set_random;
    s.at = 3;
    expect_fail(&s, NUPIC_ERR_FORMAT,
                "RandomImplProto.state: 0 words, expected 31");
    /* The same cursors, moved round: a valid state. */
    s = spec_of(f, f->sp);
    s.tweak = set_random;
    s.at = 2;
    s.value = 28 * 1000 + 0;
    expect_read(&s, NULL, "cursors 28 and 0");
}

/* ------------------------------------------------------------------------
 * Pointers that are wrong in the message itself
 * ------------------------------------------------------------------------ */

/* s->at: which root pointer (1 potentialPools, 2 permanences, 5
 * tieBreaker, ...) becomes a list or a struct of the wrong kind. */
static void set_wrong_pointer(SpatialPoolerProto_B b, const spec *s) {
    ncp_bptr p = ncp_bstruct_ptr(&b.s, s->at);
    if (s->value == 0)
        ncp_bptr_init_list(p, NCP_ELEM_4BYTES, 16);
    else if (s->value == 1)
        ncp_bptr_init_struct(p, 1, 1);
    else
        ncp_bptr_init_list(p, NCP_ELEM_BIT, 16);
}

static void root_pointers_of_wrong_kind(void **state) {
    fixture *f = *state;
    const struct {
        uint32_t ptr;
        double kind;
        const char *want;
    } cases[] = {
        {3, 0, "SpatialPoolerProto.potentialPools"},
        {4, 0, "SpatialPoolerProto.permanences"},
        {5, 1, "SpatialPoolerProto.tieBreaker"},
        {6, 2, "SpatialPoolerProto.overlapDutyCycles"},
        {10, 1, "SpatialPoolerProto.boostFactors"},
        {1, 1, "SpatialPoolerProto.columnDimensions"},
        {2, 2, "SpatialPoolerProto.inputDimensions"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        spec s = spec_of(f, f->sp);
        s.tweak = set_wrong_pointer;
        s.at = cases[k].ptr;
        s.value = cases[k].kind;
        expect_fail(&s, NUPIC_ERR_FORMAT, cases[k].want);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(varied_states),
        cmocka_unit_test(truncated_everywhere),
        cmocka_unit_test(truncated_nupic_core_files),
        cmocka_unit_test(corrupted_bytes),
        cmocka_unit_test(corrupted_hotgym),
        cmocka_unit_test(many_segments),
        cmocka_unit_test(large_state_threads_agree),
        cmocka_unit_test(wrong_root_type),
        cmocka_unit_test(numbers_of_inputs_and_columns),
        cmocka_unit_test(bad_dimensions),
        cmocka_unit_test(claimed_sizes_not_held),
        cmocka_unit_test(pool_shape),
        cmocka_unit_test(pool_row_longer_than_input),
        cmocka_unit_test(pool_index_out_of_range),
        cmocka_unit_test(pool_not_ascending),
        cmocka_unit_test(pool_shorter_than_stimulus_threshold),
        cmocka_unit_test(pool_row_of_wrong_type),
        cmocka_unit_test(pool_row_upgraded_encodings),
        cmocka_unit_test(perm_shape),
        cmocka_unit_test(perm_row_longer_than_pool),
        cmocka_unit_test(perm_index_out_of_range),
        cmocka_unit_test(perm_not_ascending),
        cmocka_unit_test(perm_outside_pool),
        cmocka_unit_test(perm_not_finite),
        cmocka_unit_test(perm_row_of_wrong_type),
        cmocka_unit_test(perm_rows_accepted),
        cmocka_unit_test(column_lists),
        cmocka_unit_test(non_finite_parameters),
        cmocka_unit_test(bad_parameters),
        cmocka_unit_test(permanence_bounds),
        cmocka_unit_test(perm_between_threshold_and_trim),
        cmocka_unit_test(all_pools_empty),
        cmocka_unit_test(permanences_before_pools),
        cmocka_unit_test(file_cut_in_permanence_rows),
        cmocka_unit_test(file_fails_while_read),
        cmocka_unit_test(bad_random_state),
        cmocka_unit_test(root_pointers_of_wrong_kind),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
