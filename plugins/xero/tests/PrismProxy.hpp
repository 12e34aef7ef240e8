// Stoplight Prism as a validating proxy for the plugin tests (Xero's and Business Central's):
// `prism proxy --errors` in its own process group, started on a free loopback port in front of
// a test double and stopped with its children on destruction; `violations` reads what Prism
// reported for one exchange (a 422, a problem+json answer or an sl-violations header).
#pragma once

#include <Poco/Net/ServerSocket.h>
#include <csignal>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "XeroTestHost.hpp"

namespace ledgerbridge::xerotest {

namespace fs = std::filesystem;

inline std::string readAll(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

inline int freePort() {
    Poco::Net::ServerSocket s(Poco::Net::SocketAddress("127.0.0.1", 0));
    return s.address().port();
}

/// One `prism proxy --errors` child process in its own process group; stopped on destruction.
class PrismProxy {
public:
    PrismProxy(const std::string& prismBin, const std::string& spec, const std::string& upstream, const fs::path& log)
        : log_(log) {
        port_ = freePort();
        pid_ = ::fork();
        if (pid_ == 0) {
            ::setpgid(0, 0);
            const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            ::dup2(fd, 1);
            ::dup2(fd, 2);
            const std::string port = std::to_string(port_);
            ::execl(prismBin.c_str(), prismBin.c_str(), "proxy", "--errors", "-h", "127.0.0.1", "-p", port.c_str(),
                    spec.c_str(), upstream.c_str(), static_cast<char*>(nullptr));
            ::_exit(127);
        }
        for (int i = 0; i < 3600 && !listening(); ++i) {  // up to 180 s: a full ctest -j2 on 2 shared cores took over 90
            if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
                pid_ = -1;
                throw std::runtime_error("prism exited while starting:\n" + readAll(log_));
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        if (!listening()) throw std::runtime_error("prism did not start within 180 s:\n" + readAll(log_));
    }
    ~PrismProxy() {
        if (pid_ <= 0) return;
        ::kill(-pid_, SIGTERM);
        for (int i = 0; i < 100 && ::waitpid(pid_, nullptr, WNOHANG) != pid_; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        ::kill(-pid_, SIGKILL);
        ::waitpid(pid_, nullptr, WNOHANG);
    }
    std::string baseUrl() const { return "http://127.0.0.1:" + std::to_string(port_); }
    std::string log() const { return readAll(log_); }

private:
    bool listening() const { return readAll(log_).find("Prism is listening") != std::string::npos; }
    fs::path log_;
    pid_t pid_ = -1;
    int port_ = 0;
};

/// Violations Prism reported for one exchange ("" when none).
inline std::string violations(const Exchange& ex) {
    std::string v = header(ex.responseHeaders, "sl-violations");
    if (ex.status == 422 || header(ex.responseHeaders, "Content-Type").find("problem+json") != std::string::npos)
        v += " status " + std::to_string(ex.status) + ": " + ex.responseBody;
    return v;
}

}  // namespace ledgerbridge::xerotest
