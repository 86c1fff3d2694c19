// The TLS handshake floor (F2): OpenSSL alone, client and server in this one process, talking
// through an in-memory BIO pair — no sockets, no event loop. TLS 1.3 only, mutual (the server
// demands and verifies the client's certificate, the client verifies the server's chain and
// name), no session tickets, so every handshake is a full one. The CPU each side spends inside
// SSL_do_handshake is timed separately with the thread CPU clock.
//
//   cqlwire_handshake_floor --pki DIR [--count K] [--server-name NAME]
//
// DIR holds ca.crt (signs both leaves), server.crt/.key and client.crt/.key — the same files
// the canned server and cqlwire_bench use, so that the key type (ECDSA P-256, RSA-2048) is
// whatever DIR was made with. Prints a summary and a "RESULT key=value ..." line.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace {

// The client's and the server's handshake steps, kept out of line so that a profiler can count
// each side apart (run-all counts the client's instructions with callgrind --toggle-collect).
// Each counts its calls, which also keeps the compiler from folding the two into one function.
long client_steps = 0;
long server_steps = 0;
[[gnu::noinline]] int client_handshake_step(SSL* ssl) {
    ++client_steps;
    return SSL_do_handshake(ssl);
}
[[gnu::noinline]] int server_handshake_step(SSL* ssl) {
    ++server_steps;
    return SSL_do_handshake(ssl);
}

[[noreturn]] void die(const std::string& message) {
    std::fprintf(stderr, "cqlwire_handshake_floor: %s\n", message.c_str());
    ERR_print_errors_fp(stderr);
    std::exit(2);
}

double thread_cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

SSL_CTX* make_context(bool server, const std::string& dir) {
    SSL_CTX* ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
    if (ctx == nullptr) die("SSL_CTX_new failed");
    SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
    SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION);
    const std::string leaf = dir + (server ? "/server" : "/client");
    if (SSL_CTX_use_certificate_chain_file(ctx, (leaf + ".crt").c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, (leaf + ".key").c_str(), SSL_FILETYPE_PEM) != 1)
        die("cannot load " + leaf + ".crt/.key");
    if (SSL_CTX_load_verify_locations(ctx, (dir + "/ca.crt").c_str(), nullptr) != 1) die("cannot load ca.crt");
    SSL_CTX_set_verify(ctx, server ? SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT : SSL_VERIFY_PEER, nullptr);
    if (server) SSL_CTX_set_num_tickets(ctx, 0);
    return ctx;
}

}  // namespace

int main(int argc, char** argv) {
    std::string dir;
    std::string name = "localhost";
    long count = 200;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (i + 1 >= argc) die(std::string(a) + " needs a value");
        if (a == "--pki") dir = argv[++i];
        else if (a == "--count") count = std::max(1L, std::strtol(argv[++i], nullptr, 10));
        else if (a == "--server-name") name = argv[++i];
        else die("unknown argument " + std::string(a));
    }
    if (dir.empty()) die("--pki DIR is required");
    SSL_CTX* client_ctx = make_context(false, dir);
    SSL_CTX* server_ctx = make_context(true, dir);

    double client_cpu = 0, server_cpu = 0;
    const long warm = 5;
    for (long i = 0; i < count + warm; ++i) {
        SSL* client = SSL_new(client_ctx);
        SSL* server = SSL_new(server_ctx);
        BIO* client_bio = nullptr;
        BIO* server_bio = nullptr;
        if (!client || !server || BIO_new_bio_pair(&client_bio, 0, &server_bio, 0) != 1) die("setup failed");
        SSL_set_bio(client, client_bio, client_bio);
        SSL_set_bio(server, server_bio, server_bio);
        SSL_set_tlsext_host_name(client, name.c_str());
        SSL_set1_host(client, name.c_str());
        SSL_set_connect_state(client);
        SSL_set_accept_state(server);
        bool client_done = false, server_done = false;
        for (int round = 0; (!client_done || !server_done) && round < 100; ++round) {
            if (!client_done) {
                const double t = thread_cpu_seconds();
                const int r = client_handshake_step(client);
                if (i >= warm) client_cpu += thread_cpu_seconds() - t;
                if (r == 1) client_done = true;
                else if (SSL_get_error(client, r) != SSL_ERROR_WANT_READ) die("client handshake failed");
            }
            if (!server_done) {
                const double t = thread_cpu_seconds();
                const int r = server_handshake_step(server);
                if (i >= warm) server_cpu += thread_cpu_seconds() - t;
                if (r == 1) server_done = true;
                else if (SSL_get_error(server, r) != SSL_ERROR_WANT_READ) die("server handshake failed");
            }
        }
        if (!client_done || !server_done) die("the handshake did not finish");
        if (SSL_version(client) != TLS1_3_VERSION || SSL_get_verify_result(client) != X509_V_OK ||
            SSL_get_verify_result(server) != X509_V_OK)
            die("the handshake did not verify both sides with TLS 1.3");
        SSL_free(client);
        SSL_free(server);
    }
    const double c = client_cpu / static_cast<double>(count) * 1e6;
    const double s = server_cpu / static_cast<double>(count) * 1e6;
    std::printf("OpenSSL in-memory TLS 1.3 mTLS handshake (%s): client %.1f us, server %.1f us, both %.1f us (%ld runs)\n",
                dir.c_str(), c, s, c + s, count);
    std::printf("RESULT kind=handshake_floor count=%ld client_cpu_us=%.2f server_cpu_us=%.2f total_cpu_us=%.2f\n", count,
                c, s, c + s);
    SSL_CTX_free(client_ctx);
    SSL_CTX_free(server_ctx);
    return 0;
}
