/*
 * tests/support/dyn_fill.h - random messages of any schema, from its
 * reflection tables (for the tests of the walker and of `nupic inspect`).
 */
#ifndef NUPIC_TEST_DYN_FILL_H
#define NUPIC_TEST_DYN_FILL_H

#include <stdbool.h>
#include <stdint.h>

#include <nupic/ncp.h>
#include <nupic/ncp/schema.h>

typedef struct dyn_gen {
    int max_depth;  /* pointer depth below the root */
    bool any;       /* set AnyPointers (the reference cannot print them as
                       JSON) */
    bool long_ones; /* long strings and lists, to break lines */
} dyn_gen;

/* The shared deterministic generator: 64 random bits; a number below n. */
uint64_t dyn_rand(void);
uint32_t dyn_below(uint32_t n);

/* Fills the (zeroed) struct b of type t with random values. */
void dyn_fill_struct(const dyn_gen *g, const ncp_bstruct *b,
                     const ncp_schema_struct *t, int depth);

/* A random message of type t in a new builder; segment_words 0 means the
 * default segments, a small number many segments (fixed growth). */
ncp_builder *dyn_random_message(const dyn_gen *g, const ncp_schema_struct *t,
                                uint32_t segment_words);

#endif
