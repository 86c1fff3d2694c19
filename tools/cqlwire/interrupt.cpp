#include "interrupt.hpp"

#include <unistd.h>

#include <csignal>

namespace cqlwire::cli {
namespace {

volatile std::sig_atomic_t interrupted = 0;

extern "C" void note_interrupt(int) { interrupted = 1; }

}  // namespace

void catch_interrupts() noexcept {
    struct sigaction action {};
    action.sa_handler = note_interrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;  // no SA_RESTART: a read waiting for a key returns EINTR
    ::sigaction(SIGINT, &action, nullptr);
}

bool interrupt_requested() noexcept { return interrupted != 0; }

void clear_interrupt() noexcept { interrupted = 0; }

const char* after_interrupt_echo() noexcept { return ::isatty(STDIN_FILENO) == 1 ? "\n" : ""; }

}  // namespace cqlwire::cli
