/*
 * nupic/network.h - NuPIC's engine in C: a network of named regions whose
 * typed outputs feed typed inputs through links, run phase by phase, and
 * saved and loaded whole as one NetworkProto message.
 *
 * A region is an instance of a region type (nupic_region_type): a table of
 * its inputs and outputs and of the functions that create, compute, save
 * and load it.  The built-in types carry NuPIC's names and state schemas
 * (py.RecordSensor, py.SPRegion, py.TMRegion, py.SDRClassifierRegion,
 * py.AnomalyLikelihoodRegion; see nupic/regions.h); a program adds its own
 * with nupic_network_add_type, with its own schema for its state (stored in
 * RegionProto.regionImpl).
 *
 * Links are UniformLinks: an input receives the concatenation, in link
 * order, of the outputs linked to it, converted to the input's element
 * type.  A link with a delay of d delivers what its source output held d
 * iterations before (zeros at first); the pending values are part of the
 * saved state (LinkProto.delayedOutputs), so a restored network continues
 * exactly.  An undelayed link must come from a region that runs before its
 * destination (an earlier phase, or earlier in the same phase): otherwise it
 * would carry the previous iteration's values, which a save would lose.
 *
 * Ownership: nupic_network_new / _read / _load return a network the caller
 * frees with nupic_network_free; it owns its regions and links.  Pointers
 * returned by accessors stay valid until the network changes shape or is
 * freed.  Thread-safety: one thread at a time per network.
 */
#ifndef NUPIC_NETWORK_H
#define NUPIC_NETWORK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <nupic/ncp.h>
#include <nupic/persist.h>
#include <nupic/status.h>

#include "nupic/proto/NetworkProto.capnp.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Element types of inputs, outputs and delayed values: the members of
 * ArrayProto's union, in its order. */
typedef enum nupic_array_type {
    NUPIC_ARRAY_BYTE = 0,
    NUPIC_ARRAY_INT16,
    NUPIC_ARRAY_UINT16,
    NUPIC_ARRAY_INT32,
    NUPIC_ARRAY_UINT32,
    NUPIC_ARRAY_INT64,
    NUPIC_ARRAY_UINT64,
    NUPIC_ARRAY_REAL32,
    NUPIC_ARRAY_REAL64,
    NUPIC_ARRAY_TYPE_COUNT_
} nupic_array_type;

/* An input or output: its element type, element count, and data. */
typedef struct nupic_array {
    nupic_array_type type;
    uint32_t count;
    void *data;
} nupic_array;

NCP_API size_t nupic_array_type_size(nupic_array_type t);
NCP_API const char *nupic_array_type_name(nupic_array_type t);

typedef struct nupic_network nupic_network;
typedef struct nupic_region nupic_region;

/* An input or output of a region type. */
typedef struct nupic_port_spec {
    const char *name;
    nupic_array_type type;
    bool required; /* inputs: must be linked */
} nupic_port_spec;

/* A region type.  Every function receives the region (for its ports and
 * name) and its implementation object.  Errors are reported through err
 * (first error wins) and the status returned. */
typedef struct nupic_region_type {
    const char *name; /* RegionProto.nodeType, e.g. "py.SPRegion" */
    const nupic_port_spec *inputs;
    uint32_t n_inputs;
    const nupic_port_spec *outputs;
    uint32_t n_outputs;
    /* Creates the implementation from a JSON object of parameters
     * (params_json may be NULL: all defaults). */
    nupic_status (*create)(nupic_region *r, const char *params_json,
                           void **impl, nupic_error *err);
    /* Called once the input sizes are known (nupic_region_input): sets
     * every output's size (nupic_region_set_output_size). */
    nupic_status (*initialize)(nupic_region *r, void *impl, nupic_error *err);
    /* One iteration: reads inputs, writes outputs. */
    nupic_status (*compute)(nupic_region *r, void *impl, nupic_error *err);
    void (*free)(void *impl);
    /* The state into RegionProto.regionImpl, and back into a new
     * implementation (sizes as when it was written). */
    nupic_status (*write)(const nupic_region *r, const void *impl,
                          ncp_bptr region_impl, nupic_error *err);
    nupic_status (*read)(nupic_region *r, ncp_ptr region_impl, void **impl,
                         nupic_error *err);
    /* Optional: equality of two implementations (NULL: never equal). */
    bool (*equal)(const void *a, const void *b, char *diff, size_t diff_size);
    /* Optional: a named command ("reset", ...); NULL: none known. */
    nupic_status (*execute)(nupic_region *r, void *impl, const char *command,
                            nupic_error *err);
} nupic_region_type;

/* A new network knowing the built-in region types. */
NCP_API nupic_status nupic_network_new(nupic_network **out, nupic_error *err);
NCP_API void nupic_network_free(nupic_network *net);

/* Makes a region type known to the network (its name must be new); the
 * table must outlive the network. */
NCP_API nupic_status nupic_network_add_type(nupic_network *net,
                                            const nupic_region_type *type,
                                            nupic_error *err);

/* Adds a region of a known type, running in `phase` (regions run by phase,
 * then in the order they were added). */
NCP_API nupic_status nupic_network_add_region(nupic_network *net,
                                              const char *name,
                                              const char *type_name,
                                              const char *params_json,
                                              uint32_t phase, nupic_error *err);
/* Links src's output to dest's input (NULL names mean the first output /
 * input of the type) with a delay of `delay` iterations. */
NCP_API nupic_status nupic_network_link(nupic_network *net, const char *src,
                                        const char *src_output,
                                        const char *dest,
                                        const char *dest_input, uint32_t delay,
                                        nupic_error *err);

/* Sizes every input and output (done by the first run if not before);
 * after it, regions and links can no longer be added. */
NCP_API nupic_status nupic_network_initialize(nupic_network *net,
                                              nupic_error *err);
/* Runs n iterations. */
NCP_API nupic_status nupic_network_run(nupic_network *net, uint32_t n,
                                       nupic_error *err);
/* Runs one region's command ("reset", ...). */
NCP_API nupic_status nupic_network_execute(nupic_network *net,
                                           const char *region,
                                           const char *command,
                                           nupic_error *err);

/* A region by name (NULL if none), its implementation object, its type. */
NCP_API nupic_region *nupic_network_region(const nupic_network *net,
                                           const char *name);
NCP_API void *nupic_region_impl(const nupic_region *r);
NCP_API const nupic_region_type *nupic_region_get_type(const nupic_region *r);
NCP_API const char *nupic_region_name(const nupic_region *r);
/* A port by name; NULL if the region has none by that name (or before
 * initialization). */
NCP_API const nupic_array *nupic_region_input(const nupic_region *r,
                                              const char *name);
NCP_API nupic_array *nupic_region_output(nupic_region *r, const char *name);
/* For initialize functions: the size of an output. */
NCP_API nupic_status nupic_region_set_output_size(nupic_region *r,
                                                  const char *name,
                                                  uint32_t count,
                                                  nupic_error *err);
NCP_API uint32_t nupic_network_num_regions(const nupic_network *net);
NCP_API nupic_region *nupic_network_region_at(const nupic_network *net,
                                              uint32_t i);
NCP_API uint64_t nupic_network_iteration(const nupic_network *net);

/* Whether two networks hold the same regions (by name, type and state, as
 * their types' equal functions say), links and pending delayed values. */
NCP_API bool nupic_network_equal(const nupic_network *a, const nupic_network *b,
                                 char *diff, size_t diff_size);

/* ---- serialization ------------------------------------------------------ */

/* The network as a NetworkProto: regions in the order they were added,
 * keyed by name, each with its nodeType, state, dimensions ([1]) and
 * phases; links with their pending delayed values. */
NCP_API nupic_status nupic_network_write(const nupic_network *net,
                                         NetworkProto_B b, nupic_error *err);
/* A new network from a NetworkProto.  Region types are looked up by
 * nodeType among the built-in ones and `types` (n_types of them, may be
 * NULL); an unknown one is NUPIC_ERR_UNSUPPORTED naming it. */
NCP_API nupic_status nupic_network_read(NetworkProto_R r,
                                        const nupic_region_type *const *types,
                                        size_t n_types, nupic_network **out,
                                        nupic_error *err);

NCP_API nupic_status nupic_network_write_to_file(
    const nupic_network *net, FILE *f, const nupic_save_options *options,
    nupic_error *err);
NCP_API nupic_status nupic_network_read_from_file(
    FILE *f, const nupic_load_options *options,
    const nupic_region_type *const *types, size_t n_types, nupic_network **out,
    nupic_error *err);
NCP_API nupic_status nupic_network_write_to_mem(
    const nupic_network *net, const nupic_save_options *options, void **buf,
    size_t *len, nupic_error *err);
NCP_API nupic_status nupic_network_read_from_mem(
    const void *buf, size_t len, const nupic_load_options *options,
    const nupic_region_type *const *types, size_t n_types, nupic_network **out,
    nupic_error *err);
/* NuPIC's deprecated Network.save(path) / Network(path): one message at a
 * path, replaced atomically. */
NCP_API nupic_status nupic_network_save(const nupic_network *net,
                                        const char *path,
                                        const nupic_save_options *options,
                                        nupic_error *err);
NCP_API nupic_status nupic_network_load(const char *path,
                                        const nupic_load_options *options,
                                        const nupic_region_type *const *types,
                                        size_t n_types, nupic_network **out,
                                        nupic_error *err);

#ifdef __cplusplus
}
#endif

#endif /* NUPIC_NETWORK_H */
