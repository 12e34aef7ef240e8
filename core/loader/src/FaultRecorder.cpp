// Fault records of plugin calls: see FaultRecorder.h. Everything the signal handler touches is
// prepared before the plugin runs; the handler itself only reads a thread-local pointer and
// makes async-signal-safe system calls.
#include "ledgerbridge/loader/FaultRecorder.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>

namespace ledgerbridge::loader {

struct FaultScope::Prepared {
    char path[4096];
    char text[1024];
    std::size_t textLength;
};

namespace {

constexpr int kFaultSignals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
constexpr int kMaxSignal = 65;
struct sigaction gPrevious[kMaxSignal];

// The innermost plugin call of this thread, or null. Set and cleared only by FaultScope in
// normal code; the handler reads it in the same thread (the synchronous signals above are
// delivered to the thread that raised them).
thread_local FaultScope::Prepared* tCall = nullptr;

// A stack overflow inside a plugin is a SIGSEGV with no stack left to run a handler on: every
// thread that calls into plugins gets an alternate signal stack, once (unless it has one).
constexpr std::size_t kAltStackBytes = 64 * 1024;
struct AltStack {
    std::unique_ptr<char[]> memory;
    AltStack() {
        stack_t current{};
        if (::sigaltstack(nullptr, &current) == 0 && !(current.ss_flags & SS_DISABLE)) return;  // a sanitizer's, say
        memory.reset(new char[kAltStackBytes]);
        stack_t ss{};
        ss.ss_sp = memory.get();
        ss.ss_size = kAltStackBytes;
        if (::sigaltstack(&ss, nullptr) != 0) memory.reset();
    }
    ~AltStack() {
        if (!memory) return;
        stack_t off{};
        off.ss_flags = SS_DISABLE;
        ::sigaltstack(&off, nullptr);
    }
};

void ensureAltStack() { thread_local AltStack stack; }

void writeAll(int fd, const char* data, std::size_t size) {
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        data += n;
        size -= static_cast<std::size_t>(n);
    }
}

void onFault(int sig, siginfo_t*, void*) {
    const int savedErrno = errno;
    if (FaultScope::Prepared* call = tCall; call && call->path[0] != '\0') {
        const int fd = ::open(call->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd >= 0) {
            writeAll(fd, call->text, call->textLength);
            char digits[16];
            int n = 0;
            for (int v = sig; v > 0 && n < 15; v /= 10) digits[n++] = static_cast<char>('0' + v % 10);
            char line[24] = "signal=";
            int len = 7;
            while (n > 0) line[len++] = digits[--n];
            line[len++] = '\n';
            writeAll(fd, line, static_cast<std::size_t>(len));
            ::fsync(fd);
            ::close(fd);
        }
    }
    // Whatever handled the signal before us (default: end the process, with a core dump where
    // enabled) handles it now: the signal is blocked while we run and arrives again on return.
    ::sigaction(sig, &gPrevious[sig], nullptr);
    ::raise(sig);
    errno = savedErrno;
}

std::string field(const std::string& text, const std::string& key) {
    const std::string prefix = key + "=";
    for (std::size_t at = 0; at < text.size();) {
        std::size_t end = text.find('\n', at);
        if (end == std::string::npos) end = text.size();
        if (text.compare(at, prefix.size(), prefix) == 0) return text.substr(at + prefix.size(), end - at - prefix.size());
        at = end + 1;
    }
    return {};
}

bool alive(long pid) { return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH); }

void copyInto(char* to, std::size_t capacity, const std::string& from) {
    const std::size_t n = std::min(capacity - 1, from.size());
    std::memcpy(to, from.data(), n);
    to[n] = '\0';
}

}  // namespace

void installFaultHandlers() {
    static std::once_flag once;
    std::call_once(once, [] {
        for (int sig : kFaultSignals) {
            struct sigaction action {};
            action.sa_sigaction = onFault;
            action.sa_flags = SA_SIGINFO | SA_ONSTACK;
            sigemptyset(&action.sa_mask);
            ::sigaction(sig, &action, &gPrevious[sig]);
        }
    });
}

FaultScope::FaultScope(const std::string& faultDirectory, const std::string& plugin, const char* operation)
    : prepared_(new Prepared), previous_(tCall) {
    ensureAltStack();
    // No directory (the plugin host process: its parent sees the signal in waitpid): no record.
    copyInto(prepared_->path, sizeof prepared_->path,
             faultDirectory.empty() ? std::string() : faultDirectory + "/" + std::to_string(::getpid()) + ".fault");
    const std::string text = "plugin=" + plugin + "\noperation=" + operation + "\npid=" + std::to_string(::getpid()) + "\n";
    copyInto(prepared_->text, sizeof prepared_->text, text);
    prepared_->textLength = std::strlen(prepared_->text);
    std::atomic_signal_fence(std::memory_order_seq_cst);  // ready before the handler can see it
    tCall = prepared_;
}

FaultScope::~FaultScope() {
    tCall = previous_;
    std::atomic_signal_fence(std::memory_order_seq_cst);
    delete prepared_;
}

std::optional<FaultRecord> takeFault(const std::string& faultDirectory, const std::string& plugin) {
    namespace fs = std::filesystem;
    std::optional<FaultRecord> found;
    std::error_code ec;
    for (fs::directory_iterator it(faultDirectory, ec), end; !ec && it != end; it.increment(ec)) {
        if (it->path().extension() != ".fault") continue;
        std::ifstream in(it->path());
        // Read with istream::read, not istreambuf_iterator: at -O2/-O3 GCC 12 reports a false
        // -Wnull-dereference inside libstdc++'s streambuf for the iterator (Release with -Werror).
        std::string text;
        char buffer[4096];
        while (in.read(buffer, sizeof buffer) || in.gcount() > 0)
            text.append(buffer, static_cast<std::size_t>(in.gcount()));
        FaultRecord r;
        r.plugin = field(text, "plugin");
        r.operation = field(text, "operation");
        r.pid = std::atol(field(text, "pid").c_str());
        r.signal = std::atoi(field(text, "signal").c_str());
        if (r.plugin != plugin || alive(r.pid) || r.pid == static_cast<long>(::getpid())) continue;
        std::error_code removed;
        fs::remove(it->path(), removed);
        if (r.signal > 0) found = r;  // a record cut short by the end of the process names no signal
    }
    return found;
}

std::string signalName(int signal) {
    switch (signal) {
        case SIGSEGV: return "SIGSEGV";
        case SIGBUS: return "SIGBUS";
        case SIGILL: return "SIGILL";
        case SIGFPE: return "SIGFPE";
        case SIGABRT: return "SIGABRT";
        default: return "signal " + std::to_string(signal);
    }
}

}  // namespace ledgerbridge::loader
