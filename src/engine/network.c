/*
 * src/engine/network.c - regions, links and phases (nupic/network.h), and
 * the network as a NetworkProto.
 *
 * Initialization walks the regions in run order (phase, then insertion):
 * each input's size is the sum of the outputs linked to it (which, since
 * links go forward in run order, are sized already), then the region's
 * initialize sizes its outputs.  An iteration copies, for each region in
 * run order, its linked outputs (or, for delayed links, the oldest pending
 * value) into its inputs, converting element types, and computes it; then
 * every delayed link stores its source's new value in place of the oldest.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nupic/network.h>

#include "../algo/persist.h"
#include "regions.h"

#include "nupic/proto/ArrayProto.capnp.h"
#include "nupic/proto/LinkProto.capnp.h"
#include "nupic/proto/Map.capnp.h"
#include "nupic/proto/RegionProto.capnp.h"

typedef struct link {
    uint32_t src, src_out, dest, dest_in; /* region and port indices */
    uint32_t delay;
    nupic_array *pending; /* delay arrays, the oldest at head */
    uint32_t head;
} link;

struct nupic_region {
    nupic_network *net;
    char *name;
    const nupic_region_type *type;
    void *impl;
    uint32_t phase;
    nupic_array *inputs;  /* type->n_inputs */
    nupic_array *outputs; /* type->n_outputs */
    bool *sized;          /* outputs sized by initialize */
};

struct nupic_network {
    const nupic_region_type **types;
    uint32_t n_types, types_cap;
    nupic_region **regions; /* insertion order */
    uint32_t n_regions, regions_cap;
    uint32_t *order; /* run order (indices), after initialize */
    link *links;
    uint32_t n_links, links_cap;
    bool initialized;
    uint64_t iteration;
};

/* ------------------------------------------------------------------------
 * Arrays
 * ------------------------------------------------------------------------ */

static const size_t type_sizes[NUPIC_ARRAY_TYPE_COUNT_] = {1, 2, 2, 4, 4,
                                                           8, 8, 4, 8};
static const char *const type_names[NUPIC_ARRAY_TYPE_COUNT_] = {
    "Byte",  "Int16",  "UInt16", "Int32", "UInt32",
    "Int64", "UInt64", "Real32", "Real64"};

size_t nupic_array_type_size(nupic_array_type t) {
    return (unsigned)t < NUPIC_ARRAY_TYPE_COUNT_ ? type_sizes[t] : 0;
}

const char *nupic_array_type_name(nupic_array_type t) {
    return (unsigned)t < NUPIC_ARRAY_TYPE_COUNT_ ? type_names[t] : "?";
}

static double get_as_double(const void *p, nupic_array_type t, size_t i) {
    switch (t) {
    case NUPIC_ARRAY_BYTE: return ((const uint8_t *)p)[i];
    case NUPIC_ARRAY_INT16: return ((const int16_t *)p)[i];
    case NUPIC_ARRAY_UINT16: return ((const uint16_t *)p)[i];
    case NUPIC_ARRAY_INT32: return ((const int32_t *)p)[i];
    case NUPIC_ARRAY_UINT32: return ((const uint32_t *)p)[i];
    case NUPIC_ARRAY_INT64: return (double)((const int64_t *)p)[i];
    case NUPIC_ARRAY_UINT64: return (double)((const uint64_t *)p)[i];
    case NUPIC_ARRAY_REAL32: return ((const float *)p)[i];
    case NUPIC_ARRAY_REAL64: return ((const double *)p)[i];
    default: return 0;
    }
}

/* v converted as C converts it, saturated to the type's range (NaN: 0). */
static void set_from_double(void *p, nupic_array_type t, size_t i, double v) {
    if (t == NUPIC_ARRAY_REAL32) {
        ((float *)p)[i] = (float)v;
        return;
    }
    if (t == NUPIC_ARRAY_REAL64) {
        ((double *)p)[i] = v;
        return;
    }
    static const double lo[] = {
        0, -32768.0, 0, -2147483648.0, 0, -9.2233720368547758e18, 0};
    static const double hi[] = {255.0,
                                32767.0,
                                65535.0,
                                2147483647.0,
                                4294967295.0,
                                9.2233720368547748e18,
                                1.8446744073709550e19};
    if (isnan(v)) v = 0;
    if (v < lo[t]) v = lo[t];
    if (v > hi[t]) v = hi[t];
    switch (t) {
    case NUPIC_ARRAY_BYTE: ((uint8_t *)p)[i] = (uint8_t)v; break;
    case NUPIC_ARRAY_INT16: ((int16_t *)p)[i] = (int16_t)v; break;
    case NUPIC_ARRAY_UINT16: ((uint16_t *)p)[i] = (uint16_t)v; break;
    case NUPIC_ARRAY_INT32: ((int32_t *)p)[i] = (int32_t)v; break;
    case NUPIC_ARRAY_UINT32: ((uint32_t *)p)[i] = (uint32_t)v; break;
    case NUPIC_ARRAY_INT64: ((int64_t *)p)[i] = (int64_t)v; break;
    case NUPIC_ARRAY_UINT64: ((uint64_t *)p)[i] = (uint64_t)v; break;
    default: break;
    }
}

/* Copies src (count elements) into dst at element offset `at`. */
static void copy_into(nupic_array *dst, uint32_t at, const nupic_array *src) {
    if (src->count == 0) return;
    if (dst->type == src->type) {
        size_t es = type_sizes[dst->type];
        memcpy((uint8_t *)dst->data + (size_t)at * es, src->data,
               (size_t)src->count * es);
        return;
    }
    for (uint32_t i = 0; i < src->count; i++)
        set_from_double(dst->data, dst->type, (size_t)at + i,
                        get_as_double(src->data, src->type, i));
}

static bool array_alloc(nupic_array *a, nupic_array_type t, uint32_t count) {
    a->type = t;
    a->count = count;
    a->data = calloc(count ? count : 1, type_sizes[t]);
    return a->data != NULL;
}

/* ------------------------------------------------------------------------
 * Networks, regions, links
 * ------------------------------------------------------------------------ */

#define ERR(st, ...) nupic_error_set(err, st, __VA_ARGS__)

static const nupic_region_type *find_type(const nupic_network *net,
                                          const char *name) {
    for (uint32_t i = 0; i < net->n_types; i++)
        if (strcmp(net->types[i]->name, name) == 0) return net->types[i];
    return NULL;
}

nupic_status nupic_network_add_type(nupic_network *net,
                                    const nupic_region_type *type,
                                    nupic_error *err) {
    if (net == NULL || type == NULL || type->name == NULL ||
        type->create == NULL || type->initialize == NULL ||
        type->compute == NULL || type->free == NULL || type->write == NULL ||
        type->read == NULL)
        return ERR(NUPIC_ERR_ARG,
                   "nupic_network_add_type: a NULL network, type, name or "
                   "required function");
    if (find_type(net, type->name))
        return ERR(NUPIC_ERR_ARG, "region type '%s' is already known",
                   type->name);
    if (net->n_types == net->types_cap) {
        uint32_t cap = net->types_cap ? net->types_cap * 2 : 8;
        const nupic_region_type **t =
            realloc(net->types, cap * sizeof *net->types);
        if (t == NULL) return ERR(NUPIC_ERR_NOMEM, "network: out of memory");
        net->types = t;
        net->types_cap = cap;
    }
    net->types[net->n_types++] = type;
    return NUPIC_OK;
}

nupic_status nupic_network_new(nupic_network **out, nupic_error *err) {
    if (out == NULL) return ERR(NUPIC_ERR_ARG, "nupic_network_new: NULL out");
    *out = NULL;
    nupic_network *net = calloc(1, sizeof *net);
    if (net == NULL) return ERR(NUPIC_ERR_NOMEM, "network: out of memory");
    for (size_t i = 0; i < nupic_builtin_region_type_count; i++) {
        nupic_status st =
            nupic_network_add_type(net, nupic_builtin_region_types[i], err);
        if (st != NUPIC_OK) {
            nupic_network_free(net);
            return st;
        }
    }
    *out = net;
    return NUPIC_OK;
}

static void region_free(nupic_region *r) {
    if (r == NULL) return;
    if (r->impl) r->type->free(r->impl);
    if (r->inputs)
        for (uint32_t i = 0; i < r->type->n_inputs; i++)
            free(r->inputs[i].data);
    if (r->outputs)
        for (uint32_t i = 0; i < r->type->n_outputs; i++)
            free(r->outputs[i].data);
    free(r->inputs);
    free(r->outputs);
    free(r->sized);
    free(r->name);
    free(r);
}

void nupic_network_free(nupic_network *net) {
    if (net == NULL) return;
    for (uint32_t i = 0; i < net->n_regions; i++)
        region_free(net->regions[i]);
    for (uint32_t i = 0; i < net->n_links; i++) {
        for (uint32_t k = 0; k < net->links[i].delay && net->links[i].pending;
             k++)
            free(net->links[i].pending[k].data);
        free(net->links[i].pending);
    }
    free(net->regions);
    free(net->order);
    free(net->links);
    free(net->types);
    free(net);
}

static int region_index(const nupic_network *net, const char *name) {
    for (uint32_t i = 0; i < net->n_regions; i++)
        if (strcmp(net->regions[i]->name, name) == 0) return (int)i;
    return -1;
}

/* A region shell: name, type, phase, port arrays (unsized). */
static nupic_status new_region(nupic_network *net, const char *name,
                               const nupic_region_type *type, uint32_t phase,
                               nupic_region **out, nupic_error *err) {
    nupic_region *r = calloc(1, sizeof *r);
    if (r == NULL) return ERR(NUPIC_ERR_NOMEM, "network: out of memory");
    r->net = net;
    r->type = type;
    r->phase = phase;
    size_t len = strlen(name);
    r->name = malloc(len + 1);
    r->inputs = calloc(type->n_inputs ? type->n_inputs : 1, sizeof *r->inputs);
    r->outputs =
        calloc(type->n_outputs ? type->n_outputs : 1, sizeof *r->outputs);
    r->sized = calloc(type->n_outputs ? type->n_outputs : 1, 1);
    if (!r->name || !r->inputs || !r->outputs || !r->sized) {
        region_free(r);
        return ERR(NUPIC_ERR_NOMEM, "network: out of memory");
    }
    memcpy(r->name, name, len + 1);
    for (uint32_t i = 0; i < type->n_inputs; i++)
        r->inputs[i].type = type->inputs[i].type;
    for (uint32_t i = 0; i < type->n_outputs; i++)
        r->outputs[i].type = type->outputs[i].type;
    *out = r;
    return NUPIC_OK;
}

static nupic_status append_region(nupic_network *net, nupic_region *r,
                                  nupic_error *err) {
    if (net->n_regions == net->regions_cap) {
        uint32_t cap = net->regions_cap ? net->regions_cap * 2 : 8;
        nupic_region **v = realloc(net->regions, cap * sizeof *v);
        if (v == NULL) return ERR(NUPIC_ERR_NOMEM, "network: out of memory");
        net->regions = v;
        net->regions_cap = cap;
    }
    net->regions[net->n_regions++] = r;
    return NUPIC_OK;
}

static bool valid_name(const char *name) {
    if (name == NULL || name[0] == '\0') return false;
    for (const char *p = name; *p; p++)
        if ((unsigned char)*p < 0x20) return false;
    return true;
}

nupic_status nupic_network_add_region(nupic_network *net, const char *name,
                                      const char *type_name,
                                      const char *params_json, uint32_t phase,
                                      nupic_error *err) {
    if (net == NULL || type_name == NULL)
        return ERR(NUPIC_ERR_ARG, "nupic_network_add_region: NULL argument");
    if (!valid_name(name))
        return ERR(NUPIC_ERR_ARG,
                   "network: a region name must be non-empty text");
    if (net->initialized)
        return ERR(NUPIC_ERR_ARG,
                   "network: region '%s' added after initialization", name);
    if (region_index(net, name) >= 0)
        return ERR(NUPIC_ERR_ARG, "network: a region named '%s' exists", name);
    const nupic_region_type *type = find_type(net, type_name);
    if (type == NULL)
        return ERR(NUPIC_ERR_UNSUPPORTED, "network: unknown region type '%s'",
                   type_name);
    nupic_region *r;
    nupic_status st = new_region(net, name, type, phase, &r, err);
    if (st != NUPIC_OK) return st;
    st = type->create(r, params_json, &r->impl, err);
    if (st == NUPIC_OK) st = append_region(net, r, err);
    if (st != NUPIC_OK) region_free(r);
    return st;
}

static int port_index(const nupic_port_spec *ports, uint32_t n,
                      const char *name) {
    if (name == NULL) return n > 0 ? 0 : -1;
    for (uint32_t i = 0; i < n; i++)
        if (strcmp(ports[i].name, name) == 0) return (int)i;
    return -1;
}

static nupic_status add_link(nupic_network *net, uint32_t src, uint32_t src_out,
                             uint32_t dest, uint32_t dest_in, uint32_t delay,
                             nupic_error *err) {
    if (net->n_links == net->links_cap) {
        uint32_t cap = net->links_cap ? net->links_cap * 2 : 8;
        link *v = realloc(net->links, cap * sizeof *v);
        if (v == NULL) return ERR(NUPIC_ERR_NOMEM, "network: out of memory");
        net->links = v;
        net->links_cap = cap;
    }
    net->links[net->n_links++] =
        (link){src, src_out, dest, dest_in, delay, NULL, 0};
    return NUPIC_OK;
}

nupic_status nupic_network_link(nupic_network *net, const char *src,
                                const char *src_output, const char *dest,
                                const char *dest_input, uint32_t delay,
                                nupic_error *err) {
    if (net == NULL || src == NULL || dest == NULL)
        return ERR(NUPIC_ERR_ARG, "nupic_network_link: NULL argument");
    if (net->initialized)
        return ERR(NUPIC_ERR_ARG,
                   "network: link %s -> %s added after initialization", src,
                   dest);
    int s = region_index(net, src), d = region_index(net, dest);
    if (s < 0 || d < 0)
        return ERR(NUPIC_ERR_ARG, "network: link %s -> %s: no region '%s'", src,
                   dest, s < 0 ? src : dest);
    const nupic_region_type *st = net->regions[s]->type,
                            *dt = net->regions[d]->type;
    int so = port_index(st->outputs, st->n_outputs, src_output);
    int di = port_index(dt->inputs, dt->n_inputs, dest_input);
    if (so < 0)
        return ERR(NUPIC_ERR_ARG,
                   "network: region '%s' (%s) has no output '%s'", src,
                   st->name, src_output ? src_output : "(default)");
    if (di < 0)
        return ERR(NUPIC_ERR_ARG, "network: region '%s' (%s) has no input '%s'",
                   dest, dt->name, dest_input ? dest_input : "(default)");
    if (delay > 1000)
        return ERR(NUPIC_ERR_ARG,
                   "network: link %s -> %s: delay %u exceeds "
                   "1000",
                   src, dest, delay);
    return add_link(net, (uint32_t)s, (uint32_t)so, (uint32_t)d, (uint32_t)di,
                    delay, err);
}

/* The run order: by phase, then insertion (a stable insertion sort). */
static nupic_status compute_order(nupic_network *net, nupic_error *err) {
    uint32_t *o = malloc((net->n_regions ? net->n_regions : 1) * sizeof *o);
    if (o == NULL) return ERR(NUPIC_ERR_NOMEM, "network: out of memory");
    for (uint32_t i = 0; i < net->n_regions; i++) {
        uint32_t j = i;
        for (; j > 0 && net->regions[o[j - 1]]->phase > net->regions[i]->phase;
             j--)
            o[j] = o[j - 1];
        o[j] = i;
    }
    free(net->order);
    net->order = o;
    return NUPIC_OK;
}

/* Position of region index r in the run order. */
static uint32_t rank_of(const nupic_network *net, uint32_t r) {
    for (uint32_t i = 0; i < net->n_regions; i++)
        if (net->order[i] == r) return i;
    return UINT32_MAX;
}

nupic_status nupic_network_initialize(nupic_network *net, nupic_error *err) {
    if (net == NULL)
        return ERR(NUPIC_ERR_ARG, "nupic_network_initialize: NULL network");
    if (net->initialized) return NUPIC_OK;
    nupic_status st = compute_order(net, err);
    if (st != NUPIC_OK) return st;
    /* Links go forward in run order. */
    for (uint32_t l = 0; l < net->n_links; l++) {
        const link *k = &net->links[l];
        if (rank_of(net, k->src) >= rank_of(net, k->dest))
            return ERR(NUPIC_ERR_ARG,
                       "network: link %s.%s -> %s.%s goes backwards in run "
                       "order (phases %u, %u): links must run from a region "
                       "to one that runs after it",
                       net->regions[k->src]->name,
                       net->regions[k->src]->type->outputs[k->src_out].name,
                       net->regions[k->dest]->name,
                       net->regions[k->dest]->type->inputs[k->dest_in].name,
                       net->regions[k->src]->phase,
                       net->regions[k->dest]->phase);
    }
    for (uint32_t i = 0; i < net->n_regions; i++) {
        nupic_region *r = net->regions[net->order[i]];
        uint32_t ri = net->order[i];
        for (uint32_t p = 0; p < r->type->n_inputs; p++) {
            uint64_t count = 0;
            for (uint32_t l = 0; l < net->n_links; l++) {
                const link *k = &net->links[l];
                if (k->dest == ri && k->dest_in == p)
                    count += net->regions[k->src]->outputs[k->src_out].count;
            }
            if (count == 0 && r->type->inputs[p].required)
                return ERR(NUPIC_ERR_ARG,
                           "network: input '%s' of region '%s' is not linked",
                           r->type->inputs[p].name, r->name);
            if (count > UINT32_MAX)
                return ERR(NUPIC_ERR_TOO_LARGE,
                           "network: input '%s' of region '%s' is too large",
                           r->type->inputs[p].name, r->name);
            free(r->inputs[p].data);
            if (!array_alloc(&r->inputs[p], r->type->inputs[p].type,
                             (uint32_t)count))
                return ERR(NUPIC_ERR_NOMEM, "network: out of memory");
        }
        st = r->type->initialize(r, r->impl, err);
        if (st != NUPIC_OK) return st;
        for (uint32_t p = 0; p < r->type->n_outputs; p++)
            if (!r->sized[p]) {
                /* An output the region did not size: empty. */
                if (!array_alloc(&r->outputs[p], r->type->outputs[p].type, 0))
                    return ERR(NUPIC_ERR_NOMEM, "network: out of memory");
                r->sized[p] = true;
            }
    }
    for (uint32_t l = 0; l < net->n_links; l++) {
        link *k = &net->links[l];
        if (k->delay == 0) continue;
        const nupic_array *src = &net->regions[k->src]->outputs[k->src_out];
        k->pending = calloc(k->delay, sizeof *k->pending);
        if (k->pending == NULL)
            return ERR(NUPIC_ERR_NOMEM, "network: out of memory");
        for (uint32_t d = 0; d < k->delay; d++)
            if (!array_alloc(&k->pending[d], src->type, src->count))
                return ERR(NUPIC_ERR_NOMEM, "network: out of memory");
        k->head = 0;
    }
    net->initialized = true;
    return NUPIC_OK;
}

nupic_status nupic_network_run(nupic_network *net, uint32_t n,
                               nupic_error *err) {
    if (net == NULL) return ERR(NUPIC_ERR_ARG, "nupic_network_run: NULL");
    nupic_status st = nupic_network_initialize(net, err);
    if (st != NUPIC_OK) return st;
    for (uint32_t it = 0; it < n; it++) {
        for (uint32_t i = 0; i < net->n_regions; i++) {
            uint32_t ri = net->order[i];
            nupic_region *r = net->regions[ri];
            for (uint32_t p = 0; p < r->type->n_inputs; p++) {
                uint32_t at = 0;
                for (uint32_t l = 0; l < net->n_links; l++) {
                    const link *k = &net->links[l];
                    if (k->dest != ri || k->dest_in != p) continue;
                    const nupic_array *src =
                        k->delay ? &k->pending[k->head]
                                 : &net->regions[k->src]->outputs[k->src_out];
                    copy_into(&r->inputs[p], at, src);
                    at += src->count;
                }
            }
            st = r->type->compute(r, r->impl, err);
            if (st != NUPIC_OK) return st;
        }
        for (uint32_t l = 0; l < net->n_links; l++) {
            link *k = &net->links[l];
            if (k->delay == 0) continue;
            copy_into(&k->pending[k->head], 0,
                      &net->regions[k->src]->outputs[k->src_out]);
            k->head = (k->head + 1) % k->delay;
        }
        net->iteration++;
    }
    return NUPIC_OK;
}

nupic_status nupic_network_execute(nupic_network *net, const char *region,
                                   const char *command, nupic_error *err) {
    if (net == NULL || region == NULL || command == NULL)
        return ERR(NUPIC_ERR_ARG, "nupic_network_execute: NULL argument");
    nupic_region *r = nupic_network_region(net, region);
    if (r == NULL) return ERR(NUPIC_ERR_ARG, "network: no region '%s'", region);
    if (r->type->execute == NULL)
        return ERR(NUPIC_ERR_UNSUPPORTED,
                   "network: region '%s' (%s) knows no command '%s'", region,
                   r->type->name, command);
    return r->type->execute(r, r->impl, command, err);
}

/* ------------------------------------------------------------------------
 * Accessors
 * ------------------------------------------------------------------------ */

nupic_region *nupic_network_region(const nupic_network *net, const char *name) {
    int i = net && name ? region_index(net, name) : -1;
    return i < 0 ? NULL : net->regions[i];
}
void *nupic_region_impl(const nupic_region *r) {
    return r->impl;
}
const nupic_region_type *nupic_region_get_type(const nupic_region *r) {
    return r->type;
}
const char *nupic_region_name(const nupic_region *r) {
    return r->name;
}

const nupic_array *nupic_region_input(const nupic_region *r, const char *name) {
    int i = port_index(r->type->inputs, r->type->n_inputs, name);
    return i < 0 ? NULL : &r->inputs[i];
}

nupic_array *nupic_region_output(nupic_region *r, const char *name) {
    int i = port_index(r->type->outputs, r->type->n_outputs, name);
    return i < 0 || !r->sized[i] ? NULL : &r->outputs[i];
}

nupic_status nupic_region_set_output_size(nupic_region *r, const char *name,
                                          uint32_t count, nupic_error *err) {
    int i = port_index(r->type->outputs, r->type->n_outputs, name);
    if (i < 0)
        return ERR(NUPIC_ERR_ARG, "region '%s' (%s) has no output '%s'",
                   r->name, r->type->name, name ? name : "(default)");
    free(r->outputs[i].data);
    r->outputs[i].data = NULL;
    if (!array_alloc(&r->outputs[i], r->type->outputs[i].type, count))
        return ERR(NUPIC_ERR_NOMEM, "network: out of memory");
    r->sized[i] = true;
    return NUPIC_OK;
}

uint32_t nupic_network_num_regions(const nupic_network *net) {
    return net->n_regions;
}
nupic_region *nupic_network_region_at(const nupic_network *net, uint32_t i) {
    return i < net->n_regions ? net->regions[i] : NULL;
}
uint64_t nupic_network_iteration(const nupic_network *net) {
    return net->iteration;
}

static bool same_array(const nupic_array *a, const nupic_array *b) {
    return a->type == b->type && a->count == b->count &&
           (a->count == 0 ||
            memcmp(a->data, b->data, (size_t)a->count * type_sizes[a->type]) ==
                0);
}

bool nupic_network_equal(const nupic_network *a, const nupic_network *b,
                         char *diff, size_t diff_size) {
#define DIFF(...)                                                              \
    do {                                                                       \
        if (diff && diff_size) snprintf(diff, diff_size, __VA_ARGS__);         \
        return false;                                                          \
    } while (0)
    if (diff && diff_size) diff[0] = '\0';
    if (a->n_regions != b->n_regions)
        DIFF("%u regions != %u", a->n_regions, b->n_regions);
    for (uint32_t i = 0; i < a->n_regions; i++) {
        const nupic_region *x = a->regions[i], *y = b->regions[i];
        if (strcmp(x->name, y->name) != 0 || x->type != y->type ||
            x->phase != y->phase)
            DIFF("region %u: %s (%s, phase %u) != %s (%s, phase %u)", i,
                 x->name, x->type->name, x->phase, y->name, y->type->name,
                 y->phase);
        char sub[192] = "";
        if (x->type->equal == NULL ||
            !x->type->equal(x->impl, y->impl, sub, sizeof sub))
            DIFF("region %s: %s", x->name,
                 x->type->equal ? sub : "its type cannot compare states");
    }
    if (a->n_links != b->n_links)
        DIFF("%u links != %u", a->n_links, b->n_links);
    for (uint32_t l = 0; l < a->n_links; l++) {
        const link *x = &a->links[l], *y = &b->links[l];
        if (x->src != y->src || x->src_out != y->src_out ||
            x->dest != y->dest || x->dest_in != y->dest_in ||
            x->delay != y->delay)
            DIFF("link %u differs", l);
        if (!a->initialized || !b->initialized) continue;
        for (uint32_t d = 0; d < x->delay; d++)
            if (!same_array(&x->pending[(x->head + d) % x->delay],
                            &y->pending[(y->head + d) % y->delay]))
                DIFF("link %u: pending value %u differs", l, d);
    }
    return true;
#undef DIFF
}

/* ------------------------------------------------------------------------
 * NetworkProto
 * ------------------------------------------------------------------------ */

static void write_array(ArrayProto_B b, const nupic_array *a) {
    const void *d = a->data;
    uint32_t n = a->count;
    switch (a->type) {
    case NUPIC_ARRAY_BYTE: ArrayProto_set_byteArray(b, d, n); break;
    case NUPIC_ARRAY_INT16: ArrayProto_set_int16Array(b, d, n); break;
    case NUPIC_ARRAY_UINT16: ArrayProto_set_uint16Array(b, d, n); break;
    case NUPIC_ARRAY_INT32: ArrayProto_set_int32Array(b, d, n); break;
    case NUPIC_ARRAY_UINT32: ArrayProto_set_uint32Array(b, d, n); break;
    case NUPIC_ARRAY_INT64: ArrayProto_set_int64Array(b, d, n); break;
    case NUPIC_ARRAY_UINT64: ArrayProto_set_uint64Array(b, d, n); break;
    case NUPIC_ARRAY_REAL32: ArrayProto_set_real32Array(b, d, n); break;
    case NUPIC_ARRAY_REAL64: ArrayProto_set_real64Array(b, d, n); break;
    default: break;
    }
}

nupic_status nupic_network_write(const nupic_network *net, NetworkProto_B b,
                                 nupic_error *err) {
    if (net == NULL) return ERR(NUPIC_ERR_ARG, "nupic_network_write: NULL");
    Map_Text_RegionProto_B map = NetworkProto_init_regions(b);
    Map_Text_RegionProto_Entry_BList entries =
        Map_Text_RegionProto_init_entries(map, net->n_regions);
    for (uint32_t i = 0; i < net->n_regions; i++) {
        const nupic_region *r = net->regions[i];
        Map_Text_RegionProto_Entry_B e =
            Map_Text_RegionProto_Entry_BList_get(entries, i);
        Map_Text_RegionProto_Entry_set_key(e, r->name, strlen(r->name));
        RegionProto_B rp = Map_Text_RegionProto_Entry_init_value(e);
        RegionProto_set_nodeType(rp, r->type->name, strlen(r->type->name));
        const uint32_t dims[1] = {1};
        RegionProto_set_dimensions(rp, dims, 1);
        RegionProto_set_phases(rp, &r->phase, 1);
        nupic_status st =
            r->type->write(r, r->impl, RegionProto_ptr_regionImpl(rp), err);
        if (st != NUPIC_OK) return st;
    }
    LinkProto_BList links = NetworkProto_init_links(b, net->n_links);
    for (uint32_t l = 0; l < net->n_links; l++) {
        const link *k = &net->links[l];
        const nupic_region *s = net->regions[k->src],
                           *d = net->regions[k->dest];
        LinkProto_B lp = LinkProto_BList_get(links, l);
        LinkProto_set_type(lp, "UniformLink", 11);
        LinkProto_set_params(lp, "", 0);
        LinkProto_set_srcRegion(lp, s->name, strlen(s->name));
        const char *so = s->type->outputs[k->src_out].name;
        LinkProto_set_srcOutput(lp, so, strlen(so));
        LinkProto_set_destRegion(lp, d->name, strlen(d->name));
        const char *di = d->type->inputs[k->dest_in].name;
        LinkProto_set_destInput(lp, di, strlen(di));
        if (k->delay > 0 && k->pending) {
            ArrayProto_BList q = LinkProto_init_delayedOutputs(lp, k->delay);
            for (uint32_t i = 0; i < k->delay; i++)
                write_array(ArrayProto_BList_get(q, i),
                            &k->pending[(k->head + i) % k->delay]);
        }
    }
    if (ncp_builder_status(b.s.b) != NCP_OK)
        return nupic_error_from_ncp(err, ncp_builder_error(b.s.b));
    return NUPIC_OK;
}

/* Reads a delayed value into a (sized and typed as its source output). */
static nupic_status read_array(ArrayProto_R r, nupic_array *a,
                               const char *where, nupic_error *err) {
    ncp_list l;
    nupic_array_type t;
    switch (ArrayProto_which(r)) {
    case ArrayProto_which_byteArray:
        l = ArrayProto_get_byteArray(r);
        t = NUPIC_ARRAY_BYTE;
        break;
    case ArrayProto_which_int16Array:
        l = ArrayProto_get_int16Array(r);
        t = NUPIC_ARRAY_INT16;
        break;
    case ArrayProto_which_uint16Array:
        l = ArrayProto_get_uint16Array(r);
        t = NUPIC_ARRAY_UINT16;
        break;
    case ArrayProto_which_int32Array:
        l = ArrayProto_get_int32Array(r);
        t = NUPIC_ARRAY_INT32;
        break;
    case ArrayProto_which_uint32Array:
        l = ArrayProto_get_uint32Array(r);
        t = NUPIC_ARRAY_UINT32;
        break;
    case ArrayProto_which_int64Array:
        l = ArrayProto_get_int64Array(r);
        t = NUPIC_ARRAY_INT64;
        break;
    case ArrayProto_which_uint64Array:
        l = ArrayProto_get_uint64Array(r);
        t = NUPIC_ARRAY_UINT64;
        break;
    case ArrayProto_which_real32Array:
        l = ArrayProto_get_real32Array(r);
        t = NUPIC_ARRAY_REAL32;
        break;
    case ArrayProto_which_real64Array:
        l = ArrayProto_get_real64Array(r);
        t = NUPIC_ARRAY_REAL64;
        break;
    default:
        return ERR(NUPIC_ERR_FORMAT, "%s: unknown array type %u", where,
                   (unsigned)ArrayProto_which(r));
    }
    if (t != a->type || ncp_list_len(&l) != a->count)
        return ERR(NUPIC_ERR_FORMAT,
                   "%s: %u %s values, expected %u %s (the source output's)",
                   where, ncp_list_len(&l), type_names[t], a->count,
                   type_names[a->type]);
    switch (type_sizes[t]) {
    case 1: ncp_list_get_u8s(&l, 0, a->count, a->data); break;
    case 2: ncp_list_get_u16s(&l, 0, a->count, a->data); break;
    case 4: ncp_list_get_u32s(&l, 0, a->count, a->data); break;
    default: ncp_list_get_u64s(&l, 0, a->count, a->data); break;
    }
    return NUPIC_OK;
}

/* Text field into a NUL-terminated string; NULL and an error when it holds
 * a NUL or is empty. */
static nupic_status read_text(ncp_text t, char *buf, size_t cap,
                              const char *where, nupic_error *err) {
    if (t.len == 0 || t.len >= cap || memchr(t.str, '\0', t.len))
        return ERR(NUPIC_ERR_FORMAT, "%s: empty, too long or holding a NUL",
                   where);
    memcpy(buf, t.str, t.len);
    buf[t.len] = '\0';
    return NUPIC_OK;
}

static nupic_status read_network(NetworkProto_R r,
                                 const nupic_region_type *const *types,
                                 size_t n_types, nupic_network **out,
                                 nupic_error *err) {
    nupic_network *net;
    nupic_status st = nupic_network_new(&net, err);
    if (st != NUPIC_OK) return st;
    for (size_t i = 0; i < n_types && st == NUPIC_OK; i++)
        if (!find_type(net, types[i]->name))
            st = nupic_network_add_type(net, types[i], err);
    if (st != NUPIC_OK) goto fail;
    Map_Text_RegionProto_Entry_RList entries =
        Map_Text_RegionProto_get_entries(NetworkProto_get_regions(r));
    uint32_t n = Map_Text_RegionProto_Entry_RList_len(entries);
    if (n > 10000) {
        st = ERR(NUPIC_ERR_FORMAT, "NetworkProto.regions: %u regions", n);
        goto fail;
    }
    for (uint32_t i = 0; i < n; i++) {
        Map_Text_RegionProto_Entry_R e =
            Map_Text_RegionProto_Entry_RList_get(entries, i);
        char name[256], type_name[256], where[320];
        snprintf(where, sizeof where, "NetworkProto.regions[%u].key", i);
        st = read_text(Map_Text_RegionProto_Entry_get_key(e), name, sizeof name,
                       where, err);
        if (st != NUPIC_OK) goto fail;
        if (region_index(net, name) >= 0) {
            st = ERR(NUPIC_ERR_FORMAT,
                     "NetworkProto.regions: '%s' appears twice", name);
            goto fail;
        }
        RegionProto_R rp = Map_Text_RegionProto_Entry_get_value(e);
        snprintf(where, sizeof where, "NetworkProto.regions['%s'].nodeType",
                 name);
        st = read_text(RegionProto_get_nodeType(rp), type_name,
                       sizeof type_name, where, err);
        if (st != NUPIC_OK) goto fail;
        const nupic_region_type *type = find_type(net, type_name);
        if (type == NULL) {
            st = ERR(NUPIC_ERR_UNSUPPORTED,
                     "NetworkProto.regions['%s']: unknown region type '%s'",
                     name, type_name);
            goto fail;
        }
        ncp_list phases = RegionProto_get_phases(rp);
        uint32_t phase = 0;
        if (ncp_list_len(&phases) > 1) {
            st = ERR(NUPIC_ERR_UNSUPPORTED,
                     "NetworkProto.regions['%s'].phases: %u phases (one is "
                     "supported)",
                     name, ncp_list_len(&phases));
            goto fail;
        }
        if (ncp_list_len(&phases) == 1)
            ncp_list_get_u32s(&phases, 0, 1, &phase);
        nupic_region *reg;
        st = new_region(net, name, type, phase, &reg, err);
        if (st != NUPIC_OK) goto fail;
        st = type->read(reg, RegionProto_get_regionImpl(rp), &reg->impl, err);
        if (st == NUPIC_OK) st = append_region(net, reg, err);
        if (st != NUPIC_OK) {
            region_free(reg);
            goto fail;
        }
    }
    LinkProto_RList links = NetworkProto_get_links(r);
    uint32_t nl = LinkProto_RList_len(links);
    for (uint32_t l = 0; l < nl; l++) {
        LinkProto_R lp = LinkProto_RList_get(links, l);
        char s[256], so[256], d[256], di[256], where[96];
        snprintf(where, sizeof where, "NetworkProto.links[%u]", l);
        ncp_text type = LinkProto_get_type(lp);
        if (!(type.len == 11 && memcmp(type.str, "UniformLink", 11) == 0)) {
            st = ERR(NUPIC_ERR_UNSUPPORTED,
                     "%s.type: only UniformLink is supported", where);
            goto fail;
        }
        if ((st = read_text(LinkProto_get_srcRegion(lp), s, sizeof s, where,
                            err)) != NUPIC_OK ||
            (st = read_text(LinkProto_get_srcOutput(lp), so, sizeof so, where,
                            err)) != NUPIC_OK ||
            (st = read_text(LinkProto_get_destRegion(lp), d, sizeof d, where,
                            err)) != NUPIC_OK ||
            (st = read_text(LinkProto_get_destInput(lp), di, sizeof di, where,
                            err)) != NUPIC_OK)
            goto fail;
        ArrayProto_RList q = LinkProto_get_delayedOutputs(lp);
        uint32_t delay = ArrayProto_RList_len(q);
        st = nupic_network_link(net, s, so, d, di, delay, err);
        if (st != NUPIC_OK) goto fail;
    }
    if (r.s.msg && ncp_msg_status(r.s.msg) != NCP_OK) {
        st = nupic_error_from_ncp(err, ncp_msg_error(r.s.msg));
        goto fail;
    }
    st = nupic_network_initialize(net, err);
    if (st != NUPIC_OK) goto fail;
    for (uint32_t l = 0; l < nl; l++) {
        ArrayProto_RList q =
            LinkProto_get_delayedOutputs(LinkProto_RList_get(links, l));
        for (uint32_t i = 0; i < net->links[l].delay; i++) {
            char where[96];
            snprintf(where, sizeof where,
                     "NetworkProto.links[%u].delayedOutputs[%u]", l, i);
            st = read_array(ArrayProto_RList_get(q, i),
                            &net->links[l].pending[i], where, err);
            if (st != NUPIC_OK) goto fail;
        }
    }
    if (r.s.msg && ncp_msg_status(r.s.msg) != NCP_OK) {
        st = nupic_error_from_ncp(err, ncp_msg_error(r.s.msg));
        goto fail;
    }
    *out = net;
    return NUPIC_OK;
fail:
    nupic_network_free(net);
    return st;
}

/* What is wrong with a message is a format error, whichever call found it
 * (a link to a port that does not exist, an input left unlinked, ...). */
nupic_status nupic_network_read(NetworkProto_R r,
                                const nupic_region_type *const *types,
                                size_t n_types, nupic_network **out,
                                nupic_error *err) {
    if (out == NULL) return ERR(NUPIC_ERR_ARG, "nupic_network_read: NULL out");
    *out = NULL;
    nupic_error local = {NUPIC_OK, ""};
    nupic_status st = read_network(r, types, n_types, out, &local);
    if (st == NUPIC_OK) return st;
    if (st == NUPIC_ERR_ARG || st == NUPIC_ERR_PARAM) {
        if (strncmp(local.message, "NetworkProto", 12) == 0)
            return ERR(NUPIC_ERR_FORMAT, "%s", local.message);
        return ERR(NUPIC_ERR_FORMAT, "NetworkProto: %s", local.message);
    }
    return ERR(st, "%s", local.message);
}

/* ------------------------------------------------------------------------
 * Files, memory, paths
 * ------------------------------------------------------------------------ */

static nupic_status writer(const void *obj, ncp_builder *b, nupic_error *err) {
    return nupic_network_write(obj, NetworkProto_new_root(b), err);
}

static nupic_status read_msg(nupic_status st, ncp_msg *m,
                             const nupic_region_type *const *types,
                             size_t n_types, nupic_network **out,
                             nupic_error *err) {
    if (st == NUPIC_OK)
        st = nupic_network_read(NetworkProto_read_root(m), types, n_types, out,
                                err);
    ncp_msg_free(m);
    return st;
}

/* A size estimate: small networks fit the first segment; larger ones grow
 * the builder. */
#define NETWORK_WORDS 4096

nupic_status nupic_network_write_to_file(const nupic_network *net, FILE *f,
                                         const nupic_save_options *o,
                                         nupic_error *err) {
    return persist_to_file(net, writer, NETWORK_WORDS, f, o, err);
}

nupic_status nupic_network_read_from_file(FILE *f, const nupic_load_options *o,
                                          const nupic_region_type *const *types,
                                          size_t n_types, nupic_network **out,
                                          nupic_error *err) {
    ncp_msg *m = NULL;
    *out = NULL;
    nupic_status st = persist_open_file(f, o, &m, err);
    return read_msg(st, m, types, n_types, out, err);
}

nupic_status nupic_network_write_to_mem(const nupic_network *net,
                                        const nupic_save_options *o, void **buf,
                                        size_t *len, nupic_error *err) {
    return persist_to_mem(net, writer, NETWORK_WORDS, buf, len, o, err);
}

nupic_status nupic_network_read_from_mem(const void *buf, size_t len,
                                         const nupic_load_options *o,
                                         const nupic_region_type *const *types,
                                         size_t n_types, nupic_network **out,
                                         nupic_error *err) {
    ncp_msg *m = NULL;
    *out = NULL;
    nupic_status st = persist_open_mem(buf, len, o, &m, err);
    return read_msg(st, m, types, n_types, out, err);
}

nupic_status nupic_network_save(const nupic_network *net, const char *path,
                                const nupic_save_options *o, nupic_error *err) {
    return persist_to_path(net, writer, NETWORK_WORDS, path, o, err);
}

nupic_status nupic_network_load(const char *path, const nupic_load_options *o,
                                const nupic_region_type *const *types,
                                size_t n_types, nupic_network **out,
                                nupic_error *err) {
    ncp_msg *m = NULL;
    *out = NULL;
    nupic_status st = persist_open_path(path, o, &m, err);
    return read_msg(st, m, types, n_types, out, err);
}
