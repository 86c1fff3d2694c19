#include "frame_trace_output.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "exit_codes.hpp"
#include "withheld_secrets.hpp"

namespace cqlwire::cli {
namespace {

// Whether `fd` is a pipe whose reader has gone (poll reports an error on its write end).
bool reader_gone(int fd) noexcept {
    pollfd p{fd, POLLOUT, 0};
    return ::poll(&p, 1, 0) == 1 && (p.revents & POLLERR) != 0;
}

// The tracer and where its text goes; shared by the observer for the connection's life.
struct trace_sink {
    explicit trace_sink(inspect::trace_format format) : tracer(options_for(format)) {}
    static inspect::frame_trace_options options_for(inspect::trace_format format) {
        inspect::frame_trace_options o;
        o.format = format;
        return o;
    }
    inspect::frame_tracer tracer;
    int fd = -1;                            // the trace file, owned when set
    std::shared_ptr<checked_output> file;   // writes to fd
    std::ostream* stream = nullptr;         // otherwise
    // For a trace on a stream: only its failure is recorded here (nothing is written through it).
    std::shared_ptr<checked_output> stream_status;
    std::string text;
    std::vector<std::uint8_t> masked;  // a received body with a withheld secret masked

    trace_sink(const trace_sink&) = delete;
    trace_sink& operator=(const trace_sink&) = delete;
    ~trace_sink() {
        if (file) file->pubsync();
        if (fd >= 0) ::close(fd);
    }
    void write() {
        if (file) {
            file->sputn(text.data(), static_cast<std::streamsize>(text.size()));
            file->pubsync();
        } else {
            stream->write(text.data(), static_cast<std::streamsize>(text.size()));
            stream->flush();
            // The stream forgets why; the trace the user asked for is lost all the same. A pipe
            // whose reader went away (`2>&1 | head`) is told apart: that ends quietly.
            if (!stream->good() && stream_status) stream_status->fail(reader_gone(STDERR_FILENO) ? EPIPE : EIO);
        }
    }
};

}  // namespace

std::int64_t to_trace_time(std::chrono::system_clock::time_point t) noexcept {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

std::error_code make_frame_trace(inspect::trace_format format, const std::string& file, std::ostream& err,
                                 std::string& message, std::shared_ptr<const checked_output>& file_output,
                                 transport::frame_observer& observer) {
    auto sink = std::make_shared<trace_sink>(format);
    if (file.empty()) {
        sink->stream = &err;
        sink->stream_status = std::make_shared<checked_output>(STDERR_FILENO, "standard error (the frame trace)");
        if (standard_error_was_closed()) sink->stream_status->fail(EBADF);
        file_output = sink->stream_status;
    } else {
        // Traces hold query texts and rows: private to the user, like a shell history.
        // Non-blocking, so that a FIFO nobody reads is refused (ENXIO) instead of hanging the
        // open; writes are blocking again, so that a slow reader slows the trace, losing nothing.
        sink->fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0600);
        if (sink->fd < 0) {
            const int e = errno;
            message = "cannot write the frame trace to '" + file + "': " +
                      (e == ENXIO ? std::string("nothing reads from it (a FIFO needs a reader)") : std::strerror(e));
            return make_error_code(cli_errc::file_unreadable);
        }
        ::fcntl(sink->fd, F_SETFL, ::fcntl(sink->fd, F_GETFL) & ~O_NONBLOCK);
        sink->file = std::make_shared<checked_output>(sink->fd, "the frame trace file '" + file + "'");
        file_output = sink->file;
    }
    observer = [sink](const transport::frame_event& e) {
        inspect::traced_frame f;
        f.time_us = to_trace_time(e.time);
        f.sender = e.dir == transport::frame_event::direction::sent ? inspect::frame_sender::client
                                                                     : inspect::frame_sender::server;
        f.header = e.header;
        f.body = e.body;
        // A server may quote the credentials of the login under way: masked in a copy.
        if (e.dir == transport::frame_event::direction::received && holds_withheld_secret(e.body)) {
            sink->masked.assign(e.body.begin(), e.body.end());
            mask_withheld_secrets(sink->masked);
            f.body = protocol::bytes_view(sink->masked);
        }
        sink->text.clear();
        sink->tracer.append(f, sink->text);
        sink->write();
    };
    return {};
}

}  // namespace cqlwire::cli
