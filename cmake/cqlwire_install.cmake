# Install rules: the libraries, their headers, a CMake package (cqlwireConfig.cmake with a
# version file and exported targets) and a pkg-config file, so that embedders can use either
# find_package(cqlwire) or pkg-config.
include(CMakePackageConfigHelpers)

# Each library installs itself into cqlwireTargets (cqlwire_add_library); here the umbrella.
install(TARGETS cqlwire EXPORT cqlwireTargets)

set(cqlwire_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/cqlwire)
install(EXPORT cqlwireTargets NAMESPACE cqlwire:: DESTINATION ${cqlwire_cmake_dir})

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/cqlwireConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/cqlwireConfig.cmake INSTALL_DESTINATION ${cqlwire_cmake_dir})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/cqlwireConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/cqlwireConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/cqlwireConfigVersion.cmake
  DESTINATION ${cqlwire_cmake_dir})

configure_file(${CMAKE_CURRENT_LIST_DIR}/cqlwire.pc.in ${CMAKE_CURRENT_BINARY_DIR}/cqlwire.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/cqlwire.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
