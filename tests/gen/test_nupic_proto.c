/*
 * tests/gen/test_nupic_proto.c - the code generated for NuPIC's schemas
 * (schema/nupic/proto, library nupic_proto), cross-checked with the
 * reference tool: a NetworkProto with two regions in its
 * Map(Text, RegionProto) and a LinkProto with delayed outputs, a spatial
 * pooler's state, an SDR classifier's and a temporal memory's nested
 * structs, built with the generated setters and decoded by `capnp decode`,
 * and the same text encoded by `capnp encode` and read back.
 */
#define _POSIX_C_SOURCE 200809L

#include "gen_tool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nupic/proto/NetworkProto.capnp.h"
#include "nupic/proto/SdrClassifier.capnp.h"
#include "nupic/proto/SpatialPoolerProto.capnp.h"
#include "nupic/proto/TemporalMemoryProto.capnp.h"

/* Path of a NuPIC schema, with the import path set for its imports. */
static const char *proto(const char *file) {
    static char path[4096];
    const char *dir = getenv("NUPIC_PROTO_SCHEMAS");
    if (dir == NULL) fail_msg("NUPIC_PROTO_SCHEMAS is not set (run via ctest)");
    gt_import_dir = dir;
    snprintf(path, sizeof path, "%s/nupic/proto/%s", dir, file);
    return path;
}

/* ------------------------------------------------------------------------
 * NetworkProto
 * ------------------------------------------------------------------------ */

static const char NETWORK_TEXT[] =
    "(regions = (entries = [(key = \"sp\", value = (nodeType = "
    "\"py.SPRegion\", dimensions = [64], phases = [0])), "
    "(key = \"tm\", value = (nodeType = \"py.TMRegion\", "
    "dimensions = [32, 4], phases = [1]))]), "
    "links = [(type = \"UniformLink\", params = \"\", srcRegion = \"sp\", "
    "srcOutput = \"bottomUpOut\", destRegion = \"tm\", "
    "destInput = \"bottomUpIn\", delayedOutputs = [(byteArray = [1, 0, 1]), "
    "(real32Array = [0.5, -2]), (uint64Array = [18446744073709551615])])])";

static void build_region(Map_Text_RegionProto_Entry_B e, const char *key,
                         const char *type, const uint32_t *dims, uint32_t n,
                         uint32_t phase) {
    Map_Text_RegionProto_Entry_set_key(e, GT_TEXT(key));
    RegionProto_B r = Map_Text_RegionProto_Entry_init_value(e);
    RegionProto_set_nodeType(r, GT_TEXT(type));
    RegionProto_set_dimensions(r, dims, n);
    RegionProto_set_phases(r, &phase, 1);
}

static void check_network(NetworkProto_R net, bool with_impl) {
    Map_Text_RegionProto_Entry_RList regions =
        Map_Text_RegionProto_get_entries(NetworkProto_get_regions(net));
    assert_int_equal(Map_Text_RegionProto_Entry_RList_len(regions), 2);
    Map_Text_RegionProto_Entry_R sp =
        Map_Text_RegionProto_Entry_RList_get(regions, 0);
    gt_assert_text(Map_Text_RegionProto_Entry_get_key(sp), "sp");
    RegionProto_R spr = Map_Text_RegionProto_Entry_get_value(sp);
    gt_assert_text(RegionProto_get_nodeType(spr), "py.SPRegion");
    uint32_t dims[2];
    assert_int_equal(RegionProto_copy_dimensions(spr, dims, 0, 2), 1);
    assert_int_equal(dims[0], 64);
    assert_int_equal(RegionProto_has_regionImpl(spr), with_impl);
    if (with_impl) {
        /* The region's state, an AnyPointer, read as its generated type. */
        SpatialPoolerProto_R impl =
            SpatialPoolerProto_read(RegionProto_get_regionImpl(spr));
        assert_int_equal(SpatialPoolerProto_get_numColumns(impl), 64);
        assert_true(RandomProto_get_seed(SpatialPoolerProto_get_random(impl)) ==
                    42);
    }
    Map_Text_RegionProto_Entry_R tm =
        Map_Text_RegionProto_Entry_RList_get(regions, 1);
    gt_assert_text(Map_Text_RegionProto_Entry_get_key(tm), "tm");
    RegionProto_R tmr = Map_Text_RegionProto_Entry_get_value(tm);
    assert_int_equal(RegionProto_copy_dimensions(tmr, dims, 0, 2), 2);
    assert_int_equal(dims[1], 4);
    uint32_t phase;
    assert_int_equal(RegionProto_copy_phases(tmr, &phase, 0, 1), 1);
    assert_int_equal(phase, 1);

    LinkProto_RList links = NetworkProto_get_links(net);
    assert_int_equal(LinkProto_RList_len(links), 1);
    LinkProto_R link = LinkProto_RList_get(links, 0);
    gt_assert_text(LinkProto_get_type(link), "UniformLink");
    assert_true(LinkProto_has_params(link));
    gt_assert_text(LinkProto_get_srcOutput(link), "bottomUpOut");
    gt_assert_text(LinkProto_get_destInput(link), "bottomUpIn");
    ArrayProto_RList delayed = LinkProto_get_delayedOutputs(link);
    assert_int_equal(ArrayProto_RList_len(delayed), 3);
    ArrayProto_R a0 = ArrayProto_RList_get(delayed, 0);
    assert_int_equal(ArrayProto_which(a0), ArrayProto_which_byteArray);
    uint8_t bytes[3];
    assert_int_equal(ArrayProto_copy_byteArray(a0, bytes, 0, 3), 3);
    assert_int_equal(bytes[0], 1);
    assert_int_equal(bytes[1], 0);
    /* Inactive members of the union read as empty lists. */
    assert_false(ArrayProto_has_real32Array(a0));
    float reals[2];
    assert_int_equal(ArrayProto_copy_real32Array(a0, reals, 0, 2), 0);
    ArrayProto_R a1 = ArrayProto_RList_get(delayed, 1);
    assert_int_equal(ArrayProto_which(a1), ArrayProto_which_real32Array);
    assert_int_equal(ArrayProto_copy_real32Array(a1, reals, 0, 2), 2);
    assert_true(reals[0] == 0.5f && reals[1] == -2.0f);
    ArrayProto_R a2 = ArrayProto_RList_get(delayed, 2);
    assert_int_equal(ArrayProto_which(a2), ArrayProto_which_uint64Array);
    uint64_t big;
    assert_int_equal(ArrayProto_copy_uint64Array(a2, &big, 0, 1), 1);
    assert_true(big == UINT64_MAX);
}

static void network(void **state) {
    (void)state;
    ncp_builder *b = gt_builder();
    NetworkProto_B net = NetworkProto_new_root(b);
    Map_Text_RegionProto_Entry_BList regions =
        Map_Text_RegionProto_init_entries(NetworkProto_init_regions(net), 2);
    const uint32_t sp_dims[] = {64}, tm_dims[] = {32, 4};
    build_region(Map_Text_RegionProto_Entry_BList_get(regions, 0), "sp",
                 "py.SPRegion", sp_dims, 1, 0);
    build_region(Map_Text_RegionProto_Entry_BList_get(regions, 1), "tm",
                 "py.TMRegion", tm_dims, 2, 1);
    LinkProto_BList links = NetworkProto_init_links(net, 1);
    LinkProto_B link = LinkProto_BList_get(links, 0);
    LinkProto_set_type(link, GT_TEXT("UniformLink"));
    LinkProto_set_params(link, "", 0);
    LinkProto_set_srcRegion(link, GT_TEXT("sp"));
    LinkProto_set_srcOutput(link, GT_TEXT("bottomUpOut"));
    LinkProto_set_destRegion(link, GT_TEXT("tm"));
    LinkProto_set_destInput(link, GT_TEXT("bottomUpIn"));
    ArrayProto_BList delayed = LinkProto_init_delayedOutputs(link, 3);
    const uint8_t bytes[] = {1, 0, 1};
    ArrayProto_set_byteArray(ArrayProto_BList_get(delayed, 0), bytes, 3);
    const float reals[] = {0.5f, -2.0f};
    ArrayProto_B a1 = ArrayProto_BList_get(delayed, 1);
    ArrayProto_set_real32Array(a1, reals, 2);
    assert_int_equal(ArrayProto_whichb(a1), ArrayProto_which_real32Array);
    const uint64_t big = UINT64_MAX;
    ArrayProto_set_uint64Array(ArrayProto_BList_get(delayed, 2), &big, 1);
    gt_assert_decodes_to(b, proto("NetworkProto.capnp"), "NetworkProto",
                         NETWORK_TEXT);

    /* The SP region's state in its AnyPointer, as a generated struct. */
    RegionProto_B spr = Map_Text_RegionProto_Entry_init_value(
        Map_Text_RegionProto_Entry_BList_get(regions, 0));
    RegionProto_set_nodeType(spr, GT_TEXT("py.SPRegion"));
    RegionProto_set_dimensions(spr, sp_dims, 1);
    const uint32_t zero = 0;
    RegionProto_set_phases(spr, &zero, 1);
    SpatialPoolerProto_B impl =
        SpatialPoolerProto_new(RegionProto_ptr_regionImpl(spr));
    SpatialPoolerProto_set_numColumns(impl, 64);
    RandomProto_set_seed(SpatialPoolerProto_init_random(impl), 42);
    ncp_msg *m = gt_open_built(b);
    check_network(NetworkProto_read_root(m), true);
    gt_done(m);
    ncp_builder_free(b);

    ts_buf keep;
    m = gt_encode(proto("NetworkProto.capnp"), "NetworkProto", NETWORK_TEXT,
                  &keep);
    check_network(NetworkProto_read_root(m), false);
    gt_done(m);
    ts_buf_free(&keep);
}

/* ------------------------------------------------------------------------
 * A spatial pooler, an SDR classifier, a temporal memory
 * ------------------------------------------------------------------------ */

static const char SP_TEXT[] =
    "(random = (seed = 7, impl = (state = [1, -2], rptr = 3, fptr = 4)), "
    "numInputs = 16, numColumns = 4, columnDimensions = [4], "
    "inputDimensions = [16], potentialRadius = 16, potentialPct = 0.5, "
    "globalInhibition = true, numActiveColumnsPerInhArea = 2, "
    "localAreaDensity = -1, stimulusThreshold = 0, "
    "synPermInactiveDec = 0.008, synPermActiveInc = 0.05, "
    "synPermBelowStimulusInc = 0.01, synPermConnected = 0.1, "
    "minPctOverlapDutyCycles = 0.001, minPctActiveDutyCycles = 0.001, "
    "dutyCyclePeriod = 1000, boostStrength = 0, spVerbosity = 0, "
    "synPermMin = 0, synPermMax = 1, synPermTrimThreshold = 0.025, "
    "updatePeriod = 50, version = 2, iterationNum = 9, "
    "iterationLearnNum = 8, potentialPools = (numRows = 2, "
    "numColumns = 16, indices = [[0, 3], [15]]), permanences = "
    "(numRows = 2, numColumns = 16, rows = [(values = [(index = 3, "
    "value = 0.25)]), (values = [])]), boostFactors = [1, 1.5], "
    "inhibitionRadius = 4, wrapAround = true)";

static void check_sp(SpatialPoolerProto_R sp) {
    RandomProto_R rnd = SpatialPoolerProto_get_random(sp);
    assert_true(RandomProto_get_seed(rnd) == 7);
    int64_t st[2];
    assert_int_equal(
        RandomImplProto_copy_state(RandomProto_get_impl(rnd), st, 0, 2), 2);
    assert_true(st[1] == -2);
    assert_true(RandomImplProto_get_fptr(RandomProto_get_impl(rnd)) == 4);
    assert_int_equal(SpatialPoolerProto_get_numInputs(sp), 16);
    assert_true(SpatialPoolerProto_get_potentialPct(sp) == 0.5f);
    assert_true(SpatialPoolerProto_get_globalInhibition(sp));
    assert_true(SpatialPoolerProto_get_localAreaDensity(sp) == -1.0f);
    assert_true(SpatialPoolerProto_get_synPermInactiveDec(sp) == 0.008f);
    assert_int_equal(SpatialPoolerProto_get_dutyCyclePeriod(sp), 1000);
    assert_int_equal(SpatialPoolerProto_get_version(sp), 2);
    assert_int_equal(SpatialPoolerProto_get_inhibitionRadius(sp), 4);
    assert_true(SpatialPoolerProto_get_wrapAround(sp));
    SparseBinaryMatrixProto_R pools = SpatialPoolerProto_get_potentialPools(sp);
    assert_int_equal(SparseBinaryMatrixProto_get_numColumns(pools), 16);
    ncp_list rows = SparseBinaryMatrixProto_get_indices(pools);
    assert_int_equal(ncp_list_len(&rows), 2);
    ncp_list row0 = ncp_ptr_list(ncp_list_ptr(&rows, 0), NCP_ELEM_4BYTES, NULL);
    assert_int_equal(ncp_list_u32(&row0, 1), 3);
    SparseFloatList_RList prow =
        SparseMatrixProto_get_rows(SpatialPoolerProto_get_permanences(sp));
    assert_int_equal(SparseFloatList_RList_len(prow), 2);
    SparseFloat_R v = SparseFloat_RList_get(
        SparseFloatList_get_values(SparseFloatList_RList_get(prow, 0)), 0);
    assert_int_equal(SparseFloat_get_index(v), 3);
    assert_true(SparseFloat_get_value(v) == 0.25f);
    float boost[2];
    assert_int_equal(SpatialPoolerProto_copy_boostFactors(sp, boost, 0, 2), 2);
    assert_true(boost[1] == 1.5f);
    assert_false(SpatialPoolerProto_has_tieBreaker(sp));
}

static void spatial_pooler(void **state) {
    (void)state;
    ncp_builder *b = gt_builder();
    SpatialPoolerProto_B sp = SpatialPoolerProto_new_root(b);
    RandomProto_B rnd = SpatialPoolerProto_init_random(sp);
    RandomProto_set_seed(rnd, 7);
    RandomImplProto_B impl = RandomProto_init_impl(rnd);
    const int64_t st[] = {1, -2};
    RandomImplProto_set_state(impl, st, 2);
    RandomImplProto_set_rptr(impl, 3);
    RandomImplProto_set_fptr(impl, 4);
    SpatialPoolerProto_set_numInputs(sp, 16);
    SpatialPoolerProto_set_numColumns(sp, 4);
    const uint32_t four = 4, sixteen = 16;
    SpatialPoolerProto_set_columnDimensions(sp, &four, 1);
    SpatialPoolerProto_set_inputDimensions(sp, &sixteen, 1);
    SpatialPoolerProto_set_potentialRadius(sp, 16);
    SpatialPoolerProto_set_potentialPct(sp, 0.5f);
    SpatialPoolerProto_set_globalInhibition(sp, true);
    SpatialPoolerProto_set_numActiveColumnsPerInhArea(sp, 2);
    SpatialPoolerProto_set_localAreaDensity(sp, -1.0f);
    SpatialPoolerProto_set_synPermInactiveDec(sp, 0.008f);
    SpatialPoolerProto_set_synPermActiveInc(sp, 0.05f);
    SpatialPoolerProto_set_synPermBelowStimulusInc(sp, 0.01f);
    SpatialPoolerProto_set_synPermConnected(sp, 0.1f);
    SpatialPoolerProto_set_minPctOverlapDutyCycles(sp, 0.001f);
    SpatialPoolerProto_set_minPctActiveDutyCycles(sp, 0.001f);
    SpatialPoolerProto_set_dutyCyclePeriod(sp, 1000);
    SpatialPoolerProto_set_synPermMax(sp, 1.0f);
    SpatialPoolerProto_set_synPermTrimThreshold(sp, 0.025f);
    SpatialPoolerProto_set_updatePeriod(sp, 50);
    SpatialPoolerProto_set_version(sp, 2);
    SpatialPoolerProto_set_iterationNum(sp, 9);
    SpatialPoolerProto_set_iterationLearnNum(sp, 8);
    SparseBinaryMatrixProto_B pools =
        SpatialPoolerProto_init_potentialPools(sp);
    SparseBinaryMatrixProto_set_numRows(pools, 2);
    SparseBinaryMatrixProto_set_numColumns(pools, 16);
    ncp_blist rows = SparseBinaryMatrixProto_init_indices(pools, 2);
    const uint32_t r0[] = {0, 3}, r1[] = {15};
    ncp_bptr_init_list_from(ncp_blist_ptr(&rows, 0), NCP_ELEM_4BYTES, 2, r0);
    ncp_bptr_init_list_from(ncp_blist_ptr(&rows, 1), NCP_ELEM_4BYTES, 1, r1);
    SparseMatrixProto_B perms = SpatialPoolerProto_init_permanences(sp);
    SparseMatrixProto_set_numRows(perms, 2);
    SparseMatrixProto_set_numColumns(perms, 16);
    SparseFloatList_BList prow = SparseMatrixProto_init_rows(perms, 2);
    SparseFloat_BList vals =
        SparseFloatList_init_values(SparseFloatList_BList_get(prow, 0), 1);
    SparseFloat_set_index(SparseFloat_BList_get(vals, 0), 3);
    SparseFloat_set_value(SparseFloat_BList_get(vals, 0), 0.25f);
    SparseFloatList_init_values(SparseFloatList_BList_get(prow, 1), 0);
    const float boost[] = {1.0f, 1.5f};
    SpatialPoolerProto_set_boostFactors(sp, boost, 2);
    SpatialPoolerProto_set_inhibitionRadius(sp, 4);
    SpatialPoolerProto_set_wrapAround(sp, true);
    gt_assert_decodes_to(b, proto("SpatialPoolerProto.capnp"),
                         "SpatialPoolerProto", SP_TEXT);
    ncp_msg *m = gt_open_built(b);
    check_sp(SpatialPoolerProto_read_root(m));
    gt_done(m);
    ncp_builder_free(b);

    ts_buf keep;
    m = gt_encode(proto("SpatialPoolerProto.capnp"), "SpatialPoolerProto",
                  SP_TEXT, &keep);
    check_sp(SpatialPoolerProto_read_root(m));
    gt_done(m);
    ts_buf_free(&keep);
}

static const char CLASSIFIER_TEXT[] =
    "(steps = [1, 5], alpha = 0.001, actValueAlpha = 0.3, maxSteps = 6, "
    "patternNZHistory = [[1, 2], []], recordNumHistory = [10, 11], "
    "weightMatrix = [(steps = 1, weight = [0.5, -0.5]), (steps = 5)], "
    "maxBucketIdx = 3, maxInputIdx = 2, actualValues = [1.5], "
    "actualValuesSet = [true, false, true], version = 1, verbosity = 0)";

static void check_classifier(SdrClassifierProto_R c) {
    uint16_t steps[2];
    assert_int_equal(SdrClassifierProto_copy_steps(c, steps, 0, 2), 2);
    assert_int_equal(steps[1], 5);
    assert_true(SdrClassifierProto_get_alpha(c) == 0.001);
    ncp_list hist = SdrClassifierProto_get_patternNZHistory(c);
    assert_int_equal(ncp_list_len(&hist), 2);
    SdrClassifierProto_StepWeightMatrix_RList wm =
        SdrClassifierProto_get_weightMatrix(c);
    assert_int_equal(SdrClassifierProto_StepWeightMatrix_RList_len(wm), 2);
    SdrClassifierProto_StepWeightMatrix_R w0 =
        SdrClassifierProto_StepWeightMatrix_RList_get(wm, 0);
    double weight[2];
    assert_int_equal(
        SdrClassifierProto_StepWeightMatrix_copy_weight(w0, weight, 0, 2), 2);
    assert_true(weight[1] == -0.5);
    bool set[3];
    assert_int_equal(SdrClassifierProto_copy_actualValuesSet(c, set, 0, 3), 3);
    assert_true(set[0] && !set[1] && set[2]);
}

static void sdr_classifier(void **state) {
    (void)state;
    ncp_builder *b = gt_builder();
    SdrClassifierProto_B c = SdrClassifierProto_new_root(b);
    const uint16_t steps[] = {1, 5};
    SdrClassifierProto_set_steps(c, steps, 2);
    SdrClassifierProto_set_alpha(c, 0.001);
    SdrClassifierProto_set_actValueAlpha(c, 0.3);
    SdrClassifierProto_set_maxSteps(c, 6);
    ncp_blist hist = SdrClassifierProto_init_patternNZHistory(c, 2);
    const uint32_t h0[] = {1, 2};
    ncp_bptr_init_list_from(ncp_blist_ptr(&hist, 0), NCP_ELEM_4BYTES, 2, h0);
    ncp_bptr_init_list(ncp_blist_ptr(&hist, 1), NCP_ELEM_4BYTES, 0);
    const uint32_t rec[] = {10, 11};
    SdrClassifierProto_set_recordNumHistory(c, rec, 2);
    SdrClassifierProto_StepWeightMatrix_BList wm =
        SdrClassifierProto_init_weightMatrix(c, 2);
    SdrClassifierProto_StepWeightMatrix_B w0 =
        SdrClassifierProto_StepWeightMatrix_BList_get(wm, 0);
    SdrClassifierProto_StepWeightMatrix_set_steps(w0, 1);
    const double weight[] = {0.5, -0.5};
    SdrClassifierProto_StepWeightMatrix_set_weight(w0, weight, 2);
    SdrClassifierProto_StepWeightMatrix_set_steps(
        SdrClassifierProto_StepWeightMatrix_BList_get(wm, 1), 5);
    SdrClassifierProto_set_maxBucketIdx(c, 3);
    SdrClassifierProto_set_maxInputIdx(c, 2);
    const double actual[] = {1.5};
    SdrClassifierProto_set_actualValues(c, actual, 1);
    const bool set[] = {true, false, true};
    SdrClassifierProto_set_actualValuesSet(c, set, 3);
    SdrClassifierProto_set_version(c, 1);
    gt_assert_decodes_to(b, proto("SdrClassifier.capnp"), "SdrClassifierProto",
                         CLASSIFIER_TEXT);
    ncp_msg *m = gt_open_built(b);
    check_classifier(SdrClassifierProto_read_root(m));
    gt_done(m);
    ncp_builder_free(b);
    ts_buf keep;
    m = gt_encode(proto("SdrClassifier.capnp"), "SdrClassifierProto",
                  CLASSIFIER_TEXT, &keep);
    check_classifier(SdrClassifierProto_read_root(m));
    gt_done(m);
    ts_buf_free(&keep);
}

static void temporal_memory_nested(void **state) {
    (void)state;
    static const char text[] =
        "(activeSegments = [(cell = 3, idxOnCell = 1)], "
        "lastUsedIterationForSegment = [(cell = 3, idxOnCell = 1, "
        "number = 18446744073709551615)])";
    ts_buf keep;
    ncp_msg *m = gt_encode(proto("TemporalMemoryProto.capnp"),
                           "TemporalMemoryProto", text, &keep);
    TemporalMemoryProto_R tm = TemporalMemoryProto_read_root(m);
    TemporalMemoryProto_SegmentPath_RList active =
        TemporalMemoryProto_get_activeSegments(tm);
    assert_int_equal(TemporalMemoryProto_SegmentPath_RList_len(active), 1);
    assert_int_equal(TemporalMemoryProto_SegmentPath_get_cell(
                         TemporalMemoryProto_SegmentPath_RList_get(active, 0)),
                     3);
    TemporalMemoryProto_SegmentUInt64Pair_R last =
        TemporalMemoryProto_SegmentUInt64Pair_RList_get(
            TemporalMemoryProto_get_lastUsedIterationForSegment(tm), 0);
    assert_true(TemporalMemoryProto_SegmentUInt64Pair_get_number(last) ==
                UINT64_MAX);
    assert_false(TemporalMemoryProto_get_checkInputs(tm));
    gt_done(m);
    ts_buf_free(&keep);

    ncp_builder *b = gt_builder();
    TemporalMemoryProto_B tb = TemporalMemoryProto_new_root(b);
    TemporalMemoryProto_SegmentPath_B p =
        TemporalMemoryProto_SegmentPath_BList_get(
            TemporalMemoryProto_init_activeSegments(tb, 1), 0);
    TemporalMemoryProto_SegmentPath_set_cell(p, 3);
    TemporalMemoryProto_SegmentPath_set_idxOnCell(p, 1);
    TemporalMemoryProto_SegmentUInt64Pair_B q =
        TemporalMemoryProto_SegmentUInt64Pair_BList_get(
            TemporalMemoryProto_init_lastUsedIterationForSegment(tb, 1), 0);
    TemporalMemoryProto_SegmentUInt64Pair_set_cell(q, 3);
    TemporalMemoryProto_SegmentUInt64Pair_set_idxOnCell(q, 1);
    TemporalMemoryProto_SegmentUInt64Pair_set_number(q, UINT64_MAX);
    char *got =
        gt_decode(b, proto("TemporalMemoryProto.capnp"), "TemporalMemoryProto");
    /* Every primitive field is printed; the nested structs follow them. */
    assert_non_null(strstr(got, "activeSegments = [(cell = 3, idxOnCell = "
                                "1)]"));
    assert_non_null(strstr(got, "lastUsedIterationForSegment = [(cell = 3, "
                                "idxOnCell = 1, number = "
                                "18446744073709551615)]"));
    free(got);
    ncp_builder_free(b);
}

/* The reflection registry of a NuPIC file names its structs. */
static void registry(void **state) {
    (void)state;
    const ncp_schema_file *f = &ncp_gen_file_nupic_proto_NetworkProto_capnp;
    assert_string_equal(f->name, "nupic/proto/NetworkProto.capnp");
    assert_int_equal(f->struct_count, 1);
    assert_ptr_equal(f->structs[0], &NetworkProto_schema);
    const ncp_schema_field *regions = &NetworkProto_schema.fields[0];
    assert_string_equal(regions->name, "regions");
    /* The generic's own table: its parameters are AnyPointers. */
    assert_ptr_equal(regions->type.structure, &Map_schema);
    assert_int_equal(Map_Entry_schema.fields[1].type.kind,
                     NCP_TYPE_ANY_POINTER);
    assert_int_equal(
        ncp_gen_file_nupic_proto_TemporalMemoryProto_capnp.struct_count, 4);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(network),
        cmocka_unit_test(spatial_pooler),
        cmocka_unit_test(sdr_classifier),
        cmocka_unit_test(temporal_memory_nested),
        cmocka_unit_test(registry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
