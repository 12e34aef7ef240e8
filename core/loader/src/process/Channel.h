// Frames over one end of the socketpair between the host and a plugin host process: a 4-byte
// little-endian length, then the message. Blocking, one reader and one writer per end; the
// parent's reads take a deadline so a hung child is noticed.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace ledgerbridge::loader::wire {

class Channel {
public:
    using Clock = std::chrono::steady_clock;
    enum class Status { Frame, Closed, TimedOut, Oversized };

    explicit Channel(int fd) : fd_(fd) {}
    int fd() const { return fd_; }

    /// Sends one frame; false when the other end is gone (never raises SIGPIPE).
    bool send(const std::string& message);
    /// Reads one frame into `message`, waiting until `deadline` at most (nullopt: forever).
    /// Closed: the other end closed (or a read error) before a whole frame arrived.
    Status receive(std::string& message, std::optional<Clock::time_point> deadline, std::uint32_t maxBytes);

private:
    Status readExactly(char* to, std::size_t n, std::optional<Clock::time_point> deadline);
    int fd_;
};

}  // namespace ledgerbridge::loader::wire
