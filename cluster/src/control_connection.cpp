// The control connection: start-up from the contact points, discovery from the system tables,
// the server's events, and moving to another node when its node dies.
#include <algorithm>
#include <set>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>

#include "cqlwire/cluster/errc.hpp"
#include "cqlwire/protocol/endpoint_text.hpp"
#include "cqlwire/protocol/errc.hpp"
#include "cqlwire/transport/errc.hpp"
#include "cqlwire/protocol/values.hpp"
#include "quoted_text.hpp"
#include "session_impl.hpp"

namespace asio = boost::asio;

namespace cqlwire::cluster {
namespace {

// How often the control connection is looked at for a failure.
constexpr std::chrono::milliseconds control_watch_interval{250};
// Topology and schema events come in bursts (a node joining sends several): one refresh for a
// burst.
constexpr std::chrono::milliseconds refresh_debounce{200};


using rows_handler = std::function<void(std::error_code, transport::query_result, const protocol::diagnostics&)>;

// A refusal of the credentials or of the certificate's identity: every node would say the same.
bool is_login_refusal(std::error_code ec) {
    using transport::errc;
    return ec == errc::authentication_failed || ec == errc::credentials_required ||
           ec == errc::authenticator_not_allowed || ec == errc::certificate_login_refused ||
           ec == errc::certificate_login_needs_certificate;
}

}  // namespace

void session_impl::start(ready_handler ready) {
    std::vector<control_target> targets;
    for (const auto& point : options.contact_points) targets.push_back({point, 0});
    try_control(std::move(targets), 0, std::make_shared<control_tried>(), std::move(ready));
}

void session_impl::try_control(std::vector<control_target> targets, std::size_t next,
                               std::shared_ptr<control_tried> failures, ready_handler done) {
    if (closed) {
        protocol::diagnostics diag;
        diag.set_client_message("the session was closed while connecting");
        return done(make_error_code(errc::session_closed), diag);
    }
    if (next >= targets.size()) {
        protocol::diagnostics diag;
        // A node reached refused the login: that is what to fix, whatever the others did (the
        // unreachable ones would have refused it too).
        if (failures->login_error) {
            diag.set_client_message((failures->only_login ? "every node tried refused the login: "
                                                          : "the login was refused (other nodes were not reached): ") +
                                    failures->text);
            return done(failures->login_error, diag);
        }
        diag.set_client_message("no node answered: " + failures->text);
        return done(make_error_code(errc::no_node_reachable), diag);
    }
    const auto target = targets[next];
    node_info info;
    std::string name;
    if (target.point) {
        name = protocol::endpoint_text(target.point->host, target.point->port);
    } else {
        info = nodes[target.node]->info;
        name = endpoint_text(info.address);
    }
    open_connection(
        info, target.point.has_value(), target.point ? &*target.point : nullptr,
        [this, targets = std::move(targets), next, failures, done = std::move(done), name](
            std::error_code ec, std::shared_ptr<connection_opening> opening) mutable {
            // A target that fails — at connecting, logging in, registering or reading the
            // tables — is named, and the next one is tried.
            auto failed = [this, failures, name, is_point = targets[next].point.has_value()](
                              std::error_code e, const protocol::diagnostics& d) {
                const auto why = explain(e, d);
                if (!failures->text.empty()) failures->text += "; ";
                failures->text += name + ": " + why;
                if (is_login_refusal(e)) failures->login_error = e;
                else failures->only_login = false;
                if (is_point) report_text(node_report::kind::contact_point_failed, name, why);
            };
            if (ec) {
                if (opening->conn) opening->conn->close();
                failed(ec, opening->diag);
                return try_control(std::move(targets), next + 1, failures, std::move(done));
            }
            auto link = std::make_shared<control_link>(std::move(*opening->conn));
            link->remote = opening->remote;
            on_control_open(std::move(link), [this, targets = std::move(targets), next, failures, done = std::move(done),
                                              failed](std::error_code open_ec, const protocol::diagnostics& d) mutable {
                if (!open_ec || open_ec == errc::session_closed) return done(open_ec, d);
                failed(open_ec, d);
                try_control(std::move(targets), next + 1, failures, std::move(done));
            });
        });
}

// Runs one query on the control connection; the handler runs on the session's strand.
static void control_query(session_impl& s, const std::shared_ptr<control_link>& link, std::string cql,
                          rows_handler done) {
    auto diag = std::make_shared<protocol::diagnostics>();
    transport::statement st(std::move(cql));
    link->client.async_execute(
        st, *diag,
        asio::bind_executor(s.strand, [link, diag, done = std::move(done)](std::error_code ec,
                                                                           transport::query_result r) {
            done(ec, std::move(r), *diag);
        }));
}

void session_impl::on_control_open(std::shared_ptr<control_link> link, ready_handler done) {
    if (closed) {
        link->conn.close();
        protocol::diagnostics diag;
        diag.set_client_message("the session was closed while connecting");
        return done(make_error_code(errc::session_closed), diag);
    }
    control = link;
    control_connecting = false;
    control_failures = 0;
    // Events arrive through the connection's event handler, on the session's strand (which the
    // connection shares). It holds the session and the link weakly: the session owns the link.
    link->conn.set_event_handler([weak_self = weak_from_this(), weak_link = std::weak_ptr<control_link>(link)](
                                     transport::response r) {
        const auto self = weak_self.lock();
        const auto held = weak_link.lock();
        if (!self || !held || self->closed || self->control != held) return;
        transport::cluster_event event;
        if (transport::decode_cluster_event(r, event)) {
            // An EVENT that does not decode: what it said is read again from the tables.
            self->schedule_refresh(refresh_debounce);
            return;
        }
        self->on_event(event);
    });
    // Register first, so that nothing that happens while the tables are read is missed.
    auto reg_diag = std::make_shared<protocol::diagnostics>();
    auto encode = [](std::vector<std::uint8_t>& out) {
        static constexpr std::string_view types[] = {"TOPOLOGY_CHANGE", "STATUS_CHANGE", "SCHEMA_CHANGE"};
        return protocol::encode_register(out, protocol::request_frame_options{}, types);
    };
    link->conn.async_request(
        encode, transport::request_options{},
        asio::bind_executor(strand, [this, self = shared_from_this(), link, reg_diag, done = std::move(done)](
                                        std::error_code ec, transport::response r) mutable {
            if (!ec && r.op() != protocol::opcode::ready) {
                reg_diag->set_client_message("the server answered REGISTER with something other than READY");
                ec = make_error_code(transport::errc::protocol_violation);
            } else if (ec && !r.empty() && r.op() == protocol::opcode::error) {
                ec = transport::server_error(r, *reg_diag);  // the server's own refusal, with its message
            }
            if (ec) {
                if (control == link) control.reset();
                link->conn.close();
                return done(ec, *reg_diag);
            }
            refresh_topology([this, self, link, done = std::move(done)](std::error_code refresh_ec,
                                                                        const protocol::diagnostics& diag) {
                if (refresh_ec) {
                    if (control == link) control.reset();
                    link->conn.close();
                    return done(refresh_ec, diag);
                }
                watch_control(link);
                done({}, diag);
            });
        }));
}

void session_impl::refresh_topology(std::function<void(std::error_code, const protocol::diagnostics&)> done) {
    auto link = control;
    if (!link) {
        protocol::diagnostics diag;
        diag.set_client_message("no control connection");
        return done(make_error_code(errc::no_node_available), diag);
    }
    struct reads {
        topology_read local, peers;
        std::map<std::string, std::map<std::string, std::string>> keyspaces;
    };
    auto r = std::make_shared<reads>();
    auto fail = [done](std::string what, std::error_code ec, const protocol::diagnostics& diag) {
        protocol::diagnostics out;
        out.set_client_message(what + ": " + explain(ec, diag));
        done(ec, out);
    };
    const auto port = link->remote.port();
    control_query(*this, link, "SELECT * FROM system.local", [=, this](std::error_code ec, transport::query_result local,
                                                                        const protocol::diagnostics& d1) {
        if (ec) return fail("reading system.local", ec, d1);
        read_topology_rows(local, peers_table::local, port, r->local);
        if (r->local.nodes.empty()) {
            protocol::diagnostics out;
            out.set_client_message("system.local gave no usable row" +
                                   (r->local.problems.empty() ? std::string() : ": " + r->local.problems.front()));
            return done(make_error_code(errc::bad_topology), out);
        }
        auto read_keyspaces = [=, this] {
            control_query(*this, link, "SELECT keyspace_name, replication FROM system_schema.keyspaces",
                          [=, this](std::error_code ec3, transport::query_result ks, const protocol::diagnostics& d3) {
                              if (ec3) return fail("reading system_schema.keyspaces", ec3, d3);
                              std::vector<std::string> problems;
                              read_keyspace_rows(ks, r->keyspaces, problems);
                              for (auto& p : problems) r->peers.problems.push_back(std::move(p));
                              if (closed) return;
                              apply_topology(std::move(r->local), std::move(r->peers), std::move(r->keyspaces));
                              done({}, protocol::diagnostics{});
                          });
        };
        control_query(*this, link, "SELECT * FROM system.peers_v2",
                      [=, this](std::error_code ec2, transport::query_result peers, const protocol::diagnostics& d2) {
                          if (!ec2) {
                              read_topology_rows(peers, peers_table::peers_v2, port, r->peers);
                              return read_keyspaces();
                          }
                          // Servers before 4.0 have no peers_v2: the server says the table is unknown.
                          if (ec2 != protocol::server_errc::invalid) return fail("reading system.peers_v2", ec2, d2);
                          control_query(*this, link, "SELECT * FROM system.peers",
                                        [=](std::error_code ec4, transport::query_result old_peers,
                                            const protocol::diagnostics& d4) {
                                            if (ec4) return fail("reading system.peers", ec4, d4);
                                            read_topology_rows(old_peers, peers_table::peers, port, r->peers);
                                            read_keyspaces();
                                        });
                      });
    });
}

void session_impl::apply_topology(topology_read local, topology_read peers,
                                  std::map<std::string, std::map<std::string, std::string>> keyspace_rows) {
    for (const auto& problem : local.problems) report_text(node_report::kind::peer_ignored, endpoint_text(control->remote), problem);
    for (const auto& problem : peers.problems) report_text(node_report::kind::peer_ignored, endpoint_text(control->remote), problem);

    // The control node's own row: it is dialed where the control connection went.
    auto& me = local.nodes.front();
    me.advertised = control->remote;
    std::vector<discovered_node> all;
    all.push_back(std::move(me));
    for (auto& p : peers.nodes) all.push_back(std::move(p));

    std::vector<bool> seen(nodes.size(), false);
    std::vector<boost::asio::ip::tcp::endpoint> addresses;
    for (auto& d : all) {
        auto address = *d.advertised;
        if (options.translate_address && &d != &all.front()) address = options.translate_address(address);
        const bool duplicate_id = std::any_of(all.begin(), all.begin() + (&d - all.data()),
                                              [&](const discovered_node& o) { return o.host_id == d.host_id; });
        if (duplicate_id || std::find(addresses.begin(), addresses.end(), address) != addresses.end()) {
            report_text(node_report::kind::peer_ignored, endpoint_text(address),
                        "another row already has " + std::string(duplicate_id ? "this host id" : "this address") +
                            " (host " + protocol::to_string(d.host_id) + "): the row is ignored");
            continue;
        }
        addresses.push_back(address);
        const auto existing = std::find_if(nodes.begin(), nodes.end(), [&](const auto& n) {
            return n->info.host_id == d.host_id && n->info.state != node_state::removed;
        });
        node_entry* entry = nullptr;
        if (existing != nodes.end()) {
            entry = existing->get();
            seen[static_cast<std::size_t>(existing - nodes.begin())] = true;
            if (entry->info.address != address) {
                // The node moved: its connections go to the old address.
                for (auto& pc : entry->connections) pc->conn.close();
                entry->connections.clear();
                entry->info.address = address;
                if (entry->info.state == node_state::up) entry->info.state = node_state::down;
            }
        } else if (const auto same_address = std::find_if(nodes.begin(), nodes.end(),
                                                          [&](const auto& n) { return n->info.address == address; });
                   same_address != nodes.end()) {
            // Another host id at a known address (a node replaced, or a server that lies): the
            // same entry, so that the list stays one entry per address.
            entry = same_address->get();
            seen[static_cast<std::size_t>(same_address - nodes.begin())] = true;
            entry->info.host_id = d.host_id;
            if (entry->info.state == node_state::removed) {
                entry->info.state = node_state::unknown;
                report(node_report::kind::added, address, {});
            }
        } else {
            nodes.push_back(std::make_unique<node_entry>(executor));
            seen.push_back(true);
            entry = nodes.back().get();
            entry->info.address = address;
            entry->info.host_id = d.host_id;
            report(node_report::kind::added, address, {});
        }
        entry->info.advertised = *d.advertised;
        entry->info.datacenter = std::move(d.datacenter);
        entry->info.rack = std::move(d.rack);
        entry->info.release_version = std::move(d.release_version);
        entry->info.tokens = std::move(d.tokens);
    }
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        auto& n = *nodes[i];
        if (n.info.host_id == all.front().host_id) control_node = i;
        if (seen[i] || n.info.state == node_state::removed) continue;
        n.info.state = node_state::removed;
        n.reconnect_timer.cancel();
        for (auto& pc : n.connections) pc->conn.close();
        n.connections.clear();
        report(node_report::kind::removed, n.info.address, {});
    }
    if (local_dc.empty())
        local_dc = !options.local_datacenter.empty() ? options.local_datacenter : nodes[control_node]->info.datacenter;

    keyspaces.clear();
    for (const auto& [name, replication] : keyspace_rows) {
        replication_strategy strategy;
        if (!parse_replication(replication, strategy)) keyspaces.emplace(name, std::move(strategy));
    }
    rebuild_ring();
    publish_snapshot();
    if (started || pending_ready)
        for (std::size_t i = 0; i < nodes.size(); ++i) {
            const auto& n = nodes[i]->info;
            if (n.state == node_state::unknown && (n.datacenter == local_dc || options.allow_remote_datacenters))
                fill_pool(i);
        }
}

void session_impl::rebuild_ring() {
    std::vector<ring_member> members;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        const auto& n = nodes[i]->info;
        if (n.state == node_state::removed) continue;
        members.push_back(ring_member{i, n.datacenter, n.rack, n.tokens});
    }
    ring = token_ring(members);
    replica_maps.clear();
}

void session_impl::open_initial_pools() {
    // A local data center no node is in would leave every request without a node: say so now.
    const bool known = std::any_of(nodes.begin(), nodes.end(), [&](const auto& n) {
        return n->info.datacenter == local_dc && n->info.state != node_state::removed;
    });
    if (!known && !options.allow_remote_datacenters && pending_ready) {
        std::set<std::string> names;
        for (const auto& n : nodes) names.insert(n->info.datacenter);
        std::string list;
        for (const auto& name : names) list += (list.empty() ? "" : ", ") + quoted_text(name);
        protocol::diagnostics diag;
        diag.set_client_message("local_datacenter " + quoted_text(local_dc) +
                                " is not a data center of this cluster (its: " + list +
                                "); name one of them, or allow remote data centers");
        auto ready = std::move(pending_ready);
        pending_ready = nullptr;
        return ready(make_error_code(errc::unknown_local_datacenter), diag);
    }
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        const auto& n = nodes[i]->info;
        if (n.datacenter == local_dc || options.allow_remote_datacenters) fill_pool(i);
    }
    maybe_ready();
}

void session_impl::maybe_ready() {
    if (!pending_ready) return;
    for (const auto& n : nodes)
        if (n->opening > 0) return;
    auto ready = std::move(pending_ready);
    pending_ready = nullptr;
    started = true;
    ready({}, protocol::diagnostics{});
}

void session_impl::watch_control(std::shared_ptr<control_link> link) {
    // The connection tells nobody when it fails: look at it on the strand it shares with us.
    control_watch_timer.expires_after(control_watch_interval);
    control_watch_timer.async_wait(asio::bind_executor(
        strand, [weak_self = weak_from_this(), weak_link = std::weak_ptr<control_link>(link)](boost::system::error_code ec) {
            const auto self = weak_self.lock();
            const auto held = weak_link.lock();
            if (ec || !self || !held || self->closed || self->control != held) return;
            if (const auto failure = held->conn.failure())
                return self->control_lost(explain(failure, held->conn.failure_diagnostics()));
            self->watch_control(held);
        }));
}

void session_impl::on_event(const transport::cluster_event& event) {
    switch (event.type) {
        case protocol::event_type::topology_change:
            schedule_refresh(refresh_debounce);
            break;
        case protocol::event_type::status_change: {
            // DOWN is not acted on: the node's own connections tell (gossip may say DOWN for a
            // node this client still reaches). UP is a hint to reconnect now.
            if (event.change != "UP") break;
            const auto address = to_asio_address(event.address.address);
            for (std::size_t i = 0; i < nodes.size(); ++i) {
                const auto& n = nodes[i]->info;
                if (n.advertised.address() == address && n.state == node_state::down) reconnect_now(i);
            }
            // A node we never heard of says UP: read the tables again.
            const bool known = std::any_of(nodes.begin(), nodes.end(),
                                           [&](const auto& n) { return n->info.advertised.address() == address; });
            if (!known) schedule_refresh(refresh_debounce);
            break;
        }
        case protocol::event_type::schema_change:
            if (event.target == protocol::schema_change_target::keyspace) schedule_refresh(refresh_debounce);
            if (event.target == protocol::schema_change_target::keyspace ||
                event.target == protocol::schema_change_target::table)
                forget_prepared(event.keyspace, event.name);
            break;
    }
}

void session_impl::schedule_refresh(std::chrono::milliseconds delay) {
    if (refresh_scheduled || closed) return;
    refresh_scheduled = true;
    refresh_timer.expires_after(delay);
    refresh_timer.async_wait(asio::bind_executor(strand, [this, self = shared_from_this()](boost::system::error_code ec) {
        refresh_scheduled = false;
        if (ec || closed || !control) return;
        refresh_topology([this, self](std::error_code refresh_ec, const protocol::diagnostics& diag) {
            if (refresh_ec && control) control_lost(explain(refresh_ec, diag));
        });
    }));
}

void session_impl::control_lost(const std::string& why) {
    if (control) {
        report(node_report::kind::down, control->remote, "control connection lost: " + why);
        control->conn.close();
        control.reset();
    }
    reconnect_control();
}

void session_impl::reconnect_control() {
    if (closed || control || control_connecting) return;
    control_connecting = true;
    // Live local nodes first, then every other node not refused or removed, then the contact
    // points by name.
    std::vector<control_target> targets;
    for (int pass = 0; pass < 2; ++pass)
        for (std::size_t i = 0; i < nodes.size(); ++i) {
            const auto& n = nodes[i]->info;
            if (n.state == node_state::refused || n.state == node_state::removed) continue;
            const bool first_choice = n.state == node_state::up && n.datacenter == local_dc;
            if ((pass == 0) == first_choice) targets.push_back({std::nullopt, i});
        }
    for (const auto& point : options.contact_points) targets.push_back({point, 0});
    try_control(std::move(targets), 0, std::make_shared<control_tried>(),
                [this, self = shared_from_this()](std::error_code ec, const protocol::diagnostics&) {
                    control_connecting = false;
                    if (!ec) {
                        if (control) report(node_report::kind::control_moved, control->remote, {});
                        return;
                    }
                    if (closed) return;
                    const int shift = std::min(control_failures++, 6);
                    control_timer.expires_after(
                        std::min(options.reconnect_base_delay * (std::int64_t{1} << shift), options.reconnect_max_delay));
                    control_timer.async_wait(asio::bind_executor(strand, [this, self](boost::system::error_code e) {
                        if (!e) reconnect_control();
                    }));
                });
}

}  // namespace cqlwire::cluster
