# sk_add_plugin(<name> SOURCES ... [LIBS ...])
# Builds <name>.so exporting only sk_plugin_entry_v1, with no undefined
# symbols, into the plugin directory next to the skiff binary.
function(sk_add_plugin name)
  cmake_parse_arguments(P "" "" "SOURCES;LIBS" ${ARGN})
  add_library(${name} MODULE ${P_SOURCES})
  set_target_properties(${name} PROPERTIES
    PREFIX "" C_VISIBILITY_PRESET hidden
    LIBRARY_OUTPUT_DIRECTORY ${SKIFF_PLUGIN_OUTPUT_DIR})
  target_link_libraries(${name} PRIVATE skiff-sdk ${P_LIBS})
  if(NOT SKIFF_SANITIZE)
    target_link_options(${name} PRIVATE -Wl,--no-undefined)
  endif()
  install(TARGETS ${name} LIBRARY DESTINATION ${SKIFF_PLUGIN_INSTALL_DIR})
endfunction()

# sk_add_test_plugin(<name> SOURCES ...): like sk_add_plugin, not installed,
# built into <build>/tests/plugins for the tests' fixtures.
function(sk_add_test_plugin name)
  cmake_parse_arguments(P "" "" "SOURCES;LIBS" ${ARGN})
  add_library(${name} MODULE ${P_SOURCES})
  set_target_properties(${name} PROPERTIES
    PREFIX "" C_VISIBILITY_PRESET hidden
    LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/plugins)
  target_link_libraries(${name} PRIVATE skiff-sdk ${P_LIBS})
endfunction()

# sk_add_unit_test(<name> SOURCES ... [LIBS ...] [TIMEOUT s])
# One CUnit executable per suite, each its own CTest test.
function(sk_add_unit_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE PkgConfig::CUNIT ${T_LIBS})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  add_test(NAME ${name} COMMAND ${name})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  set_tests_properties(${name} PROPERTIES TIMEOUT ${T_TIMEOUT}
    ENVIRONMENT "SKIFF_BUILD_DIR=${CMAKE_BINARY_DIR};SKIFF_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
endfunction()

# sk_add_fuzzer(<name> SOURCES ... [LIBS ...] [CORPUS dir])
# A libFuzzer target (clang, SKIFF_FUZZ=ON only). `make test` runs each one
# briefly through CTest; `make fuzz` runs them longer (SKIFF_FUZZ_SECONDS).
function(sk_add_fuzzer name)
  if(NOT SKIFF_FUZZ)
    return()
  endif()
  cmake_parse_arguments(F "" "CORPUS" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${F_SOURCES})
  target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  target_link_libraries(${name} PRIVATE ${F_LIBS})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz)
  set(corpus ${CMAKE_BINARY_DIR}/fuzz/${name}-corpus)
  file(MAKE_DIRECTORY ${corpus})
  set(seeds "")
  if(F_CORPUS)
    set(seeds ${F_CORPUS})
  endif()
  if(NOT DEFINED SKIFF_FUZZ_TEST_SECONDS)
    set(SKIFF_FUZZ_TEST_SECONDS 15)
  endif()
  # -malloc_limit_mb catches an allocation sized by a hostile length field.
  add_test(NAME fuzz-${name}
    COMMAND ${name} -max_total_time=${SKIFF_FUZZ_TEST_SECONDS} -rss_limit_mb=1024
            -malloc_limit_mb=256 -timeout=10 ${corpus} ${seeds})
  set_tests_properties(fuzz-${name} PROPERTIES TIMEOUT 300)
  set_property(GLOBAL APPEND PROPERTY SKIFF_FUZZERS ${name})
endfunction()
