// Frames over a socket: see Channel.h.
#include "Channel.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace ledgerbridge::loader::wire {

bool Channel::send(const std::string& message) {
    const auto n = static_cast<std::uint32_t>(message.size());
    unsigned char header[4] = {static_cast<unsigned char>(n & 0xff), static_cast<unsigned char>((n >> 8) & 0xff),
                               static_cast<unsigned char>((n >> 16) & 0xff), static_cast<unsigned char>(n >> 24)};
    std::size_t sent = 0;
    const std::size_t total = 4 + message.size();
    while (sent < total) {
        iovec parts[2];
        int count = 0;
        if (sent < 4) parts[count++] = iovec{header + sent, 4 - sent};
        const std::size_t bodyFrom = sent < 4 ? 0 : sent - 4;
        if (bodyFrom < message.size())
            parts[count++] = iovec{const_cast<char*>(message.data()) + bodyFrom, message.size() - bodyFrom};
        msghdr msg{};
        msg.msg_iov = parts;
        msg.msg_iovlen = static_cast<std::size_t>(count);
        const ssize_t w = ::sendmsg(fd_, &msg, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        sent += static_cast<std::size_t>(w);
    }
    return true;
}

Channel::Status Channel::readExactly(char* to, std::size_t n, std::optional<Clock::time_point> deadline) {
    while (n > 0) {
        if (deadline) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - Clock::now()).count();
            if (left <= 0) return Status::TimedOut;
            pollfd p{fd_, POLLIN, 0};
            const int ready = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 60'000)));
            if (ready < 0 && errno == EINTR) continue;
            if (ready == 0) continue;  // the loop re-checks the deadline
            if (ready < 0) return Status::Closed;
        }
        const ssize_t r = ::read(fd_, to, n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return Status::Closed;
        to += r;
        n -= static_cast<std::size_t>(r);
    }
    return Status::Frame;
}

Channel::Status Channel::receive(std::string& message, std::optional<Clock::time_point> deadline,
                                 std::uint32_t maxBytes) {
    unsigned char header[4];
    Status s = readExactly(reinterpret_cast<char*>(header), 4, deadline);
    if (s != Status::Frame) return s;
    const std::uint32_t n = header[0] | (header[1] << 8) | (header[2] << 16) | (static_cast<std::uint32_t>(header[3]) << 24);
    if (n > maxBytes) return Status::Oversized;
    message.resize(n);
    return readExactly(message.data(), n, deadline);
}

}  // namespace ledgerbridge::loader::wire
