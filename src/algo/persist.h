/*
 * src/algo/persist.h - saving and loading a component as one message:
 * the plumbing every component's *_write_to_file, *_save, ... shares.
 */
#ifndef NUPIC_ALGO_PERSIST_H
#define NUPIC_ALGO_PERSIST_H

#include <stdio.h>

#include <nupic/ncp.h>
#include <nupic/persist.h>
#include <nupic/status.h>

/* Builds the component's message at the builder's root. */
/* The reader options of every load: packing and the message size limit from
 * o (NULL: the defaults of nupic_load_options), a traversal limit of 4 words
 * per message word.  Tests and fuzzers open messages with these too. */
ncp_read_options persist_read_options(const nupic_load_options *o);

typedef nupic_status (*persist_writer)(const void *obj, ncp_builder *b,
                                       nupic_error *err);
/* Reads a component from a message; *out receives a new object. */
typedef nupic_status (*persist_reader)(ncp_msg *m, void **out,
                                       nupic_error *err);

/* size_words: an estimate of the message's size, so that it fits in one
 * segment. */
nupic_status persist_to_file(const void *obj, persist_writer w,
                             uint64_t size_words, FILE *f,
                             const nupic_save_options *o, nupic_error *err);
nupic_status persist_to_path(const void *obj, persist_writer w,
                             uint64_t size_words, const char *path,
                             const nupic_save_options *o, nupic_error *err);
nupic_status persist_to_mem(const void *obj, persist_writer w,
                            uint64_t size_words, void **buf, size_t *len,
                            const nupic_save_options *o, nupic_error *err);

nupic_status persist_from_file(FILE *f, persist_reader r,
                               const nupic_load_options *o, void **out,
                               nupic_error *err);
nupic_status persist_from_path(const char *path, persist_reader r,
                               const nupic_load_options *o, void **out,
                               nupic_error *err);
nupic_status persist_from_mem(const void *buf, size_t len, persist_reader r,
                              const nupic_load_options *o, void **out,
                              nupic_error *err);

/* The message alone, opened with the load options' limits, for readers
 * that need more than persist_reader passes; the caller frees it. */
nupic_status persist_open_file(FILE *f, const nupic_load_options *o,
                               ncp_msg **m, nupic_error *err);
nupic_status persist_open_path(const char *path, const nupic_load_options *o,
                               ncp_msg **m, nupic_error *err);
nupic_status persist_open_mem(const void *buf, size_t len,
                              const nupic_load_options *o, ncp_msg **m,
                              nupic_error *err);

#endif /* NUPIC_ALGO_PERSIST_H */
