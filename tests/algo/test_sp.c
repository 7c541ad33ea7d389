/*
 * tests/algo/test_sp.c - the spatial pooler against nupic.core: the same
 * active columns at every step (tests/data/reference/sp-hotgym), the same
 * state after construction (sp-tiny), nupic.core's saved state loading and
 * continuing exactly; round trips that keep every field and byte.
 */
#define _POSIX_C_SOURCE 200809L

#include "test_support.h"

#include <dirent.h>

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nupic/ncp.h>
#include <nupic/sp.h>

#include "sp_simd.h" /* sps_force_scalar */

/* sp-hotgym/params.json */
static nupic_sp_params hotgym_params(void) {
    nupic_sp_params p;
    nupic_sp_params_default(&p);
    p.num_dimensions = 1;
    p.input_dimensions[0] = 1024;
    p.column_dimensions[0] = 2048;
    p.potential_radius = 1024;
    p.potential_pct = 0.8f;
    p.global_inhibition = true;
    p.local_area_density = -1.0f;
    p.num_active_columns_per_inh_area = 40;
    p.stimulus_threshold = 0;
    p.syn_perm_inactive_dec = 0.0005f;
    p.syn_perm_active_inc = 0.003f;
    p.syn_perm_connected = 0.2f;
    p.min_pct_overlap_duty_cycles = 0.001f;
    p.duty_cycle_period = 1000;
    p.boost_strength = 0.0f;
    p.seed = 1956;
    p.sp_verbosity = 0;
    p.wrap_around = true;
    return p;
}

typedef struct fixture {
    ts_sdrs input, trace;
} fixture;

static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    ts_buf in = ts_read_data("reference/inputs/seq_1024x51_2000.txt.xz");
    ts_buf tr = ts_read_data("reference/sp-hotgym/sp_seq_active.txt.xz");
    f->input = ts_parse_sdrs(&in);
    f->trace = ts_parse_sdrs(&tr);
    ts_buf_free(&in);
    ts_buf_free(&tr);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    ts_sdrs_free(&f->input);
    ts_sdrs_free(&f->trace);
    free(f);
    return 0;
}

/* Runs steps [from, to) of the trace and checks every step. */
static void run_and_check(nupic_sp *sp, const fixture *f, uint32_t from,
                          uint32_t to) {
    uint32_t out[2048];
    for (uint32_t t = from; t < to; t++) {
        size_t n = 0;
        nupic_error err = {NUPIC_OK, ""};
        const uint32_t *in = f->input.idx + f->input.start[t];
        size_t nin = f->input.start[t + 1] - f->input.start[t];
        if (nupic_sp_compute(sp, in, nin, true, out, &n, &err) != NUPIC_OK)
            fail_msg("step %u: %s", t + 1, err.message);
        ts_assert_sdr(&f->trace, t, out, n, "sp-hotgym active columns");
    }
}

static void hotgym_2000_steps(void **state) {
    fixture *f = *state;
    nupic_sp_params p = hotgym_params();
    nupic_sp *sp;
    nupic_error err = {NUPIC_OK, ""};
    assert_int_equal(nupic_sp_new(&p, &sp, &err), NUPIC_OK);
    run_and_check(sp, f, 0, 2000);
    assert_int_equal(nupic_sp_iteration_num(sp), 2000);
    nupic_sp_free(sp);
}

/* nupic.core's state after step 1000 loads and continues exactly. */
/* Where the CPU runs the AVX-512 kernels (which learning uses to rebuild
 * the connected bits), the scalar path as well: both match nupic.core's
 * trace, and the two SPs stay equal field by field. */
static void scalar_and_simd_paths_agree(void **state) {
#ifdef SPS_KERNELS
    fixture *f = *state;
    if (!sps_available()) skip();
    nupic_sp_params p = hotgym_params();
    nupic_sp *simd, *scalar;
    nupic_error err = {NUPIC_OK, ""};
    assert_int_equal(nupic_sp_new(&p, &simd, &err), NUPIC_OK);
    assert_int_equal(nupic_sp_new(&p, &scalar, &err), NUPIC_OK);
    for (uint32_t t = 0; t < 2000; t += 250) {
        run_and_check(simd, f, t, t + 250);
        sps_force_scalar(true);
        run_and_check(scalar, f, t, t + 250);
        sps_force_scalar(false);
        char diff[256];
        if (!nupic_sp_equal(simd, scalar, diff, sizeof diff))
            fail_msg("after step %u: %s", t + 250, diff);
    }
    nupic_sp_free(simd);
    nupic_sp_free(scalar);
#else
    (void)state;
    skip();
#endif
}

static void hotgym_resume_from_nupic_core(void **state) {
    fixture *f = *state;
    ts_buf bytes = ts_read_data("reference/sp-hotgym/sp_seq_step1000.capnp.xz");
    assert_int_equal(bytes.len, 19909208);
    nupic_sp *sp;
    nupic_error err = {NUPIC_OK, ""};
    if (nupic_sp_read_from_mem(bytes.data, bytes.len, NULL, &sp, &err) !=
        NUPIC_OK)
        fail_msg("%s", err.message);
    assert_int_equal(nupic_sp_iteration_num(sp), 1000);
    /* It equals our own run to step 1000, field by field. */
    nupic_sp_params p = hotgym_params();
    nupic_sp *ours;
    assert_int_equal(nupic_sp_new(&p, &ours, &err), NUPIC_OK);
    run_and_check(ours, f, 0, 1000);
    char diff[256];
    if (!nupic_sp_equal(sp, ours, diff, sizeof diff))
        fail_msg("state after step 1000 differs from nupic.core's: %s", diff);
    run_and_check(sp, f, 1000, 2000);
    nupic_sp_free(ours);
    nupic_sp_free(sp);
    ts_buf_free(&bytes);
}

/* ------------------------------------------------------------------------
 * Round trips and compatibility
 * ------------------------------------------------------------------------ */

static void write_mem(const nupic_sp *sp, bool unpacked, ts_buf *out) {
    nupic_save_options o = {unpacked};
    nupic_error err = {NUPIC_OK, ""};
    void *buf = NULL;
    size_t len = 0;
    if (nupic_sp_write_to_mem(sp, &o, &buf, &len, &err) != NUPIC_OK)
        fail_msg("write_to_mem: %s", err.message);
    out->data = buf;
    out->len = len;
}

/* a and b are equal in every field and write the same bytes, packed and
 * unpacked. */
static void assert_equal_states(const nupic_sp *a, const nupic_sp *b,
                                const char *what) {
    char diff[256];
    if (!nupic_sp_equal(a, b, diff, sizeof diff))
        fail_msg("%s: %s", what, diff);
    for (int unpacked = 0; unpacked < 2; unpacked++) {
        ts_buf x, y;
        write_mem(a, unpacked, &x);
        write_mem(b, unpacked, &y);
        ts_assert_bytes_equal(x.data, x.len, y.data, y.len);
        ts_buf_free(&x);
        ts_buf_free(&y);
    }
}

/* The copy equals the original in every field, writes the same bytes
 * (packed and unpacked), and the two compute the same next steps. */
static void assert_same_sp(nupic_sp *orig, nupic_sp *copy, const fixture *f,
                           uint32_t from, const char *how) {
    char what[128];
    snprintf(what, sizeof what, "%s: state differs after the round trip", how);
    assert_equal_states(orig, copy, what);
    uint32_t oa[2048], ob[2048];
    for (uint32_t t = from; t < from + 50; t++) {
        size_t na = 0, nb = 0;
        nupic_error err = {NUPIC_OK, ""};
        const uint32_t *in = f->input.idx + f->input.start[t];
        size_t nin = f->input.start[t + 1] - f->input.start[t];
        assert_int_equal(nupic_sp_compute(orig, in, nin, true, oa, &na, &err),
                         NUPIC_OK);
        assert_int_equal(nupic_sp_compute(copy, in, nin, true, ob, &nb, &err),
                         NUPIC_OK);
        if (na != nb || memcmp(oa, ob, na * sizeof oa[0]) != 0)
            fail_msg("%s: step %u differs after the round trip", how, t + 1);
    }
    snprintf(what, sizeof what,
             "%s: state differs 50 steps after the round trip", how);
    assert_equal_states(orig, copy, what);
}

/* Every way of saving and loading keeps the whole state. */
static void round_trips(void **state) {
    fixture *f = *state;
    nupic_sp_params p = hotgym_params();
    nupic_error err = {NUPIC_OK, ""};
    uint32_t from = 300;
    const char *path = "sp_round_trip.capnp";
    for (int form = 0; form < 8; form++) {
        nupic_sp *orig, *copy = NULL;
        assert_int_equal(nupic_sp_new(&p, &orig, &err), NUPIC_OK);
        run_and_check(orig, f, 0, from);
        bool unpacked = form & 1;
        nupic_save_options so = {unpacked};
        char how[64];
        nupic_status st;
        if (form < 2) { /* memory, packing detected */
            snprintf(how, sizeof how, "memory, %s",
                     unpacked ? "unpacked" : "packed");
            ts_buf b;
            write_mem(orig, unpacked, &b);
            st = nupic_sp_read_from_mem(b.data, b.len, NULL, &copy, &err);
            ts_buf_free(&b);
        } else if (form < 6) { /* FILE*, packing detected or told */
            bool told = form >= 4;
            snprintf(how, sizeof how, "FILE*, %s, packing %s",
                     unpacked ? "unpacked" : "packed",
                     told ? "told" : "detected");
            FILE *fp = tmpfile();
            assert_non_null(fp);
            if (nupic_sp_write_to_file(orig, fp, &so, &err) != NUPIC_OK)
                fail_msg("%s: %s", how, err.message);
            /* A second message after it: reading stops at the first. */
            assert_int_equal(fputs("trailing", fp) >= 0, true);
            rewind(fp);
            nupic_load_options lo = {.packing =
                                         told ? (unpacked ? NCP_PACKING_UNPACKED
                                                          : NCP_PACKING_PACKED)
                                              : NCP_PACKING_AUTO};
            st = nupic_sp_read_from_file(fp, &lo, &copy, &err);
            if (st == NUPIC_OK) {
                char rest[16] = {0};
                assert_non_null(fgets(rest, sizeof rest, fp));
                assert_string_equal(rest, "trailing");
            }
            fclose(fp);
        } else { /* a path, replaced atomically */
            snprintf(how, sizeof how, "path, %s",
                     unpacked ? "unpacked" : "packed");
            ts_write_file(path, "old contents", 12);
            if (nupic_sp_save(orig, path, &so, &err) != NUPIC_OK)
                fail_msg("%s: %s", how, err.message);
            st = nupic_sp_load(path, NULL, &copy, &err);
            remove(path);
        }
        if (st != NUPIC_OK) fail_msg("%s: %s", how, err.message);
        assert_same_sp(orig, copy, f, from, how);
        nupic_sp_free(orig);
        nupic_sp_free(copy);
    }
}

/* The message we write for nupic.core's state holds the values nupic.core
 * wrote, field by field as the schema reads them (the layout of segments
 * may differ: nupic.core's builder grows many; ours presizes one). */
static void writes_nupic_core_values(void **state) {
    (void)state;
    const char *files[] = {"reference/sp-hotgym/sp_seq_step1000.capnp.xz",
                           "reference/sp-tiny/sp_tiny_10x10_cppdefaults.capnp",
                           "reference/sp-tiny/"
                           "sp_tiny_10x10_pydefaults_seed1956.capnp"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        ts_buf theirs = ts_read_data(files[i]);
        nupic_sp *sp;
        nupic_error err = {NUPIC_OK, ""};
        if (nupic_sp_read_from_mem(theirs.data, theirs.len, NULL, &sp, &err))
            fail_msg("%s: %s", files[i], err.message);
        ts_buf ours;
        write_mem(sp, true, &ours);
        ncp_msg *a = ts_open(&theirs), *b = ts_open(&ours);
        bool equal = false;
        ncp_diff diff = {""};
        ncp_error e = {NCP_OK, ""};
        assert_int_equal(ncp_dyn_equal_roots(a, b, &SpatialPoolerProto_schema,
                                             NCP_EQUAL_NULL_DIFFERS, &equal,
                                             &diff, &e),
                         NCP_OK);
        if (!equal) fail_msg("%s: %s", files[i], diff.message);
        ncp_msg_free(a);
        ncp_msg_free(b);
        ts_buf_free(&ours);
        ts_buf_free(&theirs);
        nupic_sp_free(sp);
    }
}

/* The reference tool, with NuPIC's schema, decodes what we write to the
 * same text as nupic.core's file for the same state. */
static void decodes_with_nupic_schema(void **state) {
    (void)state;
    const char *schema_dir = getenv("NUPIC_SCHEMA_DIR");
    assert_non_null(schema_dir);
    const char *file =
        "reference/sp-tiny/sp_tiny_10x10_pydefaults_seed1956.capnp";
    ts_buf theirs = ts_read_data(file);
    nupic_sp *sp;
    nupic_error err = {NUPIC_OK, ""};
    assert_int_equal(
        nupic_sp_read_from_mem(theirs.data, theirs.len, NULL, &sp, &err),
        NUPIC_OK);
    ts_buf ours;
    write_mem(sp, true, &ours);
    ts_write_file("ours.capnp", ours.data, ours.len);
    ts_write_file("theirs.capnp", theirs.data, theirs.len);
    char args[4096];
    snprintf(args, sizeof args,
             "decode -I '%s' '%s/nupic/proto/SpatialPoolerProto.capnp' "
             "SpatialPoolerProto",
             schema_dir, schema_dir);
    assert_int_equal(ts_capnp(args, "ours.capnp", "ours.txt"), 0);
    assert_int_equal(ts_capnp(args, "theirs.capnp", "theirs.txt"), 0);
    ts_buf a = ts_read_file("ours.txt"), b = ts_read_file("theirs.txt");
    assert_true(a.len > 1000);
    ts_assert_bytes_equal(a.data, a.len, b.data, b.len);
    ts_buf_free(&a);
    ts_buf_free(&b);
    ts_buf_free(&ours);
    ts_buf_free(&theirs);
    nupic_sp_free(sp);
}

/* A save that fails part way (the file size limit: EFBIG) reports an I/O
 * error and leaves the previous file as it was. */
static void failed_save_keeps_old_file(void **state) {
    fixture *f = *state;
    nupic_sp_params p = hotgym_params();
    nupic_error err = {NUPIC_OK, ""};
    nupic_sp *sp;
    assert_int_equal(nupic_sp_new(&p, &sp, &err), NUPIC_OK);
    run_and_check(sp, f, 0, 10);
    const char *path = "sp_keep.capnp";
    ts_write_file(path, "previous checkpoint", 19);
    struct rlimit old;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    struct rlimit small = old;
    small.rlim_cur = 1 << 20; /* the state is ~15 MB */
    void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    nupic_status st = nupic_sp_save(sp, path, NULL, &err);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, prev);
    if (st != NUPIC_ERR_IO || strstr(err.message, path) == NULL)
        fail_msg("status %s, message: %s", nupic_status_name(st), err.message);
    ts_buf kept = ts_read_file(path);
    assert_int_equal(kept.len, 19);
    assert_memory_equal(kept.data, "previous checkpoint", 19);
    ts_buf_free(&kept);
    /* No temporary file is left behind. */
    DIR *dir = opendir(".");
    assert_non_null(dir);
    for (struct dirent *e; (e = readdir(dir)) != NULL;)
        if (strncmp(e->d_name, path, strlen(path)) == 0 &&
            strcmp(e->d_name, path) != 0)
            fail_msg("temporary file left behind: %s", e->d_name);
    closedir(dir);
    remove(path);
    nupic_sp_free(sp);
}

/* Loading from a path: errors name the path; a file cut short is an error
 * (the file is read, not mapped: a file truncated during the load gives an
 * error too, see test_sp_bad.c); a pipe works as well as a regular file. */
static void load_path_errors(void **state) {
    fixture *f = *state;
    nupic_sp_params p = hotgym_params();
    nupic_error err = {NUPIC_OK, ""};
    nupic_sp *sp, *back = NULL;
    assert_int_equal(nupic_sp_new(&p, &sp, &err), NUPIC_OK);
    run_and_check(sp, f, 0, 10);
    nupic_save_options unpacked = {true};
    assert_int_equal(nupic_sp_save(sp, "sp_whole.capnp", &unpacked, &err),
                     NUPIC_OK);

    nupic_status st = nupic_sp_load("sp_missing.capnp", NULL, &back, &err);
    if (st != NUPIC_ERR_IO || back != NULL ||
        strncmp(err.message, "sp_missing.capnp: ", 18) != 0)
        fail_msg("missing file: %s: %s", nupic_status_name(st), err.message);

    ts_buf whole = ts_read_file("sp_whole.capnp");
    ts_write_file("sp_half.capnp", whole.data, whole.len / 2);
    nupic_error_clear(&err); /* the record keeps its first error */
    st = nupic_sp_load("sp_half.capnp", NULL, &back, &err);
    if (st != NUPIC_ERR_FORMAT || back != NULL ||
        strncmp(err.message, "sp_half.capnp: ", 15) != 0)
        fail_msg("half a file: %s: %s", nupic_status_name(st), err.message);

    /* Through a pipe: a child writes the state into a FIFO. */
    remove("sp_fifo");
    assert_int_equal(mkfifo("sp_fifo", 0600), 0);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        alarm(60); /* never outlive a reader that does not come */
        FILE *w = fopen("sp_fifo", "wb");
        size_t n = w ? fwrite(whole.data, 1, whole.len, w) : 0;
        _exit(w != NULL && n == whole.len && fclose(w) == 0 ? 0 : 1);
    }
    nupic_error_clear(&err);
    st = nupic_sp_load("sp_fifo", NULL, &back, &err);
    int status = 0;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    if (st != NUPIC_OK) fail_msg("fifo: %s", err.message);
    char diff[256];
    if (!nupic_sp_equal(sp, back, diff, sizeof diff))
        fail_msg("loaded through a pipe: %s", diff);
    nupic_sp_free(back);
    remove("sp_fifo");
    remove("sp_half.capnp");
    remove("sp_whole.capnp");
    ts_buf_free(&whole);
    nupic_sp_free(sp);
}

/* The states nupic.core wrote (and ours, after many steps), loaded from
 * files - read on demand by nupic_sp_load and nupic_sp_read_from_file -
 * equal those read from memory, and those read from the files at once, and
 * write the same bytes. */
static const char *const sp_reference_files[] = {
    "reference/sp-hotgym/sp_seq_step1000.capnp.xz",
    "reference/generated/sp-2d/sp_step500.capnp.xz",
    "reference/generated/sp-local-wrap/sp_step500.capnp.xz",
    "reference/sp-tiny/sp_tiny_10x10_cppdefaults.capnp",
    "reference/sp-tiny/sp_tiny_10x10_cppdefaults.capnp.packed",
    "reference/sp-tiny/sp_tiny_10x10_pydefaults_seed1956.capnp",
    "reference/sp-tiny/sp_tiny_10x10_pydefaults_seed1956.capnp.packed"};

static void reference_files_load_from_files(void **state) {
    (void)state;
    size_t nfiles = sizeof sp_reference_files / sizeof sp_reference_files[0];
    for (size_t i = 0; i < nfiles; i++) {
        const char *name = sp_reference_files[i];
        ts_buf bytes = ts_read_data(name);
        nupic_sp *mem = NULL, *back = NULL;
        nupic_error err = {NUPIC_OK, ""};
        if (nupic_sp_read_from_mem(bytes.data, bytes.len, NULL, &mem, &err))
            fail_msg("%s: %s", name, err.message);
        ts_write_file("reference.capnp", bytes.data, bytes.len);
        /* A path. */
        if (nupic_sp_load("reference.capnp", NULL, &back, &err))
            fail_msg("%s: load: %s", name, err.message);
        assert_equal_states(mem, back, name);
        nupic_sp_free(back);
        /* A FILE*, left at the end of the message; with the lists read
         * ahead by a helper thread (large files) and without. */
        FILE *fp = fopen("reference.capnp", "rb");
        assert_non_null(fp);
        for (int ahead = 0; ahead < 2; ahead++) {
            nupic_load_options lo = {0};
            lo.no_read_ahead = !ahead;
            assert_int_equal(fseek(fp, 0, SEEK_SET), 0);
            if (nupic_sp_read_from_file(fp, &lo, &back, &err))
                fail_msg("%s: FILE*: %s", name, err.message);
            assert_int_equal(ftell(fp), (long)bytes.len);
            assert_equal_states(mem, back, name);
            nupic_sp_free(back);
        }
        /* The file read at once, then decoded. */
        rewind(fp);
        ncp_read_options o = {0};
        o.traversal_limit_per_message_word = 4;
        o.max_message_words = NCP_LARGE_MAX_MESSAGE_WORDS;
        ncp_msg *m = NULL;
        assert_int_equal(ncp_msg_read_file(fp, &o, &m, NULL), NCP_OK);
        if (nupic_sp_read(SpatialPoolerProto_read_root(m), &back, &err))
            fail_msg("%s: read at once: %s", name, err.message);
        assert_equal_states(mem, back, name);
        nupic_sp_free(back);
        ncp_msg_free(m);
        fclose(fp);
        nupic_sp_free(mem);
        ts_buf_free(&bytes);
    }
    remove("reference.capnp");
}

/* States back to back in one file - nupic.core's hotgym state, ours
 * unpacked and packed, then other bytes - load one after the other, each
 * load leaving the file right after its state. */
static void states_back_to_back_in_a_file(void **state) {
    fixture *f = *state;
    ts_buf theirs = ts_read_data(sp_reference_files[0]);
    nupic_sp_params p = hotgym_params();
    nupic_error err = {NUPIC_OK, ""};
    nupic_sp *ours, *mem;
    assert_int_equal(nupic_sp_new(&p, &ours, &err), NUPIC_OK);
    run_and_check(ours, f, 0, 20);
    assert_int_equal(
        nupic_sp_read_from_mem(theirs.data, theirs.len, NULL, &mem, &err),
        NUPIC_OK);
    FILE *fp = tmpfile();
    assert_non_null(fp);
    assert_int_equal(fwrite(theirs.data, 1, theirs.len, fp), theirs.len);
    long ends[3];
    ends[0] = ftell(fp);
    for (int packed = 0; packed < 2; packed++) {
        nupic_save_options so = {packed == 0};
        assert_int_equal(nupic_sp_write_to_file(ours, fp, &so, &err), NUPIC_OK);
        ends[1 + packed] = ftell(fp);
    }
    assert_true(fputs("after the states", fp) >= 0);
    rewind(fp);
    for (int i = 0; i < 3; i++) {
        nupic_sp *back = NULL;
        if (nupic_sp_read_from_file(fp, NULL, &back, &err) != NUPIC_OK)
            fail_msg("state %d: %s", i, err.message);
        assert_int_equal(ftell(fp), ends[i]);
        assert_equal_states(i == 0 ? mem : ours, back, "back to back");
        nupic_sp_free(back);
    }
    char rest[32] = {0};
    assert_non_null(fgets(rest, sizeof rest, fp));
    assert_string_equal(rest, "after the states");
    fclose(fp);
    nupic_sp_free(ours);
    nupic_sp_free(mem);
    ts_buf_free(&theirs);
}

/* Right after construction, the whole state equals nupic.core's. */
static void tiny_construction_matches(void **state) {
    (void)state;
    struct {
        const char *file;
        bool global;
        float dec, inc;
        int32_t seed;
    } cases[] = {
        {"reference/sp-tiny/sp_tiny_10x10_cppdefaults.capnp", true, 0.008f,
         0.05f, 1},
        {"reference/sp-tiny/sp_tiny_10x10_pydefaults_seed1956.capnp", false,
         0.01f, 0.1f, 1956},
        {"reference/sp-tiny/sp_tiny_10x10_cppdefaults.capnp.packed", true,
         0.008f, 0.05f, 1},
        {"reference/sp-tiny/sp_tiny_10x10_pydefaults_seed1956.capnp.packed",
         false, 0.01f, 0.1f, 1956},
    };
    for (size_t i = 0; i < 4; i++) {
        ts_buf bytes = ts_read_data(cases[i].file);
        nupic_sp *theirs;
        nupic_error err = {NUPIC_OK, ""};
        if (nupic_sp_read_from_mem(bytes.data, bytes.len, NULL, &theirs, &err))
            fail_msg("%s: %s", cases[i].file, err.message);
        nupic_sp_params p;
        nupic_sp_params_default(&p);
        p.num_dimensions = 1;
        p.input_dimensions[0] = 10;
        p.column_dimensions[0] = 10;
        p.global_inhibition = cases[i].global;
        p.syn_perm_inactive_dec = cases[i].dec;
        p.syn_perm_active_inc = cases[i].inc;
        p.seed = cases[i].seed;
        nupic_sp *ours;
        assert_int_equal(nupic_sp_new(&p, &ours, &err), NUPIC_OK);
        char diff[256];
        if (!nupic_sp_equal(ours, theirs, diff, sizeof diff))
            fail_msg("%s: %s", cases[i].file, diff);
        nupic_sp_free(ours);
        nupic_sp_free(theirs);
        ts_buf_free(&bytes);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tiny_construction_matches),
        cmocka_unit_test(hotgym_2000_steps),
        cmocka_unit_test(scalar_and_simd_paths_agree),
        cmocka_unit_test(hotgym_resume_from_nupic_core),
        cmocka_unit_test(round_trips),
        cmocka_unit_test(writes_nupic_core_values),
        cmocka_unit_test(decodes_with_nupic_schema),
        cmocka_unit_test(failed_save_keeps_old_file),
        cmocka_unit_test(load_path_errors),
        cmocka_unit_test(reference_files_load_from_files),
        cmocka_unit_test(states_back_to_back_in_a_file),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
