// Starting a plugin host process: see ChildLauncher.h.
//
// PR_SET_PDEATHSIG fires when the *thread* that forked the child ends, not the process. The
// service runs connections on pool threads and the export engine on helper threads, so every
// fork happens on one launcher thread that lives as long as the process: the child then dies
// exactly when the host does.
#include "ChildLauncher.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "ledgerbridge/common/Exception.h"

extern char** environ;

namespace ledgerbridge::loader::process {
namespace {

/// Runs jobs on one thread that never ends (it is detached and parked on a condition variable).
class LauncherThread {
public:
    /// Never destroyed: it outlives every caller. A fork() (`serve --daemon`, after its start-up
    /// check described the plugins) leaves the child process without the thread, so the child
    /// forgets it and starts its own at its first use.
    static LauncherThread& instance() {
        static std::atomic<LauncherThread*> current{nullptr};
        static const int registered = ::pthread_atfork(nullptr, nullptr, [] { current.store(nullptr); });
        (void)registered;
        LauncherThread* t = current.load();
        if (t) return *t;
        auto* fresh = new LauncherThread;
        // Two first callers at once: one thread wins; the other stays parked, unused.
        return current.compare_exchange_strong(t, fresh) ? *fresh : *t;
    }
    void run(const std::function<void()>& job) {
        std::unique_lock<std::mutex> lock(mutex_);
        jobDone_.wait(lock, [&] { return job_ == nullptr; });
        job_ = &job;
        jobReady_.notify_all();
        jobDone_.wait(lock, [&] { return job_ != &job; });
    }

private:
    LauncherThread() {
        // Signals are for the host's own threads (a SIGHUP here would end `serve`, whose signal
        // thread waits for it): the thread starts with every asynchronous signal blocked. The
        // child starts from an empty mask anyway.
        sigset_t all, before;
        ::sigfillset(&all);
        for (int synchronous : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT}) ::sigdelset(&all, synchronous);
        ::pthread_sigmask(SIG_BLOCK, &all, &before);
        std::thread([this] { loop(); }).detach();
        ::pthread_sigmask(SIG_SETMASK, &before, nullptr);
    }
    void loop() {
        std::unique_lock<std::mutex> lock(mutex_);
        for (;;) {
            jobReady_.wait(lock, [&] { return job_ != nullptr; });
            (*job_)();
            job_ = nullptr;
            jobDone_.notify_all();
        }
    }
    std::mutex mutex_;
    std::condition_variable jobReady_, jobDone_;
    const std::function<void()>* job_ = nullptr;
};

bool sanitized() {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
    return true;
#else
    return false;
#endif
#else
    return false;
#endif
}

[[noreturn]] void childExec(int fd, pid_t parent, const ChildLimits& limits, char* const* argv, char* const* envp) {
    // Only async-signal-safe calls from here on (the parent has other threads).
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // the host died before the line above
    ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    if (limits.addressSpaceBytes) {
        const rlimit r{limits.addressSpaceBytes, limits.addressSpaceBytes};
        ::setrlimit(RLIMIT_AS, &r);
    }
    if (limits.cpuSeconds) {
        const rlimit r{limits.cpuSeconds, limits.cpuSeconds + 5};
        ::setrlimit(RLIMIT_CPU, &r);
    }
    if (limits.openFiles) {
        const rlimit r{limits.openFiles, limits.openFiles};
        ::setrlimit(RLIMIT_NOFILE, &r);
    }
    if (fd != 3) {
        if (::dup2(fd, 3) < 0) ::_exit(127);
    } else {
        ::fcntl(3, F_SETFD, 0);
    }
    ::close_range(4, ~0U, 0);  // nothing of the host's leaks in: state database, sockets, files
    ::execve(argv[0], argv, envp);
    ::_exit(127);
}

}  // namespace

Child launchPluginHost(const std::string& executable, const ChildLimits& requested) {
    ChildLimits limits = requested;
    if (sanitized()) limits.addressSpaceBytes = 0;  // a sanitizer's shadow memory needs terabytes of address space

    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
        throw PluginError("cannot start the plugin host process " + executable + ": socketpair failed");

    // Everything the child needs is built before fork: no allocation after it.
    std::string exe = executable, fdArg = "--fd=3";
    std::vector<std::string> env = {"PATH=/usr/local/bin:/usr/bin:/bin"};
    for (const char* keep : {"LANG", "LC_ALL", "TZ", "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS"})
        if (const char* v = std::getenv(keep)) env.push_back(std::string(keep) + "=" + v);
    std::vector<char*> argv = {exe.data(), fdArg.data(), nullptr};
    std::vector<char*> envp;
    for (std::string& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);

    const pid_t parent = ::getpid();
    pid_t pid = -1;
    LauncherThread::instance().run([&] {
        pid = ::fork();
        if (pid == 0) childExec(fds[1], parent, limits, argv.data(), envp.data());
    });
    ::close(fds[1]);
    if (pid < 0) {
        ::close(fds[0]);
        throw PluginError("cannot start the plugin host process " + executable + ": fork failed");
    }
    return Child{pid, fds[0]};
}

}  // namespace ledgerbridge::loader::process
