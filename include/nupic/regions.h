/*
 * nupic/regions.h - the built-in region types of nupic/network.h, by their
 * NuPIC names, and what a program needs of them beyond the generic region
 * interface.
 *
 *   py.RecordSensor            outputs dataOut (Real32, the encoders'
 *                              bits), bucketIdxOut and actValueOut (Real64,
 *                              the predicted field's bucket and value; -1
 *                              and NaN without one); parameters NuPIC's
 *                              sensorParams ({"encoders": {...}}), with
 *                              "classifierOnly" encoders kept apart;
 *                              state RecordSensorProto.
 *   py.SPRegion                bottomUpIn -> bottomUpOut (Real32 columns);
 *                              parameters SPRegion's (columnCount,
 *                              inputWidth (0: the input's), the
 *                              SpatialPooler's names, Python defaults);
 *                              state SPRegionProto.
 *   py.TMRegion                bottomUpIn -> bottomUpOut, activeCells
 *                              (Real32 cells), anomalyScore (Real32, with
 *                              anomalyMode); parameters TMRegion's
 *                              (temporalImp "tm_cpp" or "cpp", columnCount,
 *                              cellsPerColumn, BacktrackingTM's names);
 *                              state TMRegionProto; command "reset".
 *   py.SDRClassifierRegion     bottomUpIn, bucketIdxIn, actValueIn;
 *                              parameters steps ("1,5"), alpha, ...; state
 *                              SDRClassifierRegionProto.
 *   py.AnomalyLikelihoodRegion rawAnomalyScore, metricValue ->
 *                              anomalyLikelihood, logLikelihood (Real64);
 *                              parameters learningPeriod,
 *                              estimationSamples, historicWindowSize,
 *                              reestimationPeriod; state
 *                              AnomalyLikelihoodProto (NuPIC's
 *                              AnomalyLikelihoodRegionProto, wire-identical).
 *
 * Ownership and thread-safety as nupic/network.h.
 */
#ifndef NUPIC_REGIONS_H
#define NUPIC_REGIONS_H

#include <stdint.h>

#include <nupic/encoders.h>
#include <nupic/network.h>
#include <nupic/status.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A record sensor's fields: those of its encoders, then those only its
 * classifier-only encoders read.  NULL / NUPIC_VALUE_MISSING beyond them
 * or for a region of another type. */
NCP_API uint32_t nupic_record_sensor_num_fields(const nupic_region *sensor);
NCP_API const char *nupic_record_sensor_field_name(const nupic_region *sensor,
                                                   uint32_t i);
NCP_API nupic_value_kind
nupic_record_sensor_field_kind(const nupic_region *sensor, uint32_t i);

/* The record the sensor encodes at the network's next run: values[i] for
 * field i (copied, category text included).  A value of the wrong kind or
 * a number that is not finite gives NUPIC_ERR_ARG and changes nothing;
 * a region of another type, NUPIC_ERR_ARG. */
NCP_API nupic_status nupic_record_sensor_set_record(nupic_region *sensor,
                                                    const nupic_value *values,
                                                    nupic_error *err);

#ifdef __cplusplus
}
#endif

#endif /* NUPIC_REGIONS_H */
