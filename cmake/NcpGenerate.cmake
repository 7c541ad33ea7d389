# ncp_generate(<target> SCHEMAS <file.capnp>... SRC_PREFIX <dir>
#              [IMPORT_PATH <dir>...] [OUTPUT_DIR <dir>])
#
# Generates C for each schema with capnpc-c at build time (never committed)
# and builds it into the static library <target>, whose users get the
# generated headers on their include path:
#   #include "nupic/proto/SpatialPoolerProto.capnp.h"
# SRC_PREFIX is stripped from the schema paths to name the outputs (and must
# match how other schemas import them); IMPORT_PATH is passed as -I.  The
# schemas' doc comments are copied into the headers (CAPNPC_C_DOCS=1).
find_program(NCP_CAPNP_TOOL capnp)

function(ncp_generate target)
  cmake_parse_arguments(G "" "SRC_PREFIX;OUTPUT_DIR" "SCHEMAS;IMPORT_PATH" ${ARGN})
  if(NOT NCP_CAPNP_TOOL)
    message(FATAL_ERROR "ncp_generate: the schema compiler `capnp` (Debian package capnproto) was not found")
  endif()
  if(NOT G_OUTPUT_DIR)
    set(G_OUTPUT_DIR ${CMAKE_CURRENT_BINARY_DIR}/gen)
  endif()
  set(imports)
  foreach(dir ${G_IMPORT_PATH})
    list(APPEND imports -I${dir})
  endforeach()
  set(sources)
  foreach(schema ${G_SCHEMAS})
    get_filename_component(abs ${schema} ABSOLUTE)
    file(RELATIVE_PATH rel ${G_SRC_PREFIX} ${abs})
    set(h ${G_OUTPUT_DIR}/${rel}.h)
    set(c ${G_OUTPUT_DIR}/${rel}.c)
    add_custom_command(
      OUTPUT ${h} ${c}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${G_OUTPUT_DIR}
      COMMAND ${CMAKE_COMMAND} -E env CAPNPC_C_DOCS=1
              ${NCP_CAPNP_TOOL} compile -o$<TARGET_FILE:capnpc-c>:${G_OUTPUT_DIR}
              --src-prefix=${G_SRC_PREFIX} ${imports} ${abs}
      DEPENDS ${abs} ${G_SCHEMAS} capnpc-c
      COMMENT "capnpc-c ${rel}"
      VERBATIM)
    list(APPEND sources ${c})
  endforeach()
  add_library(${target} STATIC ${sources})
  target_include_directories(${target} PUBLIC ${G_OUTPUT_DIR})
  target_link_libraries(${target} PUBLIC nupic_ncp PRIVATE nupic_build_flags)
endfunction()
