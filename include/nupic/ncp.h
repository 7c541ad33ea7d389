/*
 * nupic/ncp.h - the ncp Cap'n Proto runtime (umbrella header).
 *
 *   base.h     status codes, errors, allocator hook, byte order helpers
 *   reader.h   zero-copy, bounds-checked reading
 *   builder.h  building messages in an arena of segments
 *   io.h       framing, packing, memory / FILE* / descriptor / path / mmap
 *   schema.h   reflection tables, as generated code publishes them
 *   dynamic.h  walking any message by its tables: JSON and text printing,
 *              deep equality, validation
 */
#ifndef NUPIC_NCP_H
#define NUPIC_NCP_H

#include "ncp/base.h"
#include "ncp/builder.h"
#include "ncp/dynamic.h"
#include "ncp/io.h"
#include "ncp/reader.h"
#include "ncp/schema.h"

#endif /* NUPIC_NCP_H */
