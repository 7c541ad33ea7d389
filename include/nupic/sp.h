/*
 * nupic/sp.h - the spatial pooler of nupic.core, bit-exact, with its state
 * serialized as nupic.core's SpatialPoolerProto.
 *
 * With the same parameters, seed and inputs, a nupic_sp computes the same
 * active columns as nupic.core's nupic::algorithms::spatial_pooler::
 * SpatialPooler at every step, learning or not, with global or local
 * inhibition, in any number of dimensions.  Its state saves to and loads
 * from Cap'n Proto messages that nupic.core reads and writes.
 *
 * Ownership: nupic_sp_new / nupic_sp_read / nupic_sp_load_* return a new
 * object that the caller frees with nupic_sp_free.  Pointers returned by
 * accessors point into the object and stay valid until the next compute or
 * free.  Thread-safety: an object must be used by one thread at a time;
 * different objects are independent.  Reading a large state (2^17 synapses
 * or more, written as one segment) starts one thread that decodes half of
 * the columns with the caller's and ends before the call returns; it runs
 * with every signal blocked.  The option no_read_ahead of nupic_load_options
 * (or ncp_read_options) keeps all the work in the calling thread.
 */
#ifndef NUPIC_SP_H
#define NUPIC_SP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <nupic/persist.h>
#include <nupic/status.h>

#include "nupic/proto/SpatialPoolerProto.capnp.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NUPIC_SP_MAX_DIMS 8

/* The parameters, with nupic.core's names.  nupic_sp_params_default()
 * fills in nupic.core's defaults (and NuPIC's default dimensions, 32x32
 * inputs and 64x64 columns). */
typedef struct nupic_sp_params {
    uint32_t input_dimensions[NUPIC_SP_MAX_DIMS];
    uint32_t column_dimensions[NUPIC_SP_MAX_DIMS];
    uint32_t num_dimensions;   /* of both; 1..NUPIC_SP_MAX_DIMS */
    uint32_t potential_radius; /* 16 */
    float potential_pct;       /* 0.5, in (0, 1] */
    bool global_inhibition;    /* true */
    float local_area_density;  /* -1: unused; else in (0, 0.5] */
    /* 10; 0 or negative: use local_area_density instead */
    int32_t num_active_columns_per_inh_area;
    uint32_t stimulus_threshold;       /* 0 */
    float syn_perm_inactive_dec;       /* 0.008 */
    float syn_perm_active_inc;         /* 0.05 */
    float syn_perm_connected;          /* 0.1 */
    float min_pct_overlap_duty_cycles; /* 0.001 */
    uint32_t duty_cycle_period;        /* 1000, at most 65535 */
    float boost_strength;              /* 0 */
    int32_t seed;                      /* 1; negative: a random seed */
    uint32_t sp_verbosity;             /* 0, at most 255 */
    bool wrap_around;                  /* true */
} nupic_sp_params;

NCP_API void nupic_sp_params_default(nupic_sp_params *p);

typedef struct nupic_sp nupic_sp;

/* Creates a spatial pooler.  Parameters are validated first; an invalid
 * one gives NUPIC_ERR_PARAM and a message naming it and its value. */
NCP_API nupic_status nupic_sp_new(const nupic_sp_params *params, nupic_sp **out,
                                  nupic_error *err);
NCP_API void nupic_sp_free(nupic_sp *sp);

/* One step.  active_inputs holds n distinct input indices (any order);
 * the active columns are written, ascending, to active_columns (room for
 * nupic_sp_num_columns() values) and their number to *num_active.  An index
 * out of range or repeated gives NUPIC_ERR_ARG and changes nothing. */
NCP_API nupic_status nupic_sp_compute(nupic_sp *sp,
                                      const uint32_t *active_inputs, size_t n,
                                      bool learn, uint32_t *active_columns,
                                      size_t *num_active, nupic_error *err);

/* The same step with dense 0/1 vectors (nupic.core's form): input has
 * nupic_sp_num_inputs() entries, output nupic_sp_num_columns(). */
NCP_API nupic_status nupic_sp_compute_dense(nupic_sp *sp, const uint32_t *input,
                                            bool learn, uint32_t *output,
                                            nupic_error *err);

/* ---- accessors ---------------------------------------------------------- */

/* The parameters the object was built with (or read with). */
NCP_API void nupic_sp_get_params(const nupic_sp *sp, nupic_sp_params *out);
NCP_API uint32_t nupic_sp_num_inputs(const nupic_sp *sp);
NCP_API uint32_t nupic_sp_num_columns(const nupic_sp *sp);
NCP_API uint32_t nupic_sp_iteration_num(const nupic_sp *sp);
NCP_API uint32_t nupic_sp_iteration_learn_num(const nupic_sp *sp);
NCP_API uint32_t nupic_sp_inhibition_radius(const nupic_sp *sp);

/* Column c's permanences as a dense vector of nupic_sp_num_inputs() values
 * (0 outside the potential pool). */
NCP_API nupic_status nupic_sp_get_permanence(const nupic_sp *sp, uint32_t c,
                                             float *dense);
/* Column c's potential pool and connected synapses as dense 0/1 vectors of
 * nupic_sp_num_inputs() values. */
NCP_API nupic_status nupic_sp_get_potential(const nupic_sp *sp, uint32_t c,
                                            uint32_t *dense);
NCP_API nupic_status nupic_sp_get_connected(const nupic_sp *sp, uint32_t c,
                                            uint32_t *dense);
/* Connected synapse counts, one per column. */
NCP_API const uint32_t *nupic_sp_connected_counts(const nupic_sp *sp);
/* The last step's overlaps and boosted overlaps, one per column. */
NCP_API const uint32_t *nupic_sp_overlaps(const nupic_sp *sp);
NCP_API const float *nupic_sp_boosted_overlaps(const nupic_sp *sp);
/* Duty cycles, boost factors and tie breakers, one per column. */
NCP_API const float *nupic_sp_overlap_duty_cycles(const nupic_sp *sp);
NCP_API const float *nupic_sp_active_duty_cycles(const nupic_sp *sp);
NCP_API const float *nupic_sp_min_overlap_duty_cycles(const nupic_sp *sp);
NCP_API const float *nupic_sp_boost_factors(const nupic_sp *sp);
NCP_API const float *nupic_sp_tie_breaker(const nupic_sp *sp);

/* Whether two spatial poolers have equal state in every field (parameters,
 * random state, counters, pools, permanences, duty cycles, boost factors).
 * When they differ and diff is not NULL, a description of the first
 * difference is written to diff[0..diff_size). */
NCP_API bool nupic_sp_equal(const nupic_sp *a, const nupic_sp *b, char *diff,
                            size_t diff_size);

/* ---- serialization (NuPIC's API, in C) --------------------------------- */

/* Writes the state into a SpatialPoolerProto being built. */
NCP_API nupic_status nupic_sp_write(const nupic_sp *sp, SpatialPoolerProto_B b,
                                    nupic_error *err);
/* Reads a SpatialPoolerProto into a new object, checking every value; on
 * any error nothing is allocated (NUPIC_ERR_FORMAT and a message naming the
 * field, e.g. "SpatialPoolerProto.permanences: row 17 ..."). */
NCP_API nupic_status nupic_sp_read(SpatialPoolerProto_R r, nupic_sp **out,
                                   nupic_error *err);

/* One message on an open stream (packed unless options say otherwise; the
 * FILE* is flushed).  read_from_file detects packing unless told. */
NCP_API nupic_status nupic_sp_write_to_file(const nupic_sp *sp, FILE *f,
                                            const nupic_save_options *options,
                                            nupic_error *err);
NCP_API nupic_status nupic_sp_read_from_file(FILE *f,
                                             const nupic_load_options *options,
                                             nupic_sp **out, nupic_error *err);
/* To and from memory: *buf is allocated with malloc (free it with free). */
NCP_API nupic_status nupic_sp_write_to_mem(const nupic_sp *sp,
                                           const nupic_save_options *options,
                                           void **buf, size_t *len,
                                           nupic_error *err);
NCP_API nupic_status nupic_sp_read_from_mem(const void *buf, size_t len,
                                            const nupic_load_options *options,
                                            nupic_sp **out, nupic_error *err);
/* Replaces the file at path atomically (a failure leaves the old file);
 * load reads the file with read(2); it is not mapped, so a file truncated
 * meanwhile gives an error, never SIGBUS. */
NCP_API nupic_status nupic_sp_save(const nupic_sp *sp, const char *path,
                                   const nupic_save_options *options,
                                   nupic_error *err);
NCP_API nupic_status nupic_sp_load(const char *path,
                                   const nupic_load_options *options,
                                   nupic_sp **out, nupic_error *err);

#ifdef __cplusplus
}
#endif

#endif /* NUPIC_SP_H */
