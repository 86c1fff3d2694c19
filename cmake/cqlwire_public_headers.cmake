# What the installed headers may show. Two rules, each kept by the build rather than by review:
#
#   - the codec's client headers (protocol/include/cqlwire/protocol/*.hpp) declare no encoder of
#     a response or a result: those are the codec's server half, in protocol/server/, for fake
#     servers and conformance tools;
#   - transport's installed headers include neither OpenSSL nor Asio's TLS layer nor transport's
#     internal headers, and name no OpenSSL type: an application builds against cqlwire without
#     seeing OpenSSL's API, and OpenSSL stays behind tls_context and stream.
#
# Comments are not checked: a header may say which OpenSSL call it relies on.
#
# Used two ways: included, cqlwire_check_public_headers(<source dir>) fails the configure step;
# as a script (cmake -DCQLWIRE_SOURCE_DIR=<dir> -P cqlwire_public_headers.cmake), it is the ctest
# test `cqlwire_public_headers`, so that the rule also shows in the test results.

# The text of `file` without // comments, and with ";" (CMake's list separator) made a blank.
function(cqlwire_header_code file out)
  file(READ "${file}" text)
  string(REGEX REPLACE "//[^\n]*" "" text "${text}")
  string(REPLACE ";" " " text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# Appends "file: what: line" to the list named `list_var` for every line of `code` matching `regex`.
function(cqlwire_header_forbid code regex what file list_var)
  set(found "${${list_var}}")
  string(REGEX MATCHALL "[^\n]*${regex}[^\n]*" hits "${code}")
  foreach(hit IN LISTS hits)
    string(STRIP "${hit}" hit)
    list(APPEND found "${file}: ${what}: ${hit}")
  endforeach()
  set(${list_var} "${found}" PARENT_SCOPE)
endfunction()

# The problems found in the installed headers under `source_dir`, one list element each.
function(cqlwire_public_header_problems source_dir out)
  set(problems "")
  set(not_word "(^|[^A-Za-z0-9_])")
  set(end_word "([^A-Za-z0-9_]|$)")

  file(GLOB client_headers "${source_dir}/protocol/include/cqlwire/protocol/*.hpp")
  foreach(f IN LISTS client_headers)
    cqlwire_header_code("${f}" code)
    cqlwire_header_forbid("${code}"
      "${not_word}(response_frame_options|encode_(error|ready|authenticate|supported|auth_challenge|auth_success|event|schema_change|result_[a-z_]+|prepared_metadata))${end_word}"
      "a response encoder belongs in the server half (cqlwire/protocol/server/)" "${f}" problems)
  endforeach()

  file(GLOB transport_headers "${source_dir}/transport/include/cqlwire/transport/*.hpp")
  # The tls-check engine of the `cqlwire` command: on its way out of transport (to inspect/),
  # and not installed meanwhile (transport/CMakeLists.txt).
  list(FILTER transport_headers EXCLUDE REGEX "/tls_inspection\\.hpp$")
  foreach(f IN LISTS transport_headers)
    cqlwire_header_code("${f}" code)
    cqlwire_header_forbid("${code}" "#[ \t]*include[ \t]*[<\"](openssl/|boost/asio/ssl)"
      "includes OpenSSL or Asio's TLS layer (move it to transport/src or transport/internal)" "${f}" problems)
    cqlwire_header_forbid("${code}" "#[ \t]*include[ \t]*[<\"]cqlwire/transport/internal/"
      "includes an internal header, which is not installed" "${f}" problems)
    cqlwire_header_forbid("${code}"
      "${not_word}(SSL|SSL_CTX|SSL_SESSION|X509|X509_NAME|X509_STORE|X509_STORE_CTX|EVP_PKEY|BIO|OSSL_LIB_CTX)${end_word}"
      "names an OpenSSL type (hide it behind tls_context or stream)" "${f}" problems)
    cqlwire_header_forbid("${code}" "asio::ssl::"
      "names Asio's TLS layer (hide it behind stream)" "${f}" problems)
  endforeach()
  set(${out} "${problems}" PARENT_SCOPE)
endfunction()

function(cqlwire_check_public_headers source_dir)
  cqlwire_public_header_problems("${source_dir}" problems)
  if(problems)
    list(JOIN problems "\n  " text)
    message(FATAL_ERROR "installed headers break the public header rules (cmake/cqlwire_public_headers.cmake):\n  ${text}")
  endif()
endfunction()

if(CMAKE_SCRIPT_MODE_FILE AND CMAKE_SCRIPT_MODE_FILE STREQUAL CMAKE_CURRENT_LIST_FILE)
  if(NOT CQLWIRE_SOURCE_DIR)
    message(FATAL_ERROR "pass -DCQLWIRE_SOURCE_DIR=<the cqlwire source tree>")
  endif()
  cqlwire_check_public_headers("${CQLWIRE_SOURCE_DIR}")
  message(STATUS "public headers: the client's codec headers hold no server encoder; transport's show no OpenSSL")
endif()
