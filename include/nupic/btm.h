/*
 * nupic/btm.h - the backtracking temporal memory: nupic.core's Cells4 as
 * NuPIC's BacktrackingTMCPP configures it, bit-exact, with its state
 * serialized as nupic.core's Cells4Proto (or NuPIC's
 * BacktrackingTMCppProto).
 *
 * With the same parameters and inputs, a nupic_btm computes the same
 * inference active and predicted cells, learning active cells, cell and
 * column confidences, segments and synapses as nupic.core's
 * nupic::algorithms::Cells4::Cells4 driven by BacktrackingTMCPP: backtracking
 * on inference and on learning, PAM, queued segment updates, segment duty
 * cycles, fixed-size mode (segment and synapse recycling), global decay.
 *
 * Deliberate differences, all in cases where nupic.core reads or writes
 * out of bounds: segment activity counts are exact for cells with more than
 * 128 segment slots and segments with more than 255 synapses (nupic.core's
 * counters overflow there); when every segment of a full column has a duty
 * cycle of at least 1 (nupic.core then frees no segment and indexes with
 * -1), the new segment goes on the column's cell 1 without freeing one;
 * the iteration counters saturate at 2^32 - 1 (nupic.core's wrap to 0 then
 * divides by zero in the duty cycle).
 *
 * Ownership: nupic_btm_new / nupic_btm_read* / nupic_btm_load return a new
 * object that the caller frees with nupic_btm_free.  Pointers returned by
 * accessors point into the object and stay valid until the next compute,
 * reset or free.  Thread-safety: an object must be used by one thread at a
 * time; different objects are independent.
 */
#ifndef NUPIC_BTM_H
#define NUPIC_BTM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <nupic/persist.h>
#include <nupic/status.h>

#include "nupic/algorithms/backtracking_tm_cpp.capnp.h"
#include "nupic/proto/Cells4.capnp.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What nupic_btm_output() gives (NuPIC's outputType). */
typedef enum nupic_btm_output_type {
    NUPIC_BTM_OUTPUT_NORMAL,       /* "normal": predicted or active cells */
    NUPIC_BTM_OUTPUT_ACTIVE_STATE, /* "activeState": active cells */
    /* "activeState1CellPerCol": in each column with an active cell, the
     * cell of highest confidence (the first on ties) */
    NUPIC_BTM_OUTPUT_ACTIVE_STATE_1CELL_PER_COL
} nupic_btm_output_type;

/* The parameters, with NuPIC's BacktrackingTM names and defaults. */
typedef struct nupic_btm_params {
    uint32_t number_of_cols;            /* 500 */
    uint32_t cells_per_column;          /* 10 */
    float initial_perm;                 /* 0.11 */
    float connected_perm;               /* 0.50 */
    uint32_t min_threshold;             /* 8 */
    uint32_t new_synapse_count;         /* 15 */
    float permanence_inc;               /* 0.10 */
    float permanence_dec;               /* 0.10 */
    float permanence_max;               /* 1.0 */
    float global_decay;                 /* 0.10 */
    uint32_t activation_threshold;      /* 12, at least 1 */
    bool do_pooling;                    /* false */
    uint32_t seg_update_valid_duration; /* 5; NuPIC forces 1 without pooling,
                                           and so does nupic_btm_new */
    uint32_t burn_in;                   /* 2 (statistics only; kept) */
    bool collect_stats;                 /* false (kept, not used) */
    int32_t seed;                       /* 42 */
    uint32_t verbosity;                 /* 0 (kept; nothing is printed) */
    bool check_synapse_consistency;     /* false (kept) */
    uint32_t pam_length;                /* 1, at least 1 */
    uint32_t max_inf_backtrack;         /* 10 */
    uint32_t max_lrn_backtrack;         /* 5 */
    uint32_t max_age;                   /* 100000 */
    uint32_t max_seq_length;            /* 32; 0: unlimited */
    int32_t max_segments_per_cell;      /* -1: unlimited */
    int32_t max_synapses_per_segment;   /* -1: unlimited */
    nupic_btm_output_type output_type;  /* normal */
} nupic_btm_params;

NCP_API void nupic_btm_params_default(nupic_btm_params *p);
/* "normal", "activeState", "activeState1CellPerCol" <-> the enum.  parse
 * returns false for any other name. */
NCP_API const char *nupic_btm_output_type_name(nupic_btm_output_type t);
NCP_API bool nupic_btm_output_type_parse(const char *name,
                                         nupic_btm_output_type *out);

typedef struct nupic_btm nupic_btm;

/* Creates a backtracking TM, configured as BacktrackingTMCPP configures
 * Cells4.  An invalid parameter (NuPIC's own checks: pamLength > 0; in
 * fixed-size mode both maxima > 0, globalDecay 0, maxAge 0,
 * maxSynapsesPerSegment >= newSynapseCount; plus ranges that keep the
 * engine defined: permanences finite, activationThreshold >= 1, at most
 * 2^18 cells, at least 2 cells per column in fixed-size mode) gives
 * NUPIC_ERR_PARAM and a message naming it. */
NCP_API nupic_status nupic_btm_new(const nupic_btm_params *params,
                                   nupic_btm **out, nupic_error *err);
NCP_API void nupic_btm_free(nupic_btm *btm);

/* One step (Cells4::compute): the active columns are n ascending, distinct
 * indices below number_of_cols (anything else gives NUPIC_ERR_ARG and
 * changes nothing); infer and learn as NuPIC's enableInference and
 * enableLearning (at least one must be true).  NUPIC_ERR_NOMEM leaves a
 * valid object whose step is incomplete. */
NCP_API nupic_status nupic_btm_compute(nupic_btm *btm,
                                       const uint32_t *active_columns, size_t n,
                                       bool infer, bool learn,
                                       nupic_error *err);
/* Forgets the current sequence (Cells4::reset). */
NCP_API void nupic_btm_reset(nupic_btm *btm);

/* ---- accessors ---------------------------------------------------------- */

NCP_API void nupic_btm_get_params(const nupic_btm *btm, nupic_btm_params *out);
NCP_API uint32_t nupic_btm_num_columns(const nupic_btm *btm);
NCP_API uint32_t nupic_btm_num_cells(const nupic_btm *btm);
/* Compute calls, and those with learning on. */
NCP_API uint32_t nupic_btm_iterations(const nupic_btm *btm);
NCP_API uint32_t nupic_btm_learn_iterations(const nupic_btm *btm);
/* Non-empty segments and their synapses. */
NCP_API uint32_t nupic_btm_num_segments(const nupic_btm *btm);
NCP_API uint32_t nupic_btm_num_synapses(const nupic_btm *btm);

/* The cells (or columns) of the current state, ascending; *n receives
 * their number.  output: as output_type says.  inf_active / inf_predicted:
 * the inference state at t; learn_active: the learning state at t;
 * predicted_columns: columns with an inference-predicted cell;
 * confident_columns: columns with nonzero confidence, whose values
 * nupic_btm_column_confidence gives (NuPIC's topDownCompute). */
NCP_API const uint32_t *nupic_btm_output(const nupic_btm *btm, size_t *n);
NCP_API const uint32_t *nupic_btm_inf_active_cells(const nupic_btm *btm,
                                                   size_t *n);
NCP_API const uint32_t *nupic_btm_inf_predicted_cells(const nupic_btm *btm,
                                                      size_t *n);
NCP_API const uint32_t *nupic_btm_learn_active_cells(const nupic_btm *btm,
                                                     size_t *n);
NCP_API const uint32_t *nupic_btm_predicted_columns(const nupic_btm *btm,
                                                    size_t *n);
NCP_API const uint32_t *nupic_btm_confident_columns(const nupic_btm *btm,
                                                    size_t *n);
/* The column confidences at t (number_of_cols values). */
NCP_API const float *nupic_btm_column_confidence(const nupic_btm *btm);
/* The raw anomaly score of the last step as NuPIC's TM region computes it
 * for this TM: the fraction of the active columns that had no confidence
 * after the step before, float32; 0 with no active columns. */
NCP_API float nupic_btm_anomaly(const nupic_btm *btm);

/* Whether two objects have equal state in every field that the algorithm
 * or the serialized form uses (parameters, random state, counters, every
 * segment slot and synapse, free segment lists, states and their cell
 * lists, confidences, input history, queued updates).  When they differ
 * and diff is not NULL, the first difference is described there. */
NCP_API bool nupic_btm_equal(const nupic_btm *a, const nupic_btm *b, char *diff,
                             size_t diff_size);

/* ---- serialization ------------------------------------------------------ */

/* Cells4Proto, as nupic.core's Cells4::write writes it (inference state
 * included).  A state read back writes the same bytes.  Reading follows
 * Cells4::read: free segment slots are listed in ascending order after a
 * read, as nupic.core rebuilds them, so a restored object continues exactly
 * as nupic.core continues from the same file.  Every value is checked; on
 * error nothing is allocated (NUPIC_ERR_FORMAT, with a message naming the
 * field, e.g. "Cells4Proto.cells[17].segments[3].synapses[2]: srcCellIdx
 * 70000 >= nCells 65536"). */
NCP_API nupic_status nupic_btm_write(const nupic_btm *btm, Cells4Proto_B b,
                                     nupic_error *err);
NCP_API nupic_status nupic_btm_read(Cells4Proto_R r, nupic_btm **out,
                                    nupic_error *err);

/* BacktrackingTMCppProto (what NuPIC's TM region stores for
 * tmImplementation "cpp"): cells4 as above; baseTM holds the parameters
 * (numberOfCols ... outputType), the counters (lrnIterationIdx,
 * iterationIdx, pamCounter, resetCalled, avgInputDensity,
 * learnedSeqLength, avgLearnedSeqLength), the input histories and the
 * random state; the per-cell lists of baseTM (cells, states, confidences,
 * segment updates) are left empty, as the engine state lives in cells4.
 * seed and checkSynapseConsistency are set; initArgs is empty.  Reading
 * takes the engine from cells4 and the Python-only parameters (burnIn,
 * collectStats, outputType, and the -1 of unlimited maxima) from baseTM. */
NCP_API nupic_status nupic_btm_write_cpp(const nupic_btm *btm,
                                         BacktrackingTMCppProto_B b,
                                         nupic_error *err);
NCP_API nupic_status nupic_btm_read_cpp(BacktrackingTMCppProto_R r,
                                        nupic_btm **out, nupic_error *err);

/* Cells4Proto messages in files, memory and paths, as nupic_tm_* do. */
NCP_API nupic_status nupic_btm_write_to_file(const nupic_btm *btm, FILE *f,
                                             const nupic_save_options *options,
                                             nupic_error *err);
NCP_API nupic_status nupic_btm_read_from_file(FILE *f,
                                              const nupic_load_options *options,
                                              nupic_btm **out,
                                              nupic_error *err);
NCP_API nupic_status nupic_btm_write_to_mem(const nupic_btm *btm,
                                            const nupic_save_options *options,
                                            void **buf, size_t *len,
                                            nupic_error *err);
NCP_API nupic_status nupic_btm_read_from_mem(const void *buf, size_t len,
                                             const nupic_load_options *options,
                                             nupic_btm **out, nupic_error *err);
/* Atomic: the file at path is replaced only once the new one is written. */
NCP_API nupic_status nupic_btm_save(const nupic_btm *btm, const char *path,
                                    const nupic_save_options *options,
                                    nupic_error *err);
NCP_API nupic_status nupic_btm_load(const char *path,
                                    const nupic_load_options *options,
                                    nupic_btm **out, nupic_error *err);

#ifdef __cplusplus
}
#endif

#endif /* NUPIC_BTM_H */
