/*
 * src/cli/types.c - the root types `nupic` knows: every struct of the
 * generated nupic_proto files, by name.
 *
 * Generics.  The generated reflection tables describe a generic struct once,
 * with its type parameters as AnyPointer.  The reference tool reads the
 * schema and sees NetworkProto.regions as a Map(Text, RegionProto): keys as
 * text, values as regions.  Until the generator emits bound copies of
 * generic structs, the bindings nupic_proto uses are applied here, to copies
 * of the generated tables (so the layout stays the generator's).
 */
#include <string.h>

#include "cli.h"
#include "nupic/proto/Map.capnp.h"
#include "nupic/proto/NetworkProto.capnp.h"
#include "nupic/proto/RegionProto.capnp.h"

#define BOUND_FIELDS_MAX 8

typedef struct bound_struct {
    ncp_schema_struct s;
    ncp_schema_field fields[BOUND_FIELDS_MAX];
} bound_struct;

/* Copies src into dst and gives its field `name` the type t.  False if the
 * table does not have the expected shape (the generic is then left as it
 * is). */
static bool bind_field(bound_struct *dst, const ncp_schema_struct *src,
                       const char *name, const ncp_schema_type *t) {
    if (src->field_count > BOUND_FIELDS_MAX) return false;
    dst->s = *src;
    memcpy(dst->fields, src->fields, src->field_count * sizeof *src->fields);
    dst->s.fields = dst->fields;
    for (uint16_t i = 0; i < src->field_count; i++) {
        if (strcmp(dst->fields[i].name, name) == 0) {
            dst->fields[i].type = *t;
            return true;
        }
    }
    return false;
}

/* NetworkProto with regions :Map(Text, RegionProto). */
static bound_struct map_entry, map, network;
static const ncp_schema_type text_type = {NCP_TYPE_TEXT, NULL, NULL, NULL};
static const ncp_schema_type region_type = {NCP_TYPE_STRUCT, NULL,
                                            &RegionProto_schema, NULL};
static const ncp_schema_type entry_type = {NCP_TYPE_STRUCT, NULL, &map_entry.s,
                                           NULL};
static const ncp_schema_type entries_type = {NCP_TYPE_LIST, &entry_type, NULL,
                                             NULL};
static const ncp_schema_type map_type = {NCP_TYPE_STRUCT, NULL, &map.s, NULL};

static const ncp_schema_struct *bound_network(void) {
    static int state; /* 0: not tried, 1: bound, -1: left generic */
    if (state == 0) {
        bool ok = bind_field(&map_entry, &Map_Entry_schema, "key", &text_type);
        if (ok) {
            /* value: a second binding on the same copy */
            ok = false;
            for (uint16_t i = 0; i < map_entry.s.field_count; i++)
                if (strcmp(map_entry.fields[i].name, "value") == 0) {
                    map_entry.fields[i].type = region_type;
                    ok = true;
                }
        }
        ok = ok && bind_field(&map, &Map_schema, "entries", &entries_type);
        ok = ok &&
             bind_field(&network, &NetworkProto_schema, "regions", &map_type);
        state = ok ? 1 : -1;
    }
    return state == 1 ? &network.s : &NetworkProto_schema;
}

/* A type with its generics bound. */
static const ncp_schema_struct *bound(const ncp_schema_struct *t) {
    if (t == &NetworkProto_schema) return bound_network();
    return t;
}

size_t cli_type_count(void) {
    size_t n = 0;
    for (size_t i = 0; i < cli_schema_file_count; i++)
        n += cli_schema_files[i]->struct_count;
    return n;
}

const ncp_schema_struct *cli_type_at(size_t i) {
    for (size_t f = 0; f < cli_schema_file_count; f++) {
        const ncp_schema_file *file = cli_schema_files[f];
        if (i < file->struct_count) return bound(file->structs[i]);
        i -= file->struct_count;
    }
    return NULL;
}

const ncp_schema_struct *cli_find_type(const char *name) {
    size_t n = cli_type_count();
    for (size_t i = 0; i < n; i++) {
        const ncp_schema_struct *t = cli_type_at(i);
        if (t != NULL && strcmp(t->name, name) == 0) return t;
    }
    return NULL;
}
