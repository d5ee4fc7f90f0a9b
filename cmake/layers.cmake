# One CMake library per layer (DESIGN.md). A layer links only to the layers below
# it; tests/layering.cmake checks that its sources include nothing from above.
set(PW_LAYER_ORDER util os expr workflow plan exec store pipeline http server deploy cli)

# pw_layer(NAME [DEPS layer...] [LIBS target...]): the library pw_NAME from every
# .cc under src/pipewright/NAME/ (recursively).
function(pw_layer name)
  cmake_parse_arguments(ARG "" "" "DEPS;LIBS" ${ARGN})
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cc)
  list(FILTER sources EXCLUDE REGEX ".*/main\\.cc$")
  if(sources)
    set(scope PUBLIC)
    add_library(pw_${name} STATIC ${sources})
  else()  # a layer with headers only (so far)
    set(scope INTERFACE)
    add_library(pw_${name} INTERFACE)
  endif()
  target_include_directories(pw_${name} ${scope} ${PROJECT_SOURCE_DIR}/src)
  foreach(dep IN LISTS ARG_DEPS)
    target_link_libraries(pw_${name} ${scope} pw_${dep})
  endforeach()
  target_link_libraries(pw_${name} ${scope} ${ARG_LIBS})
endfunction()
