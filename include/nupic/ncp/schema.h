/*
 * nupic/ncp/schema.h - reflection tables: the layout of a schema's structs
 * and enums, emitted by the code generator (capnpc-c) beside the typed
 * accessors, so that generic code can walk any message: print it as JSON or
 * text, compare two messages, validate one.
 *
 * Tables are constant data; they are safe to share between threads.
 */
#ifndef NUPIC_NCP_SCHEMA_H
#define NUPIC_NCP_SCHEMA_H

#include "base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Type kinds, numbered as the union of `Type` in capnp/schema.capnp. */
typedef enum ncp_type_kind {
    NCP_TYPE_VOID = 0,
    NCP_TYPE_BOOL,
    NCP_TYPE_INT8,
    NCP_TYPE_INT16,
    NCP_TYPE_INT32,
    NCP_TYPE_INT64,
    NCP_TYPE_UINT8,
    NCP_TYPE_UINT16,
    NCP_TYPE_UINT32,
    NCP_TYPE_UINT64,
    NCP_TYPE_FLOAT32,
    NCP_TYPE_FLOAT64,
    NCP_TYPE_TEXT,
    NCP_TYPE_DATA,
    NCP_TYPE_LIST,
    NCP_TYPE_ENUM,
    NCP_TYPE_STRUCT,
    NCP_TYPE_INTERFACE,
    NCP_TYPE_ANY_POINTER
} ncp_type_kind;

typedef struct ncp_schema_type ncp_schema_type;
typedef struct ncp_schema_struct ncp_schema_struct;
typedef struct ncp_schema_enum ncp_schema_enum;

struct ncp_schema_type {
    uint8_t kind;                       /* ncp_type_kind */
    const ncp_schema_type *element;     /* NCP_TYPE_LIST */
    const ncp_schema_struct *structure; /* NCP_TYPE_STRUCT */
    const ncp_schema_enum *enumeration; /* NCP_TYPE_ENUM */
};

/* Union tag value of a field that is not a union member. */
#define NCP_NO_DISCRIMINANT 0xffffu

typedef struct ncp_schema_field {
    const char *name;
    uint16_t ordinal;      /* the @N of the field; groups have none (0xffff) */
    uint16_t code_order;   /* position among its siblings in the source */
    uint16_t discriminant; /* union tag value, or NCP_NO_DISCRIMINANT */
    /* Slot fields: offset in units of the field's size (bits for Bool,
     * bytes / 2 for 16-bit values, ...; the pointer index for pointers).
     * Group fields: 0 (see group). */
    uint32_t offset;
    ncp_schema_type type;
    /* Group fields: the group's layout, which shares the parent's sections. */
    const ncp_schema_struct *group;
    /* Default of a primitive field, as the bits XOR-ed on the wire. */
    uint64_t default_bits;
    /* Default of a pointer field as a one-segment message holding it at its
     * root (NULL when the default is null). */
    const uint8_t *default_words;
    uint32_t default_word_count;
} ncp_schema_field;

struct ncp_schema_struct {
    uint64_t id;
    const char *name; /* "Outer.Inner", as in the schema */
    uint16_t data_words;
    uint16_t ptr_count;
    uint16_t discriminant_count;  /* union members; 0: no unnamed union */
    uint32_t discriminant_offset; /* union tag position, in 16-bit units */
    uint16_t field_count;
    const ncp_schema_field *fields; /* in ordinal order */
    bool is_group;
};

struct ncp_schema_enum {
    uint64_t id;
    const char *name;
    uint16_t count;
    const char *const *enumerants; /* by value */
};

/* Files: the root types a generated file declares, for tools that look a
 * type up by name (`nupic inspect --type NAME`). */
typedef struct ncp_schema_file {
    const char *name; /* as given to the schema compiler */
    uint16_t struct_count;
    const ncp_schema_struct *const *structs;
} ncp_schema_file;

#ifdef __cplusplus
}
#endif

#endif /* NUPIC_NCP_SCHEMA_H */
