# cqlwire_add_library(NAME <name> SOURCES <file>... [DEPENDS <target>...] [PRIVATE_DEPENDS <target>...])
#
# One of the project's libraries, made the same way for each of them (protocol, auth, transport,
# inspect, ...), from the folder whose CMakeLists.txt calls it:
#   - the target cqlwire_<name> (file libcqlwire_<name>.a, or .so), alias and export name
#     cqlwire::<name>;
#   - public headers in include/ of that folder, installed as they are, plus the generated
#     cqlwire/<name>/export.hpp;
#   - DEPENDS are public dependencies (a user of the library gets them too), PRIVATE_DEPENDS
#     are not;
#   - the project's warnings, C++20 for the library and its users;
#   - static unless BUILD_SHARED_LIBS is ON. A shared library gets a SONAME from the project's
#     version (libcqlwire_<name>.so.MAJOR.MINOR: before 1.0 a minor release may change the
#     ABI, as the package's SameMinorVersion compatibility says) and exports only what its
#     headers mark CQLWIRE_<NAME>_API (export.hpp): everything else, the detail namespaces
#     included, is hidden (-fvisibility=hidden, -fvisibility-inlines-hidden);
#   - installed into the export set cqlwireTargets (cmake/cqlwire_install.cmake installs it).
include(GenerateExportHeader)

function(cqlwire_add_library)
  cmake_parse_arguments(L "" "NAME" "SOURCES;DEPENDS;PRIVATE_DEPENDS" ${ARGN})
  if(NOT L_NAME OR NOT L_SOURCES)
    message(FATAL_ERROR "cqlwire_add_library: NAME and SOURCES are required")
  endif()
  set(target cqlwire_${L_NAME})
  string(TOUPPER "${L_NAME}" upper)

  add_library(${target} ${L_SOURCES})
  add_library(cqlwire::${L_NAME} ALIAS ${target})
  set_target_properties(${target} PROPERTIES
    EXPORT_NAME ${L_NAME}
    OUTPUT_NAME ${target}
    POSITION_INDEPENDENT_CODE ON
    VERSION ${PROJECT_VERSION}
    SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR}
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)

  # CQLWIRE_<NAME>_API marks what a shared library exports; in a static build it marks the same
  # symbols, which changes nothing for a program linking the archive.
  set(generated ${CMAKE_CURRENT_BINARY_DIR}/generated_include)
  generate_export_header(${target}
    BASE_NAME cqlwire_${L_NAME}
    EXPORT_MACRO_NAME CQLWIRE_${upper}_API
    NO_EXPORT_MACRO_NAME CQLWIRE_${upper}_HIDDEN
    DEPRECATED_MACRO_NAME CQLWIRE_${upper}_DEPRECATED
    EXPORT_FILE_NAME ${generated}/cqlwire/${L_NAME}/export.hpp)

  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
    $<BUILD_INTERFACE:${generated}>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_compile_features(${target} PUBLIC cxx_std_20)
  if(L_DEPENDS)
    target_link_libraries(${target} PUBLIC ${L_DEPENDS})
  endif()
  if(L_PRIVATE_DEPENDS)
    target_link_libraries(${target} PRIVATE ${L_PRIVATE_DEPENDS})
  endif()
  cqlwire_set_warnings(${target})

  install(TARGETS ${target}
    EXPORT cqlwireTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
    RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
    INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/include/ ${generated}/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endfunction()
