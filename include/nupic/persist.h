/*
 * nupic/persist.h - options shared by the save and load functions of every
 * component (nupic_sp_save, nupic_tm_write_to_file, ...).
 */
#ifndef NUPIC_PERSIST_H
#define NUPIC_PERSIST_H

#include <stdbool.h>
#include <stdint.h>

#include <nupic/ncp/reader.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A zeroed struct (or NULL) means the defaults: packed, as NuPIC's
 * writeToFile writes. */
typedef struct nupic_save_options {
    bool unpacked; /* standard framing without packing */
} nupic_save_options;

/* A zeroed struct (or NULL) means the defaults: packing detected, a
 * traversal limit of 4 times the message's size, messages up to 2 GiB. */
typedef struct nupic_load_options {
    ncp_packing packing;
    uint64_t max_message_words; /* 0: NCP_LARGE_MAX_MESSAGE_WORDS */
} nupic_load_options;

#ifdef __cplusplus
}
#endif

#endif /* NUPIC_PERSIST_H */
