/*
 * nupic/tm.h - the temporal memory of nupic.core, bit-exact, with its state
 * serialized as nupic.core's TemporalMemoryProto (and ConnectionsProto).
 *
 * With the same parameters, seed and active columns, a nupic_tm computes
 * the same active, winner and predictive cells as nupic.core's
 * nupic::algorithms::temporal_memory::TemporalMemory at every step, learning
 * or not, including segment eviction at maxSegmentsPerCell and synapse
 * eviction at maxSynapsesPerSegment.  One deliberate difference: when
 * learning empties a segment that the same step then grows synapses on
 * (possible only with an initialPermanence below 1e-6), nupic.core keeps
 * growing on the destroyed segment, which it no longer lists; here the
 * growth is skipped.
 *
 * Saved states are canonical: cells in order, each cell's segments and each
 * segment's synapses in creation order, the per-segment lists
 * (numActivePotentialSynapsesForSegment, lastUsedIterationForSegment) with
 * one entry for every segment in that same cell-major order.  So a restored
 * TM writes exactly the bytes it was read from (when those were written
 * here), and two TMs with equal state write equal bytes.  nupic.core's own
 * files (whose per-segment lists follow its internal segment numbering and
 * carry entries for destroyed segments) load as well.
 *
 * Ownership: nupic_tm_new / nupic_tm_read / nupic_tm_load_* return a new
 * object that the caller frees with nupic_tm_free.  Pointers returned by
 * accessors point into the object and stay valid until the next compute,
 * reset or free.  Thread-safety: an object must be used by one thread at a
 * time; different objects are independent.
 */
#ifndef NUPIC_TM_H
#define NUPIC_TM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <nupic/persist.h>
#include <nupic/status.h>

#include "nupic/proto/TemporalMemoryProto.capnp.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NUPIC_TM_MAX_DIMS 8

/* The parameters, with nupic.core's names and defaults (in comments). */
typedef struct nupic_tm_params {
    uint32_t column_dimensions[NUPIC_TM_MAX_DIMS]; /* {2048} */
    uint32_t num_dimensions;                       /* 1 */
    uint32_t cells_per_column;                     /* 32 */
    uint32_t activation_threshold;                 /* 13, at least 1 */
    float initial_permanence;                      /* 0.21, in (0, 1] */
    float connected_permanence;                    /* 0.50, in [0, 1] */
    uint32_t min_threshold;            /* 10, 1 .. activation_threshold */
    uint32_t max_new_synapse_count;    /* 20 */
    float permanence_increment;        /* 0.10, in [0, 1] */
    float permanence_decrement;        /* 0.10, in [0, 1] */
    float predicted_segment_decrement; /* 0.0, in [0, 1] */
    int32_t seed;                      /* 42; negative: a random seed */
    uint32_t max_segments_per_cell;    /* 255, 1 .. 65535 */
    uint32_t max_synapses_per_segment; /* 255, 1 .. 65535 */
    bool check_inputs; /* true (inputs are always checked; kept for the
                          proto's checkInputs field) */
} nupic_tm_params;

NCP_API void nupic_tm_params_default(nupic_tm_params *p);

typedef struct nupic_tm nupic_tm;

/* Creates a temporal memory.  An invalid parameter gives NUPIC_ERR_PARAM
 * and a message naming it and its value. */
NCP_API nupic_status nupic_tm_new(const nupic_tm_params *params, nupic_tm **out,
                                  nupic_error *err);
NCP_API void nupic_tm_free(nupic_tm *tm);

/* One step: the active columns are n ascending, distinct indices below
 * nupic_tm_num_columns().  Anything else gives NUPIC_ERR_ARG and changes
 * nothing.  NUPIC_ERR_NOMEM leaves a valid object whose step is
 * incomplete. */
NCP_API nupic_status nupic_tm_compute(nupic_tm *tm,
                                      const uint32_t *active_columns, size_t n,
                                      bool learn, nupic_error *err);
/* Forgets the current sequence: no active, winner or predictive cells. */
NCP_API void nupic_tm_reset(nupic_tm *tm);

/* ---- accessors ---------------------------------------------------------- */

NCP_API void nupic_tm_get_params(const nupic_tm *tm, nupic_tm_params *out);
NCP_API uint32_t nupic_tm_num_columns(const nupic_tm *tm);
NCP_API uint32_t nupic_tm_num_cells(const nupic_tm *tm);
/* Learning steps so far (nupic.core counts only those). */
NCP_API uint64_t nupic_tm_iteration(const nupic_tm *tm);
NCP_API uint32_t nupic_tm_num_segments(const nupic_tm *tm);
NCP_API uint32_t nupic_tm_num_synapses(const nupic_tm *tm);

/* The cells of the last step, ascending; *n receives their number. */
NCP_API const uint32_t *nupic_tm_active_cells(const nupic_tm *tm, size_t *n);
NCP_API const uint32_t *nupic_tm_winner_cells(const nupic_tm *tm, size_t *n);
/* The cells predicted for the next step (cells with an active segment). */
NCP_API const uint32_t *nupic_tm_predictive_cells(const nupic_tm *tm,
                                                  size_t *n);
/* The raw anomaly score of the last step: the fraction of its active
 * columns that had no predictive cell after the step before (NuPIC's
 * computeRawAnomalyScore, float32); 0 with no active columns. */
NCP_API float nupic_tm_anomaly(const nupic_tm *tm);

/* A segment, named as the proto names it: its cell and its index among the
 * cell's segments (creation order). */
typedef struct nupic_tm_segment {
    uint32_t cell, idx_on_cell;
} nupic_tm_segment;
/* The active (or matching) segments of the last step, sorted by cell and
 * index: writes min(count, cap) of them and returns the count. */
NCP_API size_t nupic_tm_active_segments(const nupic_tm *tm,
                                        nupic_tm_segment *out, size_t cap);
NCP_API size_t nupic_tm_matching_segments(const nupic_tm *tm,
                                          nupic_tm_segment *out, size_t cap);
/* Segments on a cell, and synapses on a segment: presynaptic cells and
 * permanences in creation order; writes min(count, cap), returns count
 * (SIZE_MAX for a cell or segment that does not exist). */
NCP_API size_t nupic_tm_segments_on_cell(const nupic_tm *tm, uint32_t cell);
NCP_API size_t nupic_tm_synapses(const nupic_tm *tm, nupic_tm_segment seg,
                                 uint32_t *presynaptic, float *permanence,
                                 size_t cap);

/* Whether two temporal memories have equal state in every field
 * (parameters, random state, iteration, every segment and synapse, the last
 * step's cells and segments and per-segment counts).  When they differ and
 * diff is not NULL, the first difference is described in
 * diff[0..diff_size). */
NCP_API bool nupic_tm_equal(const nupic_tm *a, const nupic_tm *b, char *diff,
                            size_t diff_size);

/* ---- serialization (NuPIC's API, in C) --------------------------------- */

/* Writes the state into a TemporalMemoryProto being built (canonical: the
 * same state always gives the same bytes).  Errors: the builder's (e.g.
 * NUPIC_ERR_NOMEM when it cannot grow, or its limits), or NUPIC_ERR_NOMEM
 * when a scratch list of the segments (4 bytes each) cannot be allocated;
 * the builder then holds a partial message and should be discarded. */
NCP_API nupic_status nupic_tm_write(const nupic_tm *tm, TemporalMemoryProto_B b,
                                    nupic_error *err);
/* Reads a TemporalMemoryProto into a new object, checking every value;
 * on any error nothing is allocated (NUPIC_ERR_FORMAT and a message naming
 * the field, e.g. "TemporalMemoryProto.connections.cells[17].segments[2]:
 * synapse 5 has presynaptic cell 70000, beyond the 65536 cells"). */
NCP_API nupic_status nupic_tm_read(TemporalMemoryProto_R r, nupic_tm **out,
                                   nupic_error *err);

/* As nupic_sp_write_to_file and friends (nupic/sp.h). */
NCP_API nupic_status nupic_tm_write_to_file(const nupic_tm *tm, FILE *f,
                                            const nupic_save_options *options,
                                            nupic_error *err);
NCP_API nupic_status nupic_tm_read_from_file(FILE *f,
                                             const nupic_load_options *options,
                                             nupic_tm **out, nupic_error *err);
NCP_API nupic_status nupic_tm_write_to_mem(const nupic_tm *tm,
                                           const nupic_save_options *options,
                                           void **buf, size_t *len,
                                           nupic_error *err);
NCP_API nupic_status nupic_tm_read_from_mem(const void *buf, size_t len,
                                            const nupic_load_options *options,
                                            nupic_tm **out, nupic_error *err);
NCP_API nupic_status nupic_tm_save(const nupic_tm *tm, const char *path,
                                   const nupic_save_options *options,
                                   nupic_error *err);
NCP_API nupic_status nupic_tm_load(const char *path,
                                   const nupic_load_options *options,
                                   nupic_tm **out, nupic_error *err);

#ifdef __cplusplus
}
#endif

#endif /* NUPIC_TM_H */
