/*
 * bench/bench_ref.h - what bench/ncp_bench.c (C, the ncp runtime) and
 * bench/capnp_ref.c++ (C++, the reference Cap'n Proto library) share: the
 * input data, the list of timed operations, the checksum and the clock.
 *
 * Both sides build the same message (bench/sp_shaped.capnp) from the same C
 * arrays, in the same order, and run the same operations on it; each
 * operation returns the seconds of one timed run so that the C program can
 * time both libraries with one harness, interleaved, in the same process.
 */
#ifndef NCP_BENCH_REF_H
#define NCP_BENCH_REF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The message's content as C arrays.  Row r holds row_len[r] entries,
 * entry_index/entry_value[row_start[r] ...]. */
typedef struct bench_data {
    uint32_t num_columns; /* rows */
    uint32_t num_inputs;
    const uint32_t *row_start;
    const uint32_t *row_len;
    const uint32_t *entry_index;
    const float *entry_value;
    uint32_t list_len; /* elements of indices and values */
    const uint32_t *indices;
    const float *values;
} bench_data;

/* The timed operations, in the order they are reported.  Each runs on
 * state prepared beforehand (a built message, its serialized forms in
 * memory and in files) and times only the work its name says. */
#define BENCH_OP_LIST(X)                                                       \
    X(BENCH_BUILD, "build")                                                    \
    X(BENCH_WRITE_UNPACKED_MEM, "write_unpacked_mem")                          \
    X(BENCH_WRITE_PACKED_MEM, "write_packed_mem")                              \
    X(BENCH_READ_UNPACKED_MEM, "read_unpacked_mem")                            \
    X(BENCH_TRAVERSE, "traverse")                                              \
    X(BENCH_READ_PACKED_MEM, "read_packed_mem")                                \
    X(BENCH_WRITE_UNPACKED_FILE, "write_unpacked_file")                        \
    X(BENCH_WRITE_PACKED_FILE, "write_packed_file")                            \
    X(BENCH_READ_UNPACKED_FILE, "read_unpacked_file")                          \
    X(BENCH_READ_PACKED_FILE, "read_packed_file")                              \
    X(BENCH_MAP_TRAVERSE, "map_traverse")

typedef enum bench_op {
#define BENCH_X_ENUM(name, text) name,
    BENCH_OP_LIST(BENCH_X_ENUM)
#undef BENCH_X_ENUM
        BENCH_OP_COUNT
} bench_op;

/* Checksum of a traversal: the wrapping 64-bit sum of numColumns,
 * numInputs, every Entry.index, the IEEE-754 bits of every Entry.value, and
 * every element of indices and of values (as bits).  Integer sums of the
 * bits are exact and order-independent, and cost about nothing next to the
 * reads, so the traversal figure measures the getters, not a chain of
 * floating-point additions. */
static inline uint32_t bench_f32_bits(float f) {
    uint32_t b;
    memcpy(&b, &f, sizeof b);
    return b;
}

/* Monotonic time in seconds. */
static inline double bench_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- The reference C++ library (bench/capnp_ref.c++) ------------------- */

typedef struct bench_ref bench_ref;

/* Sizes of the reference library's serialized message. */
typedef struct bench_ref_sizes {
    uint64_t unpacked_bytes;
    uint64_t packed_bytes;
    uint64_t segments;
    uint64_t data_words; /* segment words, without the segment table */
} bench_ref_sizes;

/* Builds the message once, writes it to memory and to files in dir
 * (capnp_unpacked.bin, capnp_packed.bin), and checks that every way of
 * reading it back gives `expected`.  Returns NULL (with a message in
 * err[0..errlen)) on failure.  d must stay valid until bench_ref_free. */
bench_ref *bench_ref_new(const bench_data *d, const char *dir,
                         uint64_t expected, char *err, size_t errlen);
void bench_ref_free(bench_ref *r);
void bench_ref_sizes_get(const bench_ref *r, bench_ref_sizes *out);

/* The reference library's serialized message (unpacked or packed), for
 * cross-checks by the C side. */
void bench_ref_buffer(const bench_ref *r, int packed, const void **data,
                      size_t *len);

/* Reads a message in buf (standard framing, packed or not) with the
 * reference library and traverses it.  Returns 0 and sets *checksum, or -1
 * (with a message in err) if the library rejects it. */
int bench_ref_read_buffer(const void *buf, size_t len, int packed,
                          uint64_t *checksum, char *err, size_t errlen);

/* Runs operation op once.  Returns the seconds of the timed part, or a
 * negative value (with a message in err) on failure.  Operations that
 * traverse set *checksum; the others leave it alone. */
double bench_ref_run(bench_ref *r, bench_op op, uint64_t *checksum, char *err,
                     size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* NCP_BENCH_REF_H */
