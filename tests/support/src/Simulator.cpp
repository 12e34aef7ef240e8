// SimulatorProcess: fork/exec of ledgerbridge-sim, reading its address lines from a pipe.
#include "ledgerbridge/testsupport/Simulator.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace ledgerbridge::testsupport {

namespace {

bool isDir(const std::string& p) {
    struct stat st{};
    return !p.empty() && ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

std::string readFile(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace

std::string simulatorBinary() {
    std::string explicitPath = env("LEDGERBRIDGE_SIM");
    if (!explicitPath.empty()) return explicitPath;
    std::string bin = env("LEDGERBRIDGE_BINARY_DIR");
    if (bin.empty()) throw std::runtime_error("LEDGERBRIDGE_BINARY_DIR is not set; run the tests through ctest or set LEDGERBRIDGE_SIM.");
    return bin + "/bin/ledgerbridge-sim";
}

std::string referenceDir() {
    std::string d = env("LEDGERBRIDGE_REFERENCE_DIR");
    if (d.empty()) d = env("LEDGERBRIDGE_REFERENCE_DIR_DEFAULT");
    return isDir(d) ? d : "";
}

std::string pleoOpenApiDir() {
    std::string r = referenceDir();
    return !r.empty() && isDir(r + "/pleo-openapi") ? r + "/pleo-openapi" : "";
}

SimulatorProcess::SimulatorProcess(std::vector<std::string> args) {
    const std::string binary = simulatorBinary();
    if (std::find(args.begin(), args.end(), "--port") == args.end()) {
        args.push_back("--port");
        args.push_back("0");
    }
    if (std::find(args.begin(), args.end(), "--tls-dir") == args.end()) {
        std::string tmp = env("TMPDIR");
        args.push_back("--tls-dir");
        args.push_back((tmp.empty() ? "/tmp" : tmp) + "/ledgerbridge-sim-tests-" + std::to_string(::getuid()));
    }
    char logTemplate[] = "/tmp/ledgerbridge-sim-log-XXXXXX";
    int logFd = ::mkstemp(logTemplate);
    if (logFd < 0) throw std::runtime_error("Cannot create a log file for the simulator in /tmp.");
    logFile_ = logTemplate;
    int out[2];
    if (::pipe(out) != 0) throw std::runtime_error("pipe() failed while starting the simulator.");
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork() failed while starting the simulator.");
    if (pid_ == 0) {
        ::dup2(out[1], 1);
        ::dup2(logFd, 2);
        ::close(out[0]);
        ::close(out[1]);
        ::close(logFd);
        std::vector<char*> argv;
        argv.push_back(const_cast<char*>(binary.c_str()));
        for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        ::execv(binary.c_str(), argv.data());
        ::_exit(127);
    }
    ::close(out[1]);
    ::close(logFd);
    // Read lines until "admin:" (the last of the start banner) or timeout.
    std::string buffer;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    bool done = false;
    while (!done && std::chrono::steady_clock::now() < deadline) {
        pollfd p{out[0], POLLIN, 0};
        if (::poll(&p, 1, 200) <= 0) continue;
        char buf[512];
        ssize_t n = ::read(out[0], buf, sizeof buf);
        if (n <= 0) break;
        buffer.append(buf, static_cast<std::size_t>(n));
        done = buffer.find("\nadmin: ") != std::string::npos;
    }
    ::close(out[0]);  // the simulator prints nothing else on stdout
    std::istringstream lines(buffer);
    std::string line;
    while (std::getline(lines, line)) {
        if (baseUrl_.empty()) baseUrl_ = line;
        else if (line.rfind("ca-file: ", 0) == 0) caFile_ = line.substr(9);
        else if (line.rfind("tls-dir: ", 0) == 0) tlsDir_ = line.substr(9);
    }
    auto colon = baseUrl_.rfind(':');
    if (!done || baseUrl_.rfind("http", 0) != 0 || colon == std::string::npos) {
        stop();
        throw std::runtime_error("ledgerbridge-sim did not start (" + binary + "). Its output: " + buffer + readFile(logFile_));
    }
    port_ = std::atoi(baseUrl_.c_str() + colon + 1);
}

int SimulatorProcess::stop() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    int status = -1;
    for (int i = 0; i < 100; ++i) {
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            return status;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
}

SimulatorProcess::~SimulatorProcess() {
    stop();
    if (!logFile_.empty() && env("LEDGERBRIDGE_KEEP_SIM_LOGS").empty()) ::unlink(logFile_.c_str());
}

}  // namespace ledgerbridge::testsupport
