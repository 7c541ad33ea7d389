/*
 * nupic/anomaly.h - anomaly scores: nupic.core's raw anomaly score, and
 * NuPIC's AnomalyLikelihood, bit-exact, with its state serialized as
 * NuPIC's AnomalyLikelihoodProto.
 *
 * The raw score of a record is the fraction of its active columns that
 * were not predicted; it needs nothing but the two sets, so any source of
 * active and predicted columns can use it (a temporal memory, a file).
 *
 * The likelihood turns a stream of raw scores into the probability that
 * the recent scores are unusual: after a probationary period
 * (learningPeriod + estimationSamples records, reported as 0.5) it fits a
 * normal distribution to the moving averages (window 10) of the last
 * historicWindowSize scores, refits it every reestimationPeriod records,
 * and reports 1 minus the filtered tail probability of the current moving
 * average.  A nupic_likelihood computes exactly what NuPIC's Python
 * AnomalyLikelihood.anomalyProbability computes (under Python 3 and NumPy's
 * pairwise summation, in double precision), record by record.
 *
 * Ownership: nupic_likelihood_new / _read / _load_* return a new object that
 * the caller frees with nupic_likelihood_free.  Thread-safety: an object
 * must be used by one thread at a time; the raw score functions are pure.
 */
#ifndef NUPIC_ANOMALY_H
#define NUPIC_ANOMALY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <nupic/persist.h>
#include <nupic/status.h>

#include "nupic/algorithms/anomaly_likelihood.capnp.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- raw anomaly score -------------------------------------------------- */

/* nupic.core's computeRawAnomalyScore: (n - hits) / (float)n in float32,
 * where n is the number of entries of active[] (repeats included) and hits
 * the number of distinct active columns that are also in predicted[]; 0
 * when active is empty.  Both sets may be in any order; sorted input is
 * scored without allocating (otherwise NUPIC_ERR_NOMEM is possible). */
NCP_API nupic_status nupic_anomaly_raw_score(const uint32_t *active,
                                             size_t n_active,
                                             const uint32_t *predicted,
                                             size_t n_predicted, float *score,
                                             nupic_error *err);

/* The same from dense vectors of n entries (nonzero: active, predicted). */
NCP_API float nupic_anomaly_raw_score_dense(const uint32_t *active,
                                            const uint32_t *predicted,
                                            size_t n);

/* ---- anomaly likelihood ------------------------------------------------- */

/* NuPIC's averaging window of anomaly scores. */
#define NUPIC_LIKELIHOOD_AVERAGING_WINDOW 10u

/* The parameters, with NuPIC's names; nupic_likelihood_params_default()
 * fills in NuPIC's defaults. */
typedef struct nupic_likelihood_params {
    uint32_t learning_period;      /* 288: records before scores settle */
    uint32_t estimation_samples;   /* 100: records for the first estimate */
    uint32_t historic_window_size; /* 8640: >= estimation_samples, >= 1 */
    uint32_t reestimation_period;  /* 100: >= 1 */
} nupic_likelihood_params;

NCP_API void nupic_likelihood_params_default(nupic_likelihood_params *p);

typedef struct nupic_likelihood nupic_likelihood;

/* Creates an estimator.  Invalid parameters (learning_period +
 * estimation_samples 0 or above UINT32_MAX, a window smaller than
 * estimation_samples or 0, a re-estimation period 0) give NUPIC_ERR_PARAM. */
NCP_API nupic_status nupic_likelihood_new(const nupic_likelihood_params *p,
                                          nupic_likelihood **out,
                                          nupic_error *err);
NCP_API void nupic_likelihood_free(nupic_likelihood *l);

/* One record (NuPIC's anomalyProbability(value, anomalyScore)): the metric
 * value and the record's raw anomaly score, both finite (NUPIC_ERR_ARG
 * otherwise).  *likelihood receives the anomaly likelihood (0.5 during the
 * probationary period).  On any error nothing changes. */
NCP_API nupic_status nupic_likelihood_compute(nupic_likelihood *l, double value,
                                              double anomaly_score,
                                              double *likelihood,
                                              nupic_error *err);

/* NuPIC's computeLogLikelihood: log(1.0000000001 - likelihood) /
 * -23.02585084720009, a scale on which 0.99999 is about 0.5. */
NCP_API double nupic_likelihood_log(double likelihood);

/* ---- accessors ---------------------------------------------------------- */

/* The parameters; estimation_samples is probationaryPeriod -
 * learningPeriod. */
NCP_API void nupic_likelihood_get_params(const nupic_likelihood *l,
                                         nupic_likelihood_params *out);
/* The number of records seen. */
NCP_API uint64_t nupic_likelihood_iteration(const nupic_likelihood *l);
/* The number of records kept for the next estimate. */
NCP_API uint32_t nupic_likelihood_history_len(const nupic_likelihood *l);
/* The current distribution: false before the first estimate. */
NCP_API bool nupic_likelihood_distribution(const nupic_likelihood *l,
                                           double *mean, double *variance,
                                           double *stdev);

/* Whether two estimators have equal state in every field, to the bit.
 * When they differ and diff is not NULL, the first difference is described
 * in diff[0..diff_size). */
NCP_API bool nupic_likelihood_equal(const nupic_likelihood *a,
                                    const nupic_likelihood *b, char *diff,
                                    size_t diff_size);

/* ---- serialization (NuPIC's API, in C) --------------------------------- */

/* Writes the state into an AnomalyLikelihoodProto being built. */
NCP_API nupic_status nupic_likelihood_write(const nupic_likelihood *l,
                                            AnomalyLikelihoodProto_B b,
                                            nupic_error *err);
/* Reads an AnomalyLikelihoodProto into a new object, checking every value;
 * on any error nothing is allocated (NUPIC_ERR_FORMAT and a message naming
 * the field, e.g. "AnomalyLikelihoodProto.historicalScores: 12 scores,
 * expected 40 (the iterations, at most historicWindowSize)"). */
NCP_API nupic_status nupic_likelihood_read(AnomalyLikelihoodProto_R r,
                                           nupic_likelihood **out,
                                           nupic_error *err);

/* As nupic_sp_write_to_file and the others (nupic/sp.h). */
NCP_API nupic_status nupic_likelihood_write_to_file(
    const nupic_likelihood *l, FILE *f, const nupic_save_options *options,
    nupic_error *err);
NCP_API nupic_status
nupic_likelihood_read_from_file(FILE *f, const nupic_load_options *options,
                                nupic_likelihood **out, nupic_error *err);
NCP_API nupic_status nupic_likelihood_write_to_mem(
    const nupic_likelihood *l, const nupic_save_options *options, void **buf,
    size_t *len, nupic_error *err);
NCP_API nupic_status nupic_likelihood_read_from_mem(
    const void *buf, size_t len, const nupic_load_options *options,
    nupic_likelihood **out, nupic_error *err);
NCP_API nupic_status nupic_likelihood_save(const nupic_likelihood *l,
                                           const char *path,
                                           const nupic_save_options *options,
                                           nupic_error *err);
NCP_API nupic_status nupic_likelihood_load(const char *path,
                                           const nupic_load_options *options,
                                           nupic_likelihood **out,
                                           nupic_error *err);

#ifdef __cplusplus
}
#endif

#endif /* NUPIC_ANOMALY_H */
