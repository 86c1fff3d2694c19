-- tshark plugin for the capture test: hands decrypted TLS application data on the given port
-- to tshark's own CQL dissector. That dissector registers only in the tcp.port table (for port
-- 9042), so it is looked up there and added to the tls.port table for our port.
--   tshark -X lua_script:cql_over_tls.lua -X lua_script1:19042 ...
local port = tonumber(select(1, ...) or "9042")
local glue = Proto("cql_over_tls", "CQL inside TLS (test glue)")
function glue.init()
  local cql = DissectorTable.get("tcp.port"):get_dissector(9042)
  DissectorTable.get("tls.port"):add(port, cql)
end
