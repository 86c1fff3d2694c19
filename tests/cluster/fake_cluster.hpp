// A cluster of fake nodes for the session tests: each node is a fake_cql_server on 127.0.0.1
// with a port of its own, answering the control connection's queries (system.local, its peers in
// system.peers_v2, system_schema.keyspaces) from a shared description of the ring, and the test
// query `SELECT who` with its own name. What a real cluster cannot be made to do on demand —
// a node answering OVERLOADED, peers rows that lie — is scripted per node.
#pragma once

#include <array>
#include <chrono>
#include <atomic>
#include <mutex>
#include <optional>
#include <set>
#include <memory>
#include <string>
#include <vector>

#include "cqlwire/protocol/byte_writer.hpp"
#include "cqlwire/protocol/server/encode_responses.hpp"
#include "cqlwire/protocol/server/encode_results.hpp"
#include "fake_cql_server.hpp"
#include "pki/test_pki.hpp"

namespace cqlwire::test {

struct fake_node_description {
    std::string name;  // answered to `SELECT who`
    std::string datacenter = "dc1";
    std::string rack = "rack1";
    protocol::uuid host_id{};
    std::vector<std::string> tokens;
    // Overrides of what the node's peers rows say about it (to make them lie).
    bool omit_from_peers = false;
    std::optional<std::string> advertised_address;  // default 127.0.0.1
    std::optional<int> advertised_port;             // default: the node's real port
    // Non-empty: the node speaks TLS with this certificate of the test PKI (e.g. "server.crt",
    // "dns-only.crt", "wrong-name.crt"; the key is the matching .key).
    std::string certificate;
    // Non-empty: the node asks for a password login (PasswordAuthenticator) and takes this one
    // for the user "app".
    std::string password;
};

// A node named `name` (its answer to `SELECT who`) with one token, in dc1 / rack1.
inline fake_node_description fake_node(std::string name, std::string token) {
    fake_node_description d;
    d.name = std::move(name);
    d.tokens = {std::move(token)};
    return d;
}

// Nodes a, b and c, their tokens spread over the ring.
inline std::vector<fake_node_description> three_fake_nodes() {
    return {fake_node("a", "-6000000000000000000"), fake_node("b", "0"), fake_node("c", "6000000000000000000")};
}

class fake_cluster {
public:
    static constexpr std::string_view who_query = "SELECT who";

    explicit fake_cluster(std::vector<fake_node_description> nodes) : descriptions_(std::move(nodes)) {
        for (std::size_t i = 0; i < descriptions_.size(); ++i) {
            if (descriptions_[i].host_id == protocol::uuid{}) descriptions_[i].host_id.bytes[15] = static_cast<std::uint8_t>(i + 1);
            fake_cql_server::options o;
            if (const auto& cert = descriptions_[i].certificate; !cert.empty()) {
                const auto& pki = test_pki::instance();
                fake_cql_server::tls_settings tls;
                tls.certificate_chain_file = pki.path(cert);
                tls.private_key_file = pki.path(cert.substr(0, cert.size() - 4) + ".key");
                o.tls = tls;
            }
            if (!descriptions_[i].password.empty()) {
                o.authenticator_class = "org.apache.cassandra.auth.PasswordAuthenticator";
                o.username = "app";
                o.password = descriptions_[i].password;
            }
            servers_.push_back(std::make_unique<fake_cql_server>(o));
            answered_.push_back(std::make_unique<std::atomic<int>>(0));
        }
        for (const auto& srv : servers_) ports_.push_back(srv->port());
        for (std::size_t i = 0; i < servers_.size(); ++i) script(i);
    }

    // The servers go first: their threads run the scripts, which read every member below.
    ~fake_cluster() { servers_.clear(); }
    fake_cluster(const fake_cluster&) = delete;
    fake_cluster& operator=(const fake_cluster&) = delete;

    std::size_t size() const noexcept { return servers_.size(); }
    fake_cql_server& server(std::size_t i) { return *servers_[i]; }
    std::uint16_t port(std::size_t i) const { return ports_[i]; }  // also once killed
    int answered(std::size_t i) const { return answered_[i]->load(); }
    // Stops node i for good: its listener and its connections close.
    void kill(std::size_t i) { servers_[i].reset(); }
    // Node i answers `SELECT who` with this ERROR code from now on (0: answers normally).
    void fail_who_with(std::size_t i, std::int32_t code) { who_error_[i] = code; }
    // Node i answers `SELECT who` with this ERROR, details included (e.g. a read timeout's
    // received/block_for), `times` times, then normally again.
    void fail_who_with_error(std::size_t i, const protocol::error_view& e, int times) {
        std::vector<std::uint8_t> frame;
        (void)protocol::encode_error(frame, protocol::response_frame_options{}, e);
        std::lock_guard lock(registered_mutex_);
        scripted_errors_[i] = {std::move(frame), times};
    }
    // Node i waits this long before answering `SELECT who`.
    void delay_who(std::size_t i, std::chrono::milliseconds d) { who_delay_ms_[i] = static_cast<int>(d.count()); }
    // Columns every node leaves out of its system.peers_v2 rows (a server that lies, or is old).
    void omit_peer_columns(std::set<std::string> names) { omitted_columns_ = std::move(names); }

    // Sends an EVENT to every connection that REGISTERed on node i (the control connection).
    void push_event(std::size_t i, const protocol::event_view& e) {
        std::vector<std::uint8_t> frame;
        protocol::response_frame_options options;
        options.stream = -1;
        (void)protocol::encode_event(frame, options, e);
        std::lock_guard lock(registered_mutex_);
        for (const auto& weak : registered_[i])
            if (auto session = weak.lock()) session->send_raw(frame);
    }
    // A STATUS_CHANGE or TOPOLOGY_CHANGE about node k.
    protocol::event_view node_event(protocol::event_type type, std::string_view change, std::size_t k) const {
        protocol::event_view e;
        e.type = type;
        e.change = change;
        e.address.address = *protocol::parse_inet_address("127.0.0.1");
        e.address.port = ports_[k];
        return e;
    }

    static protocol::uuid uuid_of(std::uint8_t last) {
        protocol::uuid u;
        u.bytes[15] = last;
        return u;
    }

private:
    static std::vector<std::uint8_t> text_set(const std::vector<std::string>& items) {
        std::vector<std::uint8_t> out;
        protocol::byte_writer w(out);
        w.write_int(static_cast<std::int32_t>(items.size()));
        for (const auto& t : items) w.write_bytes(protocol::as_bytes(t));
        return out;
    }
    static std::vector<std::uint8_t> int_bytes(std::int32_t v) {
        std::vector<std::uint8_t> out;
        protocol::byte_writer w(out);
        w.write_int(v);
        return out;
    }
    static std::vector<std::uint8_t> inet_bytes(const std::string& text) {
        const auto a = protocol::parse_inet_address(text);
        return {a->bytes.begin(), a->bytes.begin() + a->size};
    }

    static void reply_rows(fake_session& s, const fake_request& r, const protocol::result_metadata& m,
                           const std::vector<std::vector<std::uint8_t>>& storage) {
        std::vector<protocol::raw_value> cells;
        for (const auto& b : storage) cells.push_back(protocol::raw_value::of(b));
        std::vector<std::uint8_t> out;
        protocol::response_frame_options frame;
        frame.stream = r.header.stream;
        (void)protocol::encode_result_rows(out, frame, m, cells);
        s.send_raw(std::move(out));
    }

    void script(std::size_t i) {
        using protocol::data_type;
        using protocol::type_kind;
        const auto text = data_type::of(type_kind::varchar);
        const auto uuid = data_type::of(type_kind::uuid);
        const auto inet = data_type::of(type_kind::inet);
        const auto int_ = data_type::of(type_kind::int_);
        auto& srv = *servers_[i];
        srv.on_opcode(protocol::opcode::register_, [this, i](fake_session& s, const fake_request& r) {
            {
                std::lock_guard lock(registered_mutex_);
                registered_[i].push_back(s.weak_from_this());
            }
            s.send_raw(fake_cql_server::ready_frame(r.header.stream));
        });
        srv.on_query("SELECT * FROM system.local", [this, i, text, uuid](fake_session& s, const fake_request& r) {
            protocol::result_metadata m;
            for (auto [name, type] : {std::pair{"host_id", uuid}, {"data_center", text}, {"rack", text},
                                      {"release_version", text}, {"tokens", data_type::set_of(text)}})
                m.columns.push_back({"system", "local", name, type});
            m.column_count = static_cast<std::int32_t>(m.columns.size());
            const auto& d = descriptions_[i];
            reply_rows(s, r, m,
                       {std::vector<std::uint8_t>(d.host_id.bytes.begin(), d.host_id.bytes.end()),
                        {d.datacenter.begin(), d.datacenter.end()},
                        {d.rack.begin(), d.rack.end()},
                        {'5', '.', '0', '.', '2'},
                        text_set(d.tokens)});
        });
        srv.on_query("SELECT * FROM system.peers_v2", [this, i, text, uuid, inet, int_](fake_session& s,
                                                                                         const fake_request& r) {
            protocol::result_metadata m;
            for (auto [name, type] : {std::pair{"peer", inet}, {"peer_port", int_}, {"native_address", inet},
                                      {"native_port", int_}, {"host_id", uuid}, {"data_center", text},
                                      {"rack", text}, {"release_version", text},
                                      {"tokens", data_type::set_of(text)}})
                m.columns.push_back({"system", "peers_v2", name, type});
            std::vector<bool> kept;
            protocol::result_metadata shown;
            for (const auto& column : m.columns) {
                kept.push_back(omitted_columns_.count(column.name) == 0);
                if (kept.back()) shown.columns.push_back(column);
            }
            shown.column_count = static_cast<std::int32_t>(shown.columns.size());
            std::vector<std::vector<std::uint8_t>> cells;
            for (std::size_t k = 0; k < descriptions_.size(); ++k) {
                const auto& d = descriptions_[k];
                if (k == i || d.omit_from_peers) continue;
                const auto address = inet_bytes(d.advertised_address.value_or("127.0.0.1"));
                std::vector<std::vector<std::uint8_t>> row;
                row.push_back(address);
                row.push_back(int_bytes(7000));
                row.push_back(address);
                row.push_back(int_bytes(d.advertised_port.value_or(port_or_zero(k))));
                row.emplace_back(d.host_id.bytes.begin(), d.host_id.bytes.end());
                row.emplace_back(d.datacenter.begin(), d.datacenter.end());
                row.emplace_back(d.rack.begin(), d.rack.end());
                row.push_back({'5', '.', '0', '.', '2'});
                row.push_back(text_set(d.tokens));
                for (std::size_t c = 0; c < row.size(); ++c)
                    if (kept[c]) cells.push_back(std::move(row[c]));
            }
            reply_rows(s, r, shown, cells);
        });
        srv.on_query("SELECT keyspace_name, replication FROM system_schema.keyspaces",
                     [text](fake_session& s, const fake_request& r) {
                         protocol::result_metadata m;
                         m.columns.push_back({"system_schema", "keyspaces", "keyspace_name", text});
                         m.columns.push_back({"system_schema", "keyspaces", "replication", data_type::map_of(text, text)});
                         m.column_count = 2;
                         std::vector<std::uint8_t> map;
                         {
                             protocol::byte_writer w(map);
                             w.write_int(2);
                             w.write_bytes(protocol::as_bytes("class"));
                             w.write_bytes(protocol::as_bytes("org.apache.cassandra.locator.SimpleStrategy"));
                             w.write_bytes(protocol::as_bytes("replication_factor"));
                             w.write_bytes(protocol::as_bytes("1"));
                         }
                         reply_rows(s, r, m, {{'k', 's'}, map});
                     });
        srv.on_query(std::string(who_query), [this, i](fake_session& s, const fake_request& r) {
            {
                std::lock_guard lock(registered_mutex_);
                auto& scripted = scripted_errors_[i];
                if (scripted.second > 0) {
                    --scripted.second;
                    auto frame = scripted.first;
                    // The stream id sits at bytes 2..3 of the header.
                    frame[2] = static_cast<std::uint8_t>(static_cast<std::uint16_t>(r.header.stream) >> 8);
                    frame[3] = static_cast<std::uint8_t>(r.header.stream & 0xff);
                    s.send_raw(std::move(frame));
                    return;
                }
            }
            if (const int delay = who_delay_ms_[i].load(); delay > 0) {
                ++*answered_[i];
                s.send_after(std::chrono::milliseconds(delay),
                             fake_cql_server::single_text_row_frame(r.header.stream, descriptions_[i].name));
                return;
            }
            if (const int code = who_error_[i].load(); code != 0) {
                s.send_raw(fake_cql_server::error_frame(r.header.stream, code, "scripted failure"));
                return;
            }
            ++*answered_[i];
            s.send_raw(fake_cql_server::single_text_row_frame(r.header.stream, descriptions_[i].name));
        });
    }

    int port_or_zero(std::size_t k) const { return ports_[k]; }

    std::vector<fake_node_description> descriptions_;
    std::vector<std::unique_ptr<fake_cql_server>> servers_;
    std::vector<std::unique_ptr<std::atomic<int>>> answered_;
    std::vector<std::uint16_t> ports_;  // kept: a killed node's peers still name its port
    std::array<std::atomic<std::int32_t>, 8> who_error_{};
    std::set<std::string> omitted_columns_;  // set before clients connect
    std::array<std::pair<std::vector<std::uint8_t>, int>, 8> scripted_errors_{};  // under registered_mutex_
    std::array<std::atomic<int>, 8> who_delay_ms_{};
    std::mutex registered_mutex_;
    std::array<std::vector<std::weak_ptr<fake_session>>, 8> registered_;
};

}  // namespace cqlwire::test
