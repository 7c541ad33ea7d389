/*
 * nupic/classifier.h - NuPIC's SDR classifier (nupic.core's SDRClassifier),
 * bit-exact, with its state serialized as nupic.core's SdrClassifierProto.
 *
 * The classifier learns, for each prediction step s, a single-layer softmax
 * network that maps an input pattern (a set of active bits, typically the
 * active cells of a temporal memory) seen s records ago to the bucket of
 * the current record; and it keeps a running average of the actual value
 * of each bucket.  Inference gives, for each step, a probability for every
 * bucket seen so far, and the buckets' average actual values.
 *
 * With the same parameters and inputs, a nupic_classifier computes the same
 * probabilities and actual values as nupic.core's nupic::algorithms::
 * sdr_classifier::SDRClassifier, to the bit (double precision throughout):
 * inference happens before learning within a compute, as in nupic.core, so
 * a step's probabilities cover the buckets known before that compute.  Its
 * state saves to and loads from Cap'n Proto messages that nupic.core reads
 * and writes.
 *
 * Ownership: nupic_classifier_new / _read / _load_* return a new object
 * that the caller frees with nupic_classifier_free.  Pointers returned by
 * accessors point into the object and stay valid until the next compute or
 * free.  Thread-safety: an object must be used by one thread at a time;
 * different objects are independent.
 */
#ifndef NUPIC_CLASSIFIER_H
#define NUPIC_CLASSIFIER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <nupic/persist.h>
#include <nupic/status.h>

#include "nupic/proto/SdrClassifier.capnp.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The most prediction steps one classifier has. */
#define NUPIC_CLASSIFIER_MAX_STEPS 32
/* The largest step (SdrClassifierProto stores steps as UInt16). */
#define NUPIC_CLASSIFIER_MAX_STEP 65535u
/* The most weights of one step's matrix: (largest input index + 1) *
 * (largest bucket index + 1).  Inputs that would need more are refused
 * with NUPIC_ERR_TOO_LARGE. */
#define NUPIC_CLASSIFIER_MAX_WEIGHTS ((uint64_t)1 << 28)

/* The parameters, with NuPIC's names; nupic_classifier_params_default()
 * fills in NuPIC's defaults. */
typedef struct nupic_classifier_params {
    /* The prediction steps ({1}): distinct, 0 to NUPIC_CLASSIFIER_MAX_STEP,
     * in any order (they are sorted, as nupic.core sorts them).  Step 0
     * classifies the current record. */
    uint32_t steps[NUPIC_CLASSIFIER_MAX_STEPS];
    uint32_t num_steps;     /* 1 to NUPIC_CLASSIFIER_MAX_STEPS */
    double alpha;           /* 0.001: the weights' learning rate; finite */
    double act_value_alpha; /* 0.3: the actual values' averaging rate */
    uint32_t verbosity;     /* 0, at most 255 (kept, never used) */
} nupic_classifier_params;

NCP_API void nupic_classifier_params_default(nupic_classifier_params *p);

typedef struct nupic_classifier nupic_classifier;

/* Creates a classifier.  An invalid parameter gives NUPIC_ERR_PARAM and a
 * message naming it and its value. */
NCP_API nupic_status nupic_classifier_new(const nupic_classifier_params *p,
                                          nupic_classifier **out,
                                          nupic_error *err);
NCP_API void nupic_classifier_free(nupic_classifier *c);

/* One record (nupic.core's compute).
 *
 * record_num: the record's number; it never decreases from one call to the
 *   next (NUPIC_ERR_ARG otherwise).  A new number stores the pattern in the
 *   history; the same number again learns without storing it twice.
 * pattern[0..n): the active input bits, in any order (repeats count twice,
 *   as in nupic.core).
 * bucket_idx[0..num_classes), act_value[0..num_classes): the record's
 *   classification: usually one bucket and its actual value; several
 *   buckets share the target probability; none is allowed.
 * category: the actual values replace the buckets' averages instead of
 *   entering them.
 * learn: update the weights and averages.  infer: compute the predictions
 *   (before learning), read with nupic_classifier_probabilities() and
 *   nupic_classifier_actual_values().
 *
 * A bucket never seen reports the record's first actual value (0 when the
 * smallest step is 0 or there is no classification, as NuPIC does).  On any
 * error nothing changes (NUPIC_ERR_ARG, NUPIC_ERR_TOO_LARGE, NUPIC_ERR_NOMEM).
 */
NCP_API nupic_status nupic_classifier_compute(
    nupic_classifier *c, uint32_t record_num, const uint32_t *pattern, size_t n,
    const uint32_t *bucket_idx, const double *act_value, size_t num_classes,
    bool category, bool learn, bool infer, nupic_error *err);

/* The last inference: the probability of each bucket for prediction step
 * `step` (one of the steps; NULL otherwise or before any inference), and
 * the average actual value of each bucket.  *n receives the number of
 * buckets (the same for both). */
NCP_API const double *nupic_classifier_probabilities(const nupic_classifier *c,
                                                     uint32_t step, size_t *n);
NCP_API const double *nupic_classifier_actual_values(const nupic_classifier *c,
                                                     size_t *n);

/* ---- accessors ---------------------------------------------------------- */

/* The parameters (steps sorted). */
NCP_API void nupic_classifier_get_params(const nupic_classifier *c,
                                         nupic_classifier_params *out);
NCP_API uint32_t nupic_classifier_max_input_idx(const nupic_classifier *c);
NCP_API uint32_t nupic_classifier_max_bucket_idx(const nupic_classifier *c);
/* The number of patterns in the history (at most the largest step + 1). */
NCP_API uint32_t nupic_classifier_history_len(const nupic_classifier *c);
/* The record number of the newest pattern in the history (the smallest
 * number the next compute accepts); false, and 0, if the history is
 * empty. */
NCP_API bool nupic_classifier_last_record(const nupic_classifier *c,
                                          uint32_t *record);
/* The weight of input bit `input` for bucket `bucket` in the matrix of
 * prediction step `step`; NUPIC_ERR_ARG if any is out of range. */
NCP_API nupic_status nupic_classifier_get_weight(const nupic_classifier *c,
                                                 uint32_t step, uint32_t input,
                                                 uint32_t bucket, double *out);

/* Whether two classifiers have equal state in every field, to the bit
 * (parameters, history, weights, actual values).  When they differ and diff
 * is not NULL, the first difference is described in diff[0..diff_size). */
NCP_API bool nupic_classifier_equal(const nupic_classifier *a,
                                    const nupic_classifier *b, char *diff,
                                    size_t diff_size);

/* ---- serialization (NuPIC's API, in C) --------------------------------- */

/* Writes the state into an SdrClassifierProto being built. */
NCP_API nupic_status nupic_classifier_write(const nupic_classifier *c,
                                            SdrClassifierProto_B b,
                                            nupic_error *err);
/* Reads an SdrClassifierProto into a new object, checking every value; on
 * any error nothing is allocated (NUPIC_ERR_FORMAT and a message naming the
 * field, e.g. "SdrClassifierProto.weightMatrix[1].weight: 12 values,
 * expected 2048 (maxInputIdx 2047 + 1) * 1 (maxBucketIdx 0 + 1)"). */
NCP_API nupic_status nupic_classifier_read(SdrClassifierProto_R r,
                                           nupic_classifier **out,
                                           nupic_error *err);

/* One message on an open stream (packed unless options say otherwise; the
 * FILE* is flushed); read_from_file detects packing unless told. */
NCP_API nupic_status nupic_classifier_write_to_file(
    const nupic_classifier *c, FILE *f, const nupic_save_options *options,
    nupic_error *err);
NCP_API nupic_status
nupic_classifier_read_from_file(FILE *f, const nupic_load_options *options,
                                nupic_classifier **out, nupic_error *err);
/* To and from memory: *buf is allocated with malloc (free it with free). */
NCP_API nupic_status nupic_classifier_write_to_mem(
    const nupic_classifier *c, const nupic_save_options *options, void **buf,
    size_t *len, nupic_error *err);
NCP_API nupic_status nupic_classifier_read_from_mem(
    const void *buf, size_t len, const nupic_load_options *options,
    nupic_classifier **out, nupic_error *err);
/* Replaces the file at path atomically (a failure leaves the old file);
 * load reads the file with read(2); it is not mapped, so a file truncated
 * meanwhile gives an error, never SIGBUS. */
NCP_API nupic_status nupic_classifier_save(const nupic_classifier *c,
                                           const char *path,
                                           const nupic_save_options *options,
                                           nupic_error *err);
NCP_API nupic_status nupic_classifier_load(const char *path,
                                           const nupic_load_options *options,
                                           nupic_classifier **out,
                                           nupic_error *err);

#ifdef __cplusplus
}
#endif

#endif /* NUPIC_CLASSIFIER_H */
