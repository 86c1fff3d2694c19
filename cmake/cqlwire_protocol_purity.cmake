# protocol/ is a codec with no I/O: it may include nothing but the standard library and itself.
# Checked at configure time so that a stray Asio or OpenSSL include fails the build at once,
# before anyone links against it.
function(cqlwire_check_protocol_purity dir)
  file(GLOB_RECURSE files CONFIGURE_DEPENDS "${dir}/*.hpp" "${dir}/*.cpp")
  foreach(f IN LISTS files)
    file(STRINGS "${f}" bad REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"](boost/|asio|openssl/)")
    if(bad)
      message(FATAL_ERROR "protocol/ must not include Asio, Boost or OpenSSL: ${f}: ${bad}")
    endif()
  endforeach()
endfunction()
