/*
 * bench/ncp_bench.c - the ncp runtime benchmark.
 *
 * Builds, writes, reads and traverses a message of about 20 MB shaped like a
 * spatial pooler (bench/sp_shaped.capnp): 2048 rows of about 800
 * (UInt32, Float32) struct elements, plus a UInt32 list and a Float32 list of
 * 819200 elements.  Packed and unpacked, in memory and through files (which
 * stay in the page cache).  Each figure is the median of several repetitions
 * after a warm-up run.  Each repetition also runs, in a random order, the
 * same figure through the reference C++ library (bench/capnp_ref.c++, when
 * libcapnp was found at build time) and the baselines: memcpy of the
 * message's bytes, and for file figures fwrite / fread of the same file
 * bytes.  So both libraries and the baselines are timed in the same process,
 * on the same data, under the same conditions.  Every figure that reads the
 * message back is checked against the checksum of the input arrays, and each
 * library must read the other's output.
 *
 * Usage: ncp_bench [-r REPS] [-d DIR] [-o OP] [-n] [-1]
 *   -r REPS  timed repetitions per figure (default 11)
 *   -d DIR   where the temporary files go (default $TMPDIR or /tmp)
 *   -o OP    run only this figure (for profiling), e.g. -o write_packed_mem
 *   -n       do not run the reference library
 *   -1       keep ncp in the calling thread: without it, ncp shares the
 *            copies of write_unpacked_mem and read_unpacked_file with a
 *            helper thread, as it does by default (docs/performance.md);
 *            the reference library uses one thread either way
 *
 * Output, one line per item, key=value pairs with stable keys ("na" where a
 * value does not apply or the reference library is unavailable):
 *   bench=info rows= entries= list_len= bytes= packed_bytes= segments=
 *              data_words= capnp=VERSION|unavailable|skipped capnp_bytes=
 *              capnp_packed_bytes= capnp_segments= checksum= reps=
 *              ncp_threads=1|2 (1 with -1)
 *   bench=ncp op=OP bytes= wire_bytes= ms= mb_s= memcpy_ms= x_memcpy=
 *             io_ms= x_io= capnp_ms= vs_capnp= reps=
 *   bench=baseline op=memcpy|fwrite_unpacked|fwrite_packed|fread_unpacked|
 *                  fread_packed bytes= ms= mb_s= runs=
 *   bench=summary figures= slower_than_capnp= unpacked_mem_over_3x_memcpy=
 * ms is the median time of ncp; bytes is the message's unpacked size (mb_s
 * and memcpy_ms refer to it); wire_bytes is what the figure writes or reads
 * (the packed size for packed figures); x_memcpy = ms / memcpy_ms; io_ms is
 * the fwrite (file writes) or fread (file reads) of wire_bytes and x_io =
 * ms / io_ms; vs_capnp = ms / capnp_ms (1.0 or less: ncp is at least as
 * fast).  Exit status 0, or 1 if anything failed or a checksum differed.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nupic/ncp.h>

#include "bench_ref.h"

/* ------------------------------------------------------------------------
 * Layout of bench/sp_shaped.capnp, from `capnp compile -ocapnp`.
 * ------------------------------------------------------------------------ */
enum {
    SP_DATA_WORDS = 1,
    SP_PTRS = 3,
    SP_NUM_COLUMNS = 0, /* UInt32, bits [0, 32) */
    SP_NUM_INPUTS = 4,  /* UInt32, bits [32, 64) */
    SP_ROWS = 0,        /* ptr[0] List(Row) */
    SP_INDICES = 1,     /* ptr[1] List(UInt32) */
    SP_VALUES = 2,      /* ptr[2] List(Float32) */
    ROW_DATA_WORDS = 0,
    ROW_PTRS = 1,
    ROW_ENTRIES = 0, /* ptr[0] List(Entry) */
    ENTRY_DATA_WORDS = 1,
    ENTRY_PTRS = 0,
    ENTRY_INDEX = 0, /* UInt32, bits [0, 32) */
    ENTRY_VALUE = 4  /* Float32, bits [32, 64) */
};

/* Shape of the workload.  Row r holds ROW_MIN + (13 r mod 41) entries, 800
 * on average. */
enum {
    NUM_COLUMNS = 2048,
    NUM_INPUTS = 16384,
    ROW_MIN = 780,
    LIST_LEN = 819200
};

#define TRAVERSAL_LIMIT_WORDS ((uint64_t)1 << 30)
#define DEFAULT_REPS          11
#define CHUNK                 1024 /* elements per bulk read in a traversal */

static const char *const op_names[BENCH_OP_COUNT] = {
#define BENCH_X_NAME(name, text) text,
    BENCH_OP_LIST(BENCH_X_NAME)
#undef BENCH_X_NAME
};

static NCP_PRINTF(1, 2) void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "ncp_bench: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(1);
}

/* out = dir/name; dies if it does not fit. */
static void join_path(char *out, size_t cap, const char *dir,
                      const char *name) {
    int n = snprintf(out, cap, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= cap) die("path too long: %s/%s", dir, name);
}

/* The temporary directory and the files the benchmark may leave in it;
 * removed at exit, also after a failure. */
static char tmp_dir[4096];

static void remove_tmp_dir(void) {
    static const char *const names[] = {
        "ncp_unpacked.bin", "ncp_packed.bin",    "capnp_unpacked.bin",
        "capnp_packed.bin", "base_unpacked.bin", "base_packed.bin"};
    if (tmp_dir[0] == '\0') return;
    char path[4096 + 32];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", tmp_dir, names[i]);
        remove(path);
    }
    rmdir(tmp_dir);
}

static void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (p == NULL) die("out of memory (%zu bytes)", n);
    return p;
}

/* Zeroed, page-aligned memory (every page touched). */
static uint8_t *xmalloc_pages(size_t n) {
    size_t size = (n / 4096 + 1) * 4096;
    uint8_t *p = aligned_alloc(4096, size);
    if (p == NULL) die("out of memory (%zu bytes)", n);
    memset(p, 0, size);
    return p;
}

/* Keeps results the compiler could otherwise discard. */
static volatile uint64_t sink;

/* ------------------------------------------------------------------------
 * Input data
 * ------------------------------------------------------------------------ */

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rng(void) { /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1du;
}

/* A permanence-like value: 0 for about one in seven, else in (0, 1]. */
static float permanence(void) {
    uint64_t x = rng();
    if (x % 7 == 0) return 0.0f;
    return (float)((x >> 40) + 1) * (1.0f / 16777216.0f);
}

typedef struct input {
    bench_data d;
    uint32_t *row_start, *row_len, *entry_index, *indices;
    float *entry_value, *values;
    uint64_t entries;
    uint64_t checksum;
} input;

static void input_make(input *in) {
    uint32_t cols = NUM_COLUMNS;
    in->row_start = xmalloc(cols * sizeof *in->row_start);
    in->row_len = xmalloc(cols * sizeof *in->row_len);
    uint64_t total = 0;
    for (uint32_t r = 0; r < cols; r++) {
        in->row_start[r] = (uint32_t)total;
        in->row_len[r] = ROW_MIN + (r * 13u) % 41u;
        total += in->row_len[r];
    }
    in->entries = total;
    in->entry_index = xmalloc(total * sizeof *in->entry_index);
    in->entry_value = xmalloc(total * sizeof *in->entry_value);
    uint64_t sum = (uint64_t)NUM_COLUMNS + NUM_INPUTS;
    for (uint32_t r = 0; r < cols; r++) {
        /* A potential pool: input indices in steps of 1 to 19, wrapping. */
        uint32_t at = (uint32_t)(rng() % NUM_INPUTS);
        for (uint32_t i = 0; i < in->row_len[r]; i++) {
            uint64_t k = (uint64_t)in->row_start[r] + i;
            at = (at + 1 + (uint32_t)(rng() % 19)) % NUM_INPUTS;
            in->entry_index[k] = at;
            in->entry_value[k] = permanence();
            sum += at;
            sum += bench_f32_bits(in->entry_value[k]);
        }
    }
    in->indices = xmalloc(LIST_LEN * sizeof *in->indices);
    in->values = xmalloc(LIST_LEN * sizeof *in->values);
    for (uint32_t i = 0; i < LIST_LEN; i++) {
        in->indices[i] = (uint32_t)(rng() % NUM_INPUTS);
        in->values[i] = permanence();
        sum += in->indices[i];
        sum += bench_f32_bits(in->values[i]);
    }
    in->checksum = sum;
    bench_data d = {NUM_COLUMNS, NUM_INPUTS,      in->row_start,
                    in->row_len, in->entry_index, in->entry_value,
                    LIST_LEN,    in->indices,     in->values};
    in->d = d;
}

static void input_free(input *in) {
    free(in->row_start);
    free(in->row_len);
    free(in->entry_index);
    free(in->entry_value);
    free(in->indices);
    free(in->values);
}

/* ------------------------------------------------------------------------
 * The workload through ncp
 * ------------------------------------------------------------------------ */

static void fill(ncp_builder *b, const bench_data *d) {
    ncp_bstruct root = ncp_builder_init_root(b, SP_DATA_WORDS, SP_PTRS);
    ncp_bstruct_set_u32(&root, SP_NUM_COLUMNS, d->num_columns);
    ncp_bstruct_set_u32(&root, SP_NUM_INPUTS, d->num_inputs);
    ncp_blist rows =
        ncp_bptr_init_struct_list(ncp_bstruct_ptr(&root, SP_ROWS),
                                  d->num_columns, ROW_DATA_WORDS, ROW_PTRS);
    for (uint32_t r = 0; r < d->num_columns; r++) {
        uint32_t n = d->row_len[r];
        const uint32_t *idx = d->entry_index + d->row_start[r];
        const float *val = d->entry_value + d->row_start[r];
        ncp_bstruct row = ncp_blist_struct(&rows, r);
        ncp_blist entries =
            ncp_bptr_init_struct_list(ncp_bstruct_ptr(&row, ROW_ENTRIES), n,
                                      ENTRY_DATA_WORDS, ENTRY_PTRS);
        for (uint32_t i = 0; i < n; i++) {
            ncp_bstruct e = ncp_blist_struct(&entries, i);
            ncp_bstruct_set_u32(&e, ENTRY_INDEX, idx[i]);
            ncp_bstruct_set_u32(&e, ENTRY_VALUE, ncp_f32_to_bits(val[i]));
        }
    }
    ncp_bptr_init_list_from(ncp_bstruct_ptr(&root, SP_INDICES), NCP_ELEM_4BYTES,
                            d->list_len, d->indices);
    ncp_bptr_init_list_from(ncp_bstruct_ptr(&root, SP_VALUES), NCP_ELEM_4BYTES,
                            d->list_len, d->values);
}

/* Sums the message as bench_ref.h describes; records errors in m. */
static uint64_t traverse(ncp_msg *m) {
    ncp_struct root = ncp_msg_root(m, "BenchSp");
    uint64_t sum = (uint64_t)ncp_struct_u32(&root, SP_NUM_COLUMNS) +
                   ncp_struct_u32(&root, SP_NUM_INPUTS);
    ncp_list rows = ncp_ptr_list(ncp_struct_ptr(&root, SP_ROWS),
                                 NCP_ELEM_COMPOSITE, "BenchSp.rows");
    uint32_t nrows = ncp_list_len(&rows);
    for (uint32_t r = 0; r < nrows; r++) {
        ncp_struct row = ncp_list_struct(&rows, r);
        ncp_list entries = ncp_ptr_list(ncp_struct_ptr(&row, ROW_ENTRIES),
                                        NCP_ELEM_COMPOSITE, "Row.entries");
        uint32_t n = ncp_list_len(&entries);
        for (uint32_t i = 0; i < n; i++) {
            ncp_struct e = ncp_list_struct(&entries, i);
            sum += ncp_struct_u32(&e, ENTRY_INDEX);
            sum += bench_f32_bits(
                ncp_f32_from_bits(ncp_struct_u32(&e, ENTRY_VALUE)));
        }
    }
    ncp_list idx = ncp_ptr_list(ncp_struct_ptr(&root, SP_INDICES),
                                NCP_ELEM_4BYTES, "BenchSp.indices");
    uint32_t ubuf[CHUNK];
    for (uint32_t at = 0, len = ncp_list_len(&idx); at < len;) {
        uint32_t k = ncp_list_get_u32s(&idx, at, CHUNK, ubuf);
        if (k == 0) break;
        for (uint32_t j = 0; j < k; j++)
            sum += ubuf[j];
        at += k;
    }
    ncp_list val = ncp_ptr_list(ncp_struct_ptr(&root, SP_VALUES),
                                NCP_ELEM_4BYTES, "BenchSp.values");
    float fbuf[CHUNK];
    for (uint32_t at = 0, len = ncp_list_len(&val); at < len;) {
        uint32_t k = ncp_list_get_f32s(&val, at, CHUNK, fbuf);
        if (k == 0) break;
        for (uint32_t j = 0; j < k; j++)
            sum += bench_f32_bits(fbuf[j]);
        at += k;
    }
    return sum;
}

typedef struct side {
    const bench_data *d;
    uint64_t expected;
    ncp_read_options ro_unpacked, ro_packed;
    ncp_builder *b; /* the message the writes write */
    uint8_t *ubuf;  /* its unpacked bytes */
    size_t ulen;
    uint8_t *pbuf; /* its packed bytes */
    size_t plen;
    uint8_t *wbuf; /* output of the memory writes */
    size_t wcap;
    char upath[4096], ppath[4096];
    FILE *uf, *pf; /* the files, open for update */
} side;

static uint64_t traverse_checked(ncp_msg *m, const char *what) {
    uint64_t sum = traverse(m);
    if (ncp_msg_status(m) != NCP_OK)
        die("%s: %s", what, ncp_msg_error(m)->message);
    return sum;
}

static ncp_builder *new_builder(void) {
    ncp_builder *b;
    if (ncp_builder_new(NULL, &b) != NCP_OK) die("ncp_builder_new failed");
    return b;
}

static uint64_t builder_checksum(const ncp_builder *b, const side *s) {
    ncp_msg *m;
    ncp_error err = {NCP_OK, ""};
    if (ncp_builder_open(b, &s->ro_unpacked, &m, &err) != NCP_OK)
        die("ncp_builder_open: %s", err.message);
    uint64_t sum = traverse_checked(m, "built message");
    ncp_msg_free(m);
    return sum;
}

static double op_build(side *s, uint64_t *sum) {
    double t0 = bench_now();
    ncp_builder *b = new_builder();
    fill(b, s->d);
    double t1 = bench_now();
    if (ncp_builder_status(b) != NCP_OK)
        die("build: %s", ncp_builder_error(b)->message);
    *sum = builder_checksum(b, s);
    ncp_builder_free(b);
    return t1 - t0;
}

/* -1: ncp keeps its work in the calling thread. */
static bool one_thread;
static unsigned write_flags;

static double op_write_mem(side *s, unsigned flags) {
    ncp_error err = {NCP_OK, ""};
    size_t n = 0;
    double t0 = bench_now();
    ncp_status st = ncp_builder_write_mem(s->b, flags | write_flags, s->wbuf,
                                          s->wcap, &n, &err);
    double t1 = bench_now();
    if (st != NCP_OK) die("ncp_builder_write_mem: %s", err.message);
    if (n != (flags & NCP_WRITE_PACKED ? s->plen : s->ulen))
        die("ncp_builder_write_mem: wrote %zu bytes", n);
    return t1 - t0;
}

/* Finishes a timed read: checks and traverses (untimed) and frees. */
static uint64_t finish_read(ncp_msg *m, ncp_status st, const ncp_error *err,
                            const char *what) {
    if (st != NCP_OK) die("%s: %s", what, err->message);
    uint64_t sum = traverse_checked(m, what);
    ncp_msg_free(m);
    return sum;
}

static double op_read_mem(side *s, bool packed, uint64_t *sum) {
    ncp_error err = {NCP_OK, ""};
    ncp_msg *m = NULL;
    double t0 = bench_now();
    ncp_status st =
        packed
            ? ncp_msg_from_buffer(s->pbuf, s->plen, &s->ro_packed, &m, &err)
            : ncp_msg_from_buffer(s->ubuf, s->ulen, &s->ro_unpacked, &m, &err);
    if (st == NCP_OK) {
        ncp_struct root = ncp_msg_root(m, "BenchSp");
        sink = ncp_struct_u32(&root, SP_NUM_COLUMNS);
    }
    double t1 = bench_now();
    *sum = finish_read(m, st, &err, "ncp_msg_from_buffer");
    return t1 - t0;
}

static double op_traverse(side *s, uint64_t *sum) {
    ncp_error err = {NCP_OK, ""};
    ncp_msg *m = NULL;
    if (ncp_msg_from_buffer(s->ubuf, s->ulen, &s->ro_unpacked, &m, &err) !=
        NCP_OK)
        die("ncp_msg_from_buffer: %s", err.message);
    double t0 = bench_now();
    *sum = traverse(m);
    double t1 = bench_now();
    if (ncp_msg_status(m) != NCP_OK)
        die("traverse: %s", ncp_msg_error(m)->message);
    ncp_msg_free(m);
    return t1 - t0;
}

static double op_write_file(side *s, bool packed) {
    FILE *f = packed ? s->pf : s->uf;
    ncp_error err = {NCP_OK, ""};
    double t0 = bench_now();
    rewind(f);
    ncp_status st =
        ncp_builder_write_file(s->b, f, packed ? NCP_WRITE_PACKED : 0u, &err);
    double t1 = bench_now();
    if (st != NCP_OK) die("ncp_builder_write_file: %s", err.message);
    long end = ftell(f);
    if (end < 0 || (size_t)end != (packed ? s->plen : s->ulen))
        die("ncp_builder_write_file: file position %ld after the write", end);
    return t1 - t0;
}

static double op_read_file(side *s, bool packed, uint64_t *sum) {
    FILE *f = packed ? s->pf : s->uf;
    ncp_error err = {NCP_OK, ""};
    ncp_msg *m = NULL;
    double t0 = bench_now();
    rewind(f);
    ncp_status st = ncp_msg_read_file(
        f, packed ? &s->ro_packed : &s->ro_unpacked, &m, &err);
    if (st == NCP_OK) {
        ncp_struct root = ncp_msg_root(m, "BenchSp");
        sink = ncp_struct_u32(&root, SP_NUM_COLUMNS);
    }
    double t1 = bench_now();
    *sum = finish_read(m, st, &err, "ncp_msg_read_file");
    return t1 - t0;
}

static double op_map_traverse(side *s, uint64_t *sum) {
    ncp_error err = {NCP_OK, ""};
    ncp_msg *m = NULL;
    double t0 = bench_now();
    ncp_status st = ncp_msg_map_path(s->upath, &s->ro_unpacked, &m, &err);
    if (st == NCP_OK) *sum = traverse(m);
    double t1 = bench_now();
    if (st != NCP_OK) die("ncp_msg_map_path: %s", err.message);
    if (ncp_msg_status(m) != NCP_OK)
        die("map_traverse: %s", ncp_msg_error(m)->message);
    ncp_msg_free(m);
    return t1 - t0;
}

static double side_run(side *s, bench_op op, uint64_t *sum) {
    switch (op) {
    case BENCH_BUILD: return op_build(s, sum);
    case BENCH_WRITE_UNPACKED_MEM: return op_write_mem(s, 0);
    case BENCH_WRITE_PACKED_MEM: return op_write_mem(s, NCP_WRITE_PACKED);
    case BENCH_READ_UNPACKED_MEM: return op_read_mem(s, false, sum);
    case BENCH_TRAVERSE: return op_traverse(s, sum);
    case BENCH_READ_PACKED_MEM: return op_read_mem(s, true, sum);
    case BENCH_WRITE_UNPACKED_FILE: return op_write_file(s, false);
    case BENCH_WRITE_PACKED_FILE: return op_write_file(s, true);
    case BENCH_READ_UNPACKED_FILE: return op_read_file(s, false, sum);
    case BENCH_READ_PACKED_FILE: return op_read_file(s, true, sum);
    case BENCH_MAP_TRAVERSE: return op_map_traverse(s, sum);
    case BENCH_OP_COUNT: break;
    }
    die("unknown operation %d", (int)op);
    return -1.0;
}

/* Whether an operation reads the message back (and so yields a checksum). */
static bool op_has_checksum(bench_op op) {
    return op != BENCH_WRITE_UNPACKED_MEM && op != BENCH_WRITE_PACKED_MEM &&
           op != BENCH_WRITE_UNPACKED_FILE && op != BENCH_WRITE_PACKED_FILE;
}

static FILE *open_update(const char *path) {
    FILE *f = fopen(path, "w+b");
    if (f == NULL) die("cannot open %s: %s", path, strerror(errno));
    return f;
}

static void write_whole(FILE *f, const void *p, size_t n, const char *path) {
    rewind(f);
    if (fwrite(p, 1, n, f) != n || fflush(f) != 0)
        die("cannot write %s: %s", path, strerror(errno));
}

static void side_init(side *s, const bench_data *d, uint64_t expected,
                      const char *dir) {
    memset(s, 0, sizeof *s);
    s->d = d;
    s->expected = expected;
    s->ro_unpacked.traversal_limit_words = TRAVERSAL_LIMIT_WORDS;
    s->ro_unpacked.packing = NCP_PACKING_UNPACKED;
    s->ro_unpacked.no_read_ahead = one_thread;
    s->ro_packed = s->ro_unpacked;
    s->ro_packed.packing = NCP_PACKING_PACKED;

    s->b = new_builder();
    fill(s->b, d);
    if (ncp_builder_status(s->b) != NCP_OK)
        die("build: %s", ncp_builder_error(s->b)->message);
    if (builder_checksum(s->b, s) != expected)
        die("the built message's checksum differs from the input's");

    uint64_t ub = ncp_builder_write_bound(s->b, 0);
    uint64_t pb = ncp_builder_write_bound(s->b, NCP_WRITE_PACKED);
    s->wcap = (size_t)(ub > pb ? ub : pb);
    s->ubuf = xmalloc_pages((size_t)ub);
    s->pbuf = xmalloc_pages((size_t)pb);
    s->wbuf = xmalloc_pages(s->wcap);
    ncp_error err = {NCP_OK, ""};
    if (ncp_builder_write_mem(s->b, 0, s->ubuf, (size_t)ub, &s->ulen, &err) !=
            NCP_OK ||
        ncp_builder_write_mem(s->b, NCP_WRITE_PACKED, s->pbuf, (size_t)pb,
                              &s->plen, &err) != NCP_OK)
        die("ncp_builder_write_mem: %s", err.message);

    join_path(s->upath, sizeof s->upath, dir, "ncp_unpacked.bin");
    join_path(s->ppath, sizeof s->ppath, dir, "ncp_packed.bin");
    s->uf = open_update(s->upath);
    s->pf = open_update(s->ppath);
    write_whole(s->uf, s->ubuf, s->ulen, s->upath);
    write_whole(s->pf, s->pbuf, s->plen, s->ppath);
}

static void side_free(side *s) {
    ncp_builder_free(s->b);
    free(s->ubuf);
    free(s->pbuf);
    free(s->wbuf);
    if (s->uf) fclose(s->uf);
    if (s->pf) fclose(s->pf);
    remove(s->upath);
    remove(s->ppath);
}

/* ------------------------------------------------------------------------
 * Baselines: memcpy of the message's bytes, fwrite and fread of the files'
 * bytes.  Their buffers are page-aligned (as are those of the figures that
 * write into a caller's buffer), so the copies run at the machine's best
 * speed rather than at whatever the allocator's placement gives.
 * ------------------------------------------------------------------------ */

enum {
    BASE_MEMCPY,
    BASE_FWRITE_UNPACKED,
    BASE_FWRITE_PACKED,
    BASE_FREAD_UNPACKED,
    BASE_FREAD_PACKED,
    BASE_COUNT
};
static const char *const base_names[BASE_COUNT] = {
    "memcpy", "fwrite_unpacked", "fwrite_packed", "fread_unpacked",
    "fread_packed"};

/* Each task touches memory of its own: sharing a buffer, one would find
 * it where another left it (in the cache or not), which the libraries,
 * each with its own, never do.  So memcpy copies from a copy of the
 * message's bytes that fwrite does not read, into a buffer that no write
 * of ncp's and no fread uses. */
typedef struct baseline {
    FILE *uf, *pf;
    char upath[4096], ppath[4096];
    uint8_t *src, *buf, *rbuf;
} baseline;

static void baseline_init(baseline *bl, const side *s, const char *dir) {
    join_path(bl->upath, sizeof bl->upath, dir, "base_unpacked.bin");
    join_path(bl->ppath, sizeof bl->ppath, dir, "base_packed.bin");
    bl->uf = open_update(bl->upath);
    bl->pf = open_update(bl->ppath);
    bl->src = xmalloc_pages(s->ulen);
    memcpy(bl->src, s->ubuf, s->ulen);
    bl->buf = xmalloc_pages(s->wcap);
    bl->rbuf = xmalloc_pages(s->wcap);
    write_whole(bl->uf, s->ubuf, s->ulen, bl->upath);
    write_whole(bl->pf, s->pbuf, s->plen, bl->ppath);
}

static void baseline_free(baseline *bl) {
    free(bl->src);
    free(bl->buf);
    free(bl->rbuf);
    fclose(bl->uf);
    fclose(bl->pf);
    remove(bl->upath);
    remove(bl->ppath);
}

static bool base_packed(int which) {
    return which == BASE_FWRITE_PACKED || which == BASE_FREAD_PACKED;
}

static double base_run(baseline *bl, side *s, int which) {
    bool packed = base_packed(which);
    FILE *f = packed ? bl->pf : bl->uf;
    const uint8_t *src = packed ? s->pbuf : s->ubuf;
    size_t n = packed ? s->plen : s->ulen;
    double t0 = bench_now(), t1;
    switch (which) {
    case BASE_MEMCPY:
        memcpy(bl->buf, bl->src, s->ulen);
        t1 = bench_now();
        sink = bl->buf[s->ulen - 1];
        return t1 - t0;
    case BASE_FWRITE_UNPACKED:
    case BASE_FWRITE_PACKED:
        rewind(f);
        if (fwrite(src, 1, n, f) != n || fflush(f) != 0)
            die("fwrite: %s", strerror(errno));
        return bench_now() - t0;
    default:
        rewind(f);
        if (fread(bl->rbuf, 1, n, f) != n) die("fread: short read");
        t1 = bench_now();
        sink = bl->rbuf[n - 1];
        return t1 - t0;
    }
}

/* ------------------------------------------------------------------------
 * Harness
 * ------------------------------------------------------------------------ */

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of v[0..n) (sorts v). */
static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

typedef struct runner {
    side *s;
    bench_ref *ref; /* NULL: no reference library */
    baseline *bl;
    uint64_t expected;
    double *samples[BASE_COUNT]; /* every baseline run, for the summary */
    int nsamples[BASE_COUNT];
} runner;

static double run_ncp(runner *r, bench_op op) {
    uint64_t sum = r->expected ^ 1;
    double t = side_run(r->s, op, &sum);
    if (op_has_checksum(op) && sum != r->expected)
        die("ncp %s: checksum %llu, expected %llu", op_names[op],
            (unsigned long long)sum, (unsigned long long)r->expected);
    return t;
}

static double run_ref(runner *r, bench_op op) {
#ifdef NCP_BENCH_HAVE_CAPNP
    char err[256] = "";
    uint64_t sum = r->expected ^ 1;
    double t = bench_ref_run(r->ref, op, &sum, err, sizeof err);
    if (t < 0) die("capnp %s: %s", op_names[op], err);
    if (op_has_checksum(op) && sum != r->expected)
        die("capnp %s: checksum %llu, expected %llu", op_names[op],
            (unsigned long long)sum, (unsigned long long)r->expected);
    return t;
#else
    (void)r;
    (void)op;
    return -1.0;
#endif
}

/* What one repetition of a figure runs. */
enum { TASK_NCP, TASK_REF, TASK_MEMCPY, TASK_IO, TASK_COUNT };

static double run_task(runner *r, int task, bench_op op, int io) {
    switch (task) {
    case TASK_NCP: return run_ncp(r, op);
    case TASK_REF: return run_ref(r, op);
    case TASK_MEMCPY: return base_run(r->bl, r->s, BASE_MEMCPY);
    default: return base_run(r->bl, r->s, io);
    }
}

/* Times figure op: ncp, the reference library, memcpy and (for file
 * figures) the fwrite or fread baseline `io`, each once to warm up and then
 * reps times, in a new random order each repetition (so that no task always
 * follows the same other task: a run can be slowed by what ran just before
 * it, e.g. another 20 MB written to the page cache).  Sets the medians in
 * seconds (-1 for a task not run). */
static void measure(runner *r, bench_op op, int io, int reps,
                    double med[TASK_COUNT]) {
    bool on[TASK_COUNT] = {true, r->ref != NULL, true, io >= 0};
    double *t[TASK_COUNT];
    for (int k = 0; k < TASK_COUNT; k++) {
        t[k] = xmalloc((size_t)reps * sizeof *t[k]);
        if (on[k]) run_task(r, k, op, io);
    }
    for (int i = 0; i < reps; i++) {
        int order[TASK_COUNT];
        for (int j = 0; j < TASK_COUNT; j++) {
            int k = (int)(rng() % (uint64_t)(j + 1));
            order[j] = order[k];
            order[k] = j;
        }
        for (int j = 0; j < TASK_COUNT; j++) {
            int k = order[j];
            if (on[k]) t[k][i] = run_task(r, k, op, io);
        }
    }
    for (int k = 0; k < TASK_COUNT; k++) {
        int base = k == TASK_MEMCPY ? BASE_MEMCPY : k == TASK_IO ? io : -1;
        if (on[k] && base >= 0) {
            memcpy(r->samples[base] + r->nsamples[base], t[k],
                   (size_t)reps * sizeof *t[k]);
            r->nsamples[base] += reps;
        }
        med[k] = on[k] ? median(t[k], reps) : -1.0;
        free(t[k]);
    }
}

static double mb_s(uint64_t bytes, double seconds) {
    return seconds > 0 ? (double)bytes / seconds / 1e6 : 0.0;
}

/* Formats a value with `dec` decimals, or "na" when it does not apply. */
static const char *fmt_val(char *buf, size_t cap, bool ok, int dec, double v) {
    if (!ok) return "na";
    snprintf(buf, cap, "%.*f", dec, v);
    return buf;
}

#ifdef NCP_BENCH_HAVE_CAPNP
/* Each library reads the other's output and must find the same values. */
static void cross_check(side *s, bench_ref *ref, uint64_t expected) {
    char err[256] = "";
    for (int packed = 0; packed < 2; packed++) {
        /* ncp reads the reference library's bytes ... */
        const void *buf;
        size_t len;
        bench_ref_buffer(ref, packed, &buf, &len);
        ncp_msg *m = NULL;
        ncp_error nerr = {NCP_OK, ""};
        ncp_status st = ncp_msg_from_buffer(
            buf, len, packed ? &s->ro_packed : &s->ro_unpacked, &m, &nerr);
        if (finish_read(m, st, &nerr, "ncp reading capnp's output") != expected)
            die("ncp reading capnp's %s output: checksum differs",
                packed ? "packed" : "unpacked");
        /* ... and the reference library reads ours. */
        uint64_t sum = 0;
        if (bench_ref_read_buffer(packed ? s->pbuf : s->ubuf,
                                  packed ? s->plen : s->ulen, packed, &sum, err,
                                  sizeof err) != 0)
            die("capnp reading ncp's %s output: %s",
                packed ? "packed" : "unpacked", err);
        if (sum != expected)
            die("capnp reading ncp's %s output: checksum differs",
                packed ? "packed" : "unpacked");
    }
}
#endif

/* The baseline that goes with a figure, or -1. */
static int io_baseline(bench_op op) {
    switch (op) {
    case BENCH_WRITE_UNPACKED_FILE: return BASE_FWRITE_UNPACKED;
    case BENCH_WRITE_PACKED_FILE: return BASE_FWRITE_PACKED;
    case BENCH_READ_UNPACKED_FILE: return BASE_FREAD_UNPACKED;
    case BENCH_READ_PACKED_FILE: return BASE_FREAD_PACKED;
    default: return -1;
    }
}

static bool op_packed(bench_op op) {
    return op == BENCH_WRITE_PACKED_MEM || op == BENCH_READ_PACKED_MEM ||
           op == BENCH_WRITE_PACKED_FILE || op == BENCH_READ_PACKED_FILE;
}

static void usage(void) {
    fprintf(stderr, "usage: ncp_bench [-r REPS] [-d DIR] [-o OP] [-n] [-1]\n");
    exit(2);
}

int main(int argc, char **argv) {
    int reps = DEFAULT_REPS;
    const char *base_dir = getenv("TMPDIR");
    const char *only = NULL;
    bool use_ref = true;
    int c;
    while ((c = getopt(argc, argv, "r:d:o:n1h")) != -1) {
        switch (c) {
        case 'r': reps = atoi(optarg); break;
        case 'd': base_dir = optarg; break;
        case 'o': only = optarg; break;
        case 'n': use_ref = false; break;
        case '1':
            one_thread = true;
            write_flags = NCP_WRITE_ONE_THREAD;
            break;
        default: usage();
        }
    }
    if (reps < 1 || reps > 100000 || optind != argc) usage();
    int only_op = -1;
    if (only) {
        for (int i = 0; i < BENCH_OP_COUNT; i++)
            if (strcmp(only, op_names[i]) == 0) only_op = i;
        if (only_op < 0) die("unknown figure %s", only);
    }
    if (base_dir == NULL || base_dir[0] == '\0') base_dir = "/tmp";
    char dir[4096];
    join_path(dir, sizeof dir, base_dir, "ncp_bench.XXXXXX");
    if (mkdtemp(dir) == NULL)
        die("cannot create a directory in %s: %s", base_dir, strerror(errno));
    memcpy(tmp_dir, dir, sizeof dir);
    atexit(remove_tmp_dir);

    input in;
    input_make(&in);
    side s;
    side_init(&s, &in.d, in.checksum, dir);
    uint64_t ncp_words = ncp_builder_size_words(s.b);
    uint32_t ncp_segs = ncp_builder_segment_count(s.b);

    bench_ref *ref = NULL;
    const char *ref_state = "unavailable";
    bench_ref_sizes rs = {0, 0, 0, 0};
#ifdef NCP_BENCH_HAVE_CAPNP
    if (use_ref) {
        char err[256] = "";
        ref = bench_ref_new(&in.d, dir, in.checksum, err, sizeof err);
        if (ref == NULL) die("reference library: %s", err);
        bench_ref_sizes_get(ref, &rs);
        ref_state = NCP_BENCH_CAPNP_VERSION;
        if (rs.data_words != ncp_words)
            die("the messages differ in size: ncp %llu words, capnp %llu",
                (unsigned long long)ncp_words,
                (unsigned long long)rs.data_words);
        cross_check(&s, ref, in.checksum);
    } else {
        ref_state = "skipped";
    }
#else
    (void)use_ref;
#endif

    char c1[32], c2[32], c3[32];
    printf("bench=info rows=%u entries=%llu list_len=%u bytes=%zu "
           "packed_bytes=%zu segments=%u data_words=%llu capnp=%s "
           "capnp_bytes=%s capnp_packed_bytes=%s capnp_segments=%s "
           "checksum=%llu reps=%d ncp_threads=%d\n",
           NUM_COLUMNS, (unsigned long long)in.entries, LIST_LEN, s.ulen,
           s.plen, ncp_segs, (unsigned long long)ncp_words, ref_state,
           fmt_val(c1, sizeof c1, ref != NULL, 0, (double)rs.unpacked_bytes),
           fmt_val(c2, sizeof c2, ref != NULL, 0, (double)rs.packed_bytes),
           fmt_val(c3, sizeof c3, ref != NULL, 0, (double)rs.segments),
           (unsigned long long)in.checksum, reps, one_thread ? 1 : 2);
    fflush(stdout);

    baseline bl;
    baseline_init(&bl, &s, dir);
    runner r = {&s, ref, &bl, in.checksum, {NULL}, {0}};
    for (int k = 0; k < BASE_COUNT; k++)
        r.samples[k] = xmalloc((size_t)reps * BENCH_OP_COUNT * sizeof(double));

    int slower = 0, over3 = 0, figures = 0;
    for (int op = 0; op < BENCH_OP_COUNT; op++) {
        if (only_op >= 0 && op != only_op) continue;
        int io = io_baseline((bench_op)op);
        double med[TASK_COUNT];
        measure(&r, (bench_op)op, io, reps, med);
        double tn = med[TASK_NCP], tr = med[TASK_REF];
        double tm = med[TASK_MEMCPY], ti = med[TASK_IO];
        size_t wire = op_packed((bench_op)op) ? s.plen : s.ulen;
        char b1[32], b2[32], b3[32], b4[32];
        printf("bench=ncp op=%s bytes=%zu wire_bytes=%zu ms=%.3f mb_s=%.1f "
               "memcpy_ms=%.3f x_memcpy=%.2f io_ms=%s x_io=%s capnp_ms=%s "
               "vs_capnp=%s reps=%d\n",
               op_names[op], s.ulen, wire, tn * 1e3, mb_s(s.ulen, tn), tm * 1e3,
               tn / tm, fmt_val(b1, sizeof b1, io >= 0, 3, ti * 1e3),
               fmt_val(b2, sizeof b2, io >= 0, 2, tn / ti),
               fmt_val(b3, sizeof b3, ref != NULL, 3, tr * 1e3),
               fmt_val(b4, sizeof b4, ref != NULL, 3, tn / tr), reps);
        fflush(stdout);
        figures++;
        if (ref && tn > tr) slower++;
        if ((op == BENCH_WRITE_UNPACKED_MEM || op == BENCH_READ_UNPACKED_MEM) &&
            tn > 3.0 * tm)
            over3++;
    }

    /* The baselines, over every run made beside the figures. */
    for (int k = 0; k < BASE_COUNT; k++) {
        if (r.nsamples[k] == 0) continue;
        size_t n = base_packed(k) ? s.plen : s.ulen;
        double t = median(r.samples[k], r.nsamples[k]);
        printf("bench=baseline op=%s bytes=%zu ms=%.3f mb_s=%.1f runs=%d\n",
               base_names[k], n, t * 1e3, mb_s(n, t), r.nsamples[k]);
    }
    char b5[16] = "na";
    if (ref) snprintf(b5, sizeof b5, "%d", slower);
    printf("bench=summary figures=%d slower_than_capnp=%s "
           "unpacked_mem_over_3x_memcpy=%d\n",
           figures, b5, over3);

    for (int k = 0; k < BASE_COUNT; k++)
        free(r.samples[k]);
    baseline_free(&bl);
#ifdef NCP_BENCH_HAVE_CAPNP
    bench_ref_free(ref);
#endif
    side_free(&s);
    input_free(&in);
    return 0;
}
