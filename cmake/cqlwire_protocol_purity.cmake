# protocol/ is a codec with no I/O: it may include nothing but the standard library and itself —
# no Asio, Boost or OpenSSL, and none of the cqlwire libraries built on top of it (auth,
# transport, inspect, cluster), so that the layers keep pointing one way. Checked at configure
# time so that a stray include fails the build at once, before anyone links against it.
function(cqlwire_check_protocol_purity dir)
  file(GLOB_RECURSE files CONFIGURE_DEPENDS "${dir}/*.hpp" "${dir}/*.cpp")
  foreach(f IN LISTS files)
    file(STRINGS "${f}" bad REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"](boost/|asio|openssl/)")
    if(bad)
      message(FATAL_ERROR "protocol/ must not include Asio, Boost or OpenSSL: ${f}: ${bad}")
    endif()
    file(STRINGS "${f}" upward REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]cqlwire/(auth|transport|inspect|cluster)/")
    if(upward)
      message(FATAL_ERROR
              "protocol/ must not include a cqlwire library above it (auth, transport, inspect, cluster): ${f}: ${upward}")
    endif()
  endforeach()
endfunction()
