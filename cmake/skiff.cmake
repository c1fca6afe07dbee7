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
  # Sanitizer and coverage runtimes live in the executable, so an
  # instrumented plugin has undefined references to them by design.
  if(NOT SKIFF_SANITIZE AND NOT SKIFF_FUZZ)
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
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/tests/unit)
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
  math(EXPR limit "${SKIFF_FUZZ_TEST_SECONDS} + 120")
  set_tests_properties(fuzz-${name} PROPERTIES TIMEOUT ${limit})
  set_property(GLOBAL APPEND PROPERTY SKIFF_FUZZERS ${name})
  # scripts/fuzz.sh reads this to run every target for longer (`make fuzz`).
  set_property(GLOBAL APPEND PROPERTY SKIFF_FUZZ_MANIFEST "${name}\t${corpus}\t${seeds}")
endfunction()

# sk_write_fuzz_manifest(): called once at the end of the top-level
# CMakeLists.txt; writes <build>/fuzz/fuzzers.list (name, corpus, seeds).
function(sk_write_fuzz_manifest)
  get_property(lines GLOBAL PROPERTY SKIFF_FUZZ_MANIFEST)
  set(text "")
  foreach(l ${lines})
    string(APPEND text "${l}\n")
  endforeach()
  file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz)
  file(WRITE ${CMAKE_BINARY_DIR}/fuzz/fuzzers.list "${text}")
endfunction()

# sk_add_bench(<name> SOURCES ... [LIBS ...])
# A benchmark executable in <build>/bench, which `make bench` runs one by
# one. Not a test: it measures, it does not judge.
function(sk_add_bench name)
  cmake_parse_arguments(B "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${B_SOURCES})
  target_link_libraries(${name} PRIVATE ${B_LIBS})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
endfunction()
