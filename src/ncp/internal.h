/*
 * src/ncp/internal.h - private definitions shared by the runtime's files.
 */
#ifndef NCP_INTERNAL_H
#define NCP_INTERNAL_H

#include <pthread.h>
#include <stdarg.h>

#include <nupic/ncp.h>

/* Pointer kinds (low two bits of a pointer word). */
enum {
    NCP_KIND_STRUCT = 0,
    NCP_KIND_LIST = 1,
    NCP_KIND_FAR = 2,
    NCP_KIND_OTHER = 3
};

struct ncp_seg {
    const uint8_t *data;
    uint32_t words;
    uint32_t id;
};

/* Where the segments of a message read on demand come from, and which of
 * their bytes have arrived (see ncp_msg_read_fd_on_demand).  Offsets are
 * byte offsets into the segment memory (the segments laid end to end);
 * the source holds byte `off` at file offset file_off + off. */
struct ncp_fill {
    int fd;            /* not owned */
    bool failed;       /* a read failed (err says why): no more are tried */
    ncp_error err;     /* the failed read's error */
    uint64_t file_off; /* file offset of the first segment byte */
    uint8_t *base;     /* the segment memory (owned by the message) */
    uint64_t size;     /* bytes of segment memory */
    uint64_t prefix;   /* bytes [0, prefix) have all been read */
    uint64_t chunks;   /* size in NCP__FILL_CHUNK units, rounded up */
    /* A window over the source for transient lists
     * (ncp_ptr_list_transient): bytes [win_off, win_off + win_len) of the
     * segments are at win_at, read win_cap bytes at a time into a buffer
     * (see read_stream.c). */
    uint8_t *bufs;   /* `slots` buffers of buf_bytes (NULL until used) */
    uint8_t *win_at; /* where byte win_off is */
    size_t win_cap, buf_bytes, head, bufs_size;
    uint64_t win_off, win_len;
    size_t self_size;
    /* Reading ahead (slots > 1): windows k = 0, 1, ... are the win_cap
     * bytes from win0 + k * win_cap on, window k in buffer k % slots; the
     * decoder holds window `held`, and a helper thread reads the windows
     * after it.  The fields from `win0` on are shared with the helper,
     * under `mu`. */
    uint32_t slots;
    bool view;          /* a view's (ncp_msg_view): never reads chunks */
    uint64_t win_bound; /* windows read up to here (ncp_msg_window_until) */
    bool thread_runs;
    uint64_t held;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv; /* broadcast on every change of the fields below */
    uint64_t win0;     /* segment offset of window 0 */
    uint64_t ready;    /* the helper has read windows (held, ready) */
    uint64_t limit;    /* and may read those below limit (held + slots) */
    bool reading;      /* the helper is reading window `ready` */
    bool stop;         /* the decoder is moving win0: read nothing */
    bool quit;         /* the helper is to return */
    bool read_failed;  /* reading window `ready` failed: */
    int read_errno;    /* errno, or 0 for the end of the file, */
    uint64_t read_got; /* after this many bytes */
    uint64_t done[];   /* bit c: chunk c has been read */
};

/* Granularity of reads on demand: small enough that a chunk is still in the
 * cache when it is decoded, large enough that the calls cost little. */
#define NCP__FILL_CHUNK_SHIFT 18
#define NCP__FILL_CHUNK       ((uint64_t)1 << NCP__FILL_CHUNK_SHIFT)
/* Capacity of the window for transient lists: small enough to stay in a
 * core's L2 cache, large enough that the pread(2) calls that refill it cost
 * little (on the development VMs, each call cost about 10 us beyond its
 * copy: a 19.9 MB SpatialPooler state loaded 0.3-0.6 ms faster with 512 KiB
 * windows than with 256 KiB ones, and no faster with 1 MiB). */
#define NCP__FILL_WINDOW ((size_t)1 << 19)
/* Buffers of windows when reading ahead: the decoder's and those the helper
 * may fill ahead of it. */
#define NCP__FILL_SLOTS 4u

/* Copies between a file and memory are placed relative to the file offset
 * modulo this many bytes, because the kernel's copy (x86-64 "rep movsb")
 * depends on the relative alignment of its source and destination.
 * Measured on the development VMs (Linux 6.18), 19.7-19.9 MB preads into a
 * reused buffer: on AMD EPYC, 2.3-2.7 ms with the two equally aligned,
 * 3.0-4.0 ms at most other offsets and 8.1-8.4 ms with the destination 8
 * bytes past the source; on an Intel Xeon, equal alignment was the slowest
 * offset, 2-5% behind all the others, which were alike.  Writes: on the AMD
 * machine 3.6-3.9 ms equally aligned, 4.0-4.5 ms otherwise; on the Intel
 * one no offset stood out. */
#define NCP__COPY_ALIGN ((uint64_t)64)

/* How far past a read's source its destination is placed, modulo
 * NCP__COPY_ALIGN: 32 on Intel processors, 0 elsewhere (see above).
 * Thread-safe. */
size_t ncp__read_skew(void);

/* How far past p (8-byte aligned) bytes headed for or coming from file
 * offset off should be placed so that address and offset agree modulo
 * NCP__COPY_ALIGN (how a builder places its first segment): 0 to
 * NCP__COPY_ALIGN - 8, a multiple of 8. */
static inline size_t ncp__copy_delta(const void *p, uint64_t off) {
    return (size_t)((off - (uint64_t)(uintptr_t)p) & (NCP__COPY_ALIGN - 8));
}

/* Where past p (8-byte aligned) bytes read from file offset off are placed:
 * ncp__read_skew() bytes past agreement, modulo NCP__COPY_ALIGN; 0 to
 * NCP__COPY_ALIGN - 8, a multiple of 8. */
static inline size_t ncp__read_delta(const void *p, uint64_t off) {
    return ncp__copy_delta(p, off + ncp__read_skew());
}

struct ncp_msg {
    ncp_allocator alloc;
    uint64_t budget;     /* traversal words left */
    uint64_t size_words; /* all segments */
    size_t consumed;     /* input bytes the message occupied */
    uint16_t nest_limit;
    bool single_thread; /* opened with no_read_ahead */
    ncp_error err;
    void *owned; /* segment memory owned by the message */
    size_t owned_size;
    void *map; /* mmap()ed file owned by the message */
    size_t map_size;
    size_t self_size;       /* bytes of this allocation */
    struct ncp_fill *fill;  /* non-NULL while read on demand */
    const ncp_msg *view_of; /* the message of a view (ncp_msg_view) */
    uint64_t view_budget;   /* its budget when the view was made */
    uint32_t nsegs;
    struct ncp_seg segs[];
};

/* A builder segment. */
typedef struct ncp_bseg {
    uint8_t *mem;  /* the allocation: cap words + NCP__COPY_ALIGN - 8 bytes */
    uint8_t *data; /* the segment, in mem (see add_segment) */
    uint32_t used; /* words */
    uint32_t cap;  /* words */
} ncp_bseg;

struct ncp_builder {
    ncp_allocator alloc;
    ncp_bseg *segs;
    uint32_t nsegs;
    uint32_t segs_cap;
    uint32_t first_words;
    ncp_growth growth;
    uint64_t total_cap; /* words of all segments */
    ncp_error err;
};

/* ---- memory -------------------------------------------------------------- */
void *ncp__alloc(const ncp_allocator *a, size_t size);
void *ncp__realloc(const ncp_allocator *a, void *p, size_t old_size,
                   size_t new_size);
void ncp__free(const ncp_allocator *a, void *p, size_t size);

/* ---- errors -------------------------------------------------------------- */
ncp_status ncp__error_vset(ncp_error *err, ncp_status status, const char *fmt,
                           va_list ap) NCP_PRINTF(3, 0);

/* ---- messages ------------------------------------------------------------ */

/* Options with every default filled in. */
void ncp__options_resolve(const ncp_read_options *in, ncp_read_options *out);

/* Checks the segment count word of a segment table (count minus one). */
ncp_status ncp__table_count(uint32_t first, const ncp_read_options *o,
                            uint32_t *nsegs, ncp_error *err);
/* Bytes of a segment table for nsegs segments (a multiple of 8). */
static inline size_t ncp__table_bytes(uint32_t nsegs) {
    return ((size_t)nsegs / 2 + 1) * 8;
}
/* Checks the sizes in a whole segment table and sums them. */
ncp_status ncp__table_total(const uint8_t *table, uint32_t nsegs,
                            const ncp_read_options *o, uint64_t *total,
                            ncp_error *err);

/* Allocates a message for nsegs segments (their descriptors zeroed);
 * NULL (error recorded in *err) when memory runs out. */
ncp_msg *ncp__msg_new(const ncp_read_options *o, uint32_t nsegs,
                      ncp_error *err);
/* Lays the segments of a table out contiguously from `data` and sets the
 * traversal budget. */
void ncp__msg_place(ncp_msg *m, const uint8_t *table, const uint8_t *data,
                    const ncp_read_options *o);
/* Sets the traversal budget from the options and the message size. */
void ncp__msg_set_budget(ncp_msg *m, const ncp_read_options *o);

/* Reads bytes [off, end) of the segment memory of a message read on demand
 * (off < end <= size), unless they already have been.  False when they
 * cannot be: the error is recorded in the message, and the bytes must not be
 * read. */
bool ncp__fill_range(ncp_msg *m, uint64_t off, uint64_t end);
/* Whether bytes [off, end) of the segment memory are all read. */
bool ncp__fill_has(const struct ncp_fill *f, uint64_t off, uint64_t end);
/* Bytes [off, end) of the segments (end - off <= f->win_cap) in the
 * window, which is first read from off when it does not hold them; the
 * segment memory is left alone.  NULL, the error recorded, when they cannot
 * be read. */
const uint8_t *ncp__fill_window(ncp_msg *m, uint64_t off, uint64_t end);
/* Gives view v (a copy of m's fields, fill NULL) a read-on-demand state of
 * its own over m's source: the chunks m has read, no helper.  False, the
 * error in *err, when memory runs out. */
bool ncp__fill_view(const ncp_msg *m, ncp_msg *v, ncp_error *err);
/* Releases the read-on-demand state of a message. */
void ncp__fill_free(ncp_msg *m);

/* Whether words [at, at + words) of seg, which lie inside the segment, may
 * be read: always for a message in memory; for one read on demand, once
 * they have been read from its source. */
static inline bool ncp__ready(ncp_msg *m, const struct ncp_seg *seg, int64_t at,
                              uint64_t words) {
    struct ncp_fill *f = m->fill;
    if (NCP_LIKELY(f == NULL) || words == 0) return true;
    uint64_t off = (uint64_t)(seg->data - f->base) + (uint64_t)at * 8;
    uint64_t end = off + words * 8;
    return end <= f->prefix || ncp__fill_range(m, off, end);
}

/* Releases a mapping made by ncp_msg_map_fd. */
void ncp__unmap(void *p, size_t size);

/* ncp_msg_from_buffer, telling whether the message reads buf in place. */
ncp_status ncp__msg_from_buffer(const void *buf, size_t len,
                                const ncp_read_options *o, ncp_msg **out,
                                bool *in_place, ncp_error *err);

/* Auto-detection of packed input (docs/security.md).  Unpacked framing
 * starts with a segment count below 65536, so bytes 2 and 3 are zero; when
 * either is not, the input is packed. */
static inline bool ncp__surely_packed(const uint8_t first4[4]) {
    return first4[2] != 0 || first4[3] != 0;
}

/* The one ambiguous start, "T x 00 00" with a one-bit tag T in the high
 * nibble: packed, it is a first word of one segment whose size has a single
 * nonzero byte, then a zero word (an empty message has this form); unpacked,
 * a table of 273, 289, 321 or 385 segments.  Whichever framing fits the
 * input's length wins; without a length, unpacked. */
static inline bool ncp__ambiguous_head(const uint8_t first4[4]) {
    uint8_t t = first4[0];
    return !ncp__surely_packed(first4) && first4[1] != 0 &&
           (t == 0x10 || t == 0x20 || t == 0x40 || t == 0x80);
}

/* Whether b[0..len) holds a whole unpacked message by its framing. */
bool ncp__unpacked_fits(const uint8_t *b, size_t len,
                        const ncp_read_options *o);

/* ---- packing ------------------------------------------------------------- */

typedef enum {
    NCP__UNPACK_DONE, /* output complete */
    NCP__UNPACK_NEED, /* input ends before the next whole element */
    NCP__UNPACK_BAD   /* a run passes the end of the output region */
} ncp__unpack_result;

/* Unpacks whole elements from in[*ip..in_len) into out[*op..out_len) (byte
 * offsets; out_len is a multiple of 8).  On NCP__UNPACK_NEED, *need is the
 * number of input bytes the next element needs in total (from *ip), or 0 when
 * the input ended inside a raw run; then *raw_left holds the bytes of that run
 * still to be copied verbatim to out[*op..]. */
ncp__unpack_result ncp__unpack_some(const uint8_t *in, size_t in_len,
                                    size_t *ip, uint8_t *out, size_t out_len,
                                    size_t *op, size_t *need, size_t *raw_left);

/* Room a packer needs to encode any one element: a tag, eight bytes, a
 * count and a raw run of 255 words. */
#define NCP__PACK_ELEM_MAX (10 + 255 * 8)

/* Number of nonzero bytes for each tag value (its population count). */
extern const uint8_t ncp__tag_bytes[256];
/* pshufb masks: gather a word's nonzero bytes / scatter them back. */
extern uint8_t ncp__pack_shuffle[256][16];
extern uint8_t ncp__unpack_shuffle[256][16];

/* The packing tag of a word: bit i set when byte i (little-endian) is not
 * zero. */
static inline unsigned ncp__nonzero_bytes(uint64_t x) {
    const uint64_t low7 = 0x7f7f7f7f7f7f7f7full;
    uint64_t t = (((x & low7) + low7) | x) >> 7 & 0x0101010101010101ull;
    return (unsigned)((t * 0x0102040810204080ull) >> 56);
}

/* Packs words from *in while in < end and out has NCP__PACK_ELEM_MAX bytes
 * of room before out_end; returns the new out and advances *in.  Runs never
 * pass `end`, so each piece (segment table, segment) packs on its own, as
 * the reference packer does. */
uint8_t *ncp__pack_run(const uint8_t **in, const uint8_t *end, uint8_t *out,
                       const uint8_t *out_end);

/* The loops behind ncp__pack_run and ncp__unpack_some (pack_loops.h);
 * unpack_run decodes elements other than 0x00 and 0xff while ten input bytes
 * and an output word remain. */
uint8_t *ncp__pack_run_scalar(const uint8_t **in, const uint8_t *end,
                              uint8_t *out, const uint8_t *out_end);
void ncp__unpack_run_scalar(const uint8_t *in, size_t in_len, size_t *ip,
                            uint8_t *out, size_t out_len, size_t *op);
#if defined(NCP_HAVE_SSSE3)
uint8_t *ncp__pack_run_ssse3(const uint8_t **in, const uint8_t *end,
                             uint8_t *out, const uint8_t *out_end);
void ncp__unpack_run_ssse3(const uint8_t *in, size_t in_len, size_t *ip,
                           uint8_t *out, size_t out_len, size_t *op);
#endif
#if defined(NCP_HAVE_AVX512_PACK)
uint8_t *ncp__pack_run_avx512(const uint8_t **in, const uint8_t *end,
                              uint8_t *out, const uint8_t *out_end);
void ncp__unpack_run_avx512(const uint8_t *in, size_t in_len, size_t *ip,
                            uint8_t *out, size_t out_len, size_t *op);
#endif

/* Every packing (unpacking) loop usable on this CPU: the portable one
 * first, then the SIMD ones the build has and the CPU supports.  For tests
 * that check they all produce the same bytes: up to cap names and functions
 * are stored; the number available is returned. */
typedef uint8_t *(*ncp__pack_run_fn)(const uint8_t **, const uint8_t *,
                                     uint8_t *, const uint8_t *);
typedef void (*ncp__unpack_run_fn)(const uint8_t *, size_t, size_t *, uint8_t *,
                                   size_t, size_t *);
size_t ncp__pack_impls(const char **names, ncp__pack_run_fn *fns, size_t cap);
size_t ncp__unpack_impls(const char **names, ncp__unpack_run_fn *fns,
                         size_t cap);

/* ---- copying out (copy_out.c) -------------------------------------------- */

/* Messages of at least this many bytes are copied out with streaming
 * stores (ncp_builder_write_mem, unpacked): about where, on the machines
 * measured, the streaming copy of a just-built message overtakes memcpy
 * (docs/performance.md). */
#define NCP__STREAM_MIN_BYTES ((uint64_t)8 << 20)

/* Copies n bytes from src to dst (not overlapping), bypassing the caches
 * where the CPU can; any alignment.  The stores are fenced before it
 * returns. */
void ncp__copy_out(uint8_t *dst, const uint8_t *src, size_t n);

/* The loops behind it, and every one usable on this CPU (memcpy first),
 * for tests that compare them: as ncp__pack_impls. */
typedef void (*ncp__copy_out_fn)(uint8_t *, const uint8_t *, size_t);
#if defined(NCP_HAVE_STREAM_COPY)
void ncp__copy_out_sse2(uint8_t *dst, const uint8_t *src, size_t n);
#endif
#if defined(NCP_HAVE_AVX512_COPY)
void ncp__copy_out_avx512(uint8_t *dst, const uint8_t *src, size_t n);
#endif
size_t ncp__copy_out_impls(const char **names, ncp__copy_out_fn *fns,
                           size_t cap);

/* ---- shared copies (par.c) ---------------------------------------------- */

/* Copies of at least this many bytes (an unpacked message read at once from
 * a regular file, or written to memory) are shared between the calling
 * thread and a helper, in chunks of NCP__PAR_CHUNK_BYTES
 * (docs/performance.md). */
#define NCP__PAR_MIN_BYTES   ((uint64_t)8 << 20)
#define NCP__PAR_CHUNK_BYTES ((size_t)1 << 20)

/* Starts a thread running fn(arg), joinable, with every signal blocked (so
 * that none is delivered to it) and a 64 KiB stack: the runtime's helpers
 * only read and copy.  False when it cannot be started. */
bool ncp__thread_start(pthread_t *t, void *(*fn)(void *), void *arg);

/* Called once for each chunk c; worker is 0 in the calling thread, 1 in the
 * helper.  Calls for different chunks may run at the same time. */
typedef void (*ncp__par_fn)(void *ctx, unsigned worker, size_t c);

/* Runs fn for chunks 0..n-1, in the calling thread and, if `helper` and a
 * thread can be started, in one helper that takes chunks from the same
 * counter; returns when all are done (the helper joined), true if a helper
 * ran.  The helper has every signal blocked. */
bool ncp__par_for(size_t n, ncp__par_fn fn, void *ctx, bool helper);

/* Reads exactly bytes [off, off + n) of the file fd into dst with pread(2),
 * shared with a helper as above if `helper`.  The descriptor's offset does
 * not move.  NCP_ERR_IO for a failed read, NCP_ERR_TRUNCATED ("<what>:
 * input ends after X of n bytes") when the file ends first; dst's bytes
 * are then unspecified. */
ncp_status ncp__read_par(int fd, uint8_t *dst, uint64_t off, size_t n,
                         bool helper, const char *what, ncp_error *err);

/* Copies the used words of b's segments, end to end, to dst with
 * ncp__copy_out, shared with a helper as above if `helper`. */
void ncp__copy_out_segments(uint8_t *dst, const ncp_builder *b, bool helper);

/* ---- builders ------------------------------------------------------------ */

/* Copies the message of a builder into a new builder of one segment. */
ncp_status ncp__builder_flatten(const ncp_builder *b, ncp_builder **out,
                                ncp_error *err);

#endif /* NCP_INTERNAL_H */
