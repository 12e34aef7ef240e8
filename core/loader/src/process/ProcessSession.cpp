// The parent side of a plugin in its own process: see ProcessSession.h.
#include "ledgerbridge/loader/ProcessSession.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <mutex>

#include "Channel.h"
#include "ChildEnding.h"
#include "ChildLauncher.h"
#include "ledgerbridge/loader/FileHash.h"
#include "ProcessProtocol.h"
#include "../PluginCallLog.h"
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Log.h"

namespace ledgerbridge::loader {
namespace fs = std::filesystem;
using protocol::Message;
using protocol::Operation;
using protocol::ServiceKind;
using wire::Channel;

namespace {

/// How long a child may take to say Hello, load the plugin, or close: generous, but a child that
/// never answers must not hold the run forever.
constexpr std::chrono::seconds kStartDeadline{60};
constexpr std::chrono::seconds kCloseDeadline{30};

std::string stemOf(const std::string& path) { return fs::path(path).stem().string(); }

std::string durationText(std::chrono::milliseconds d) {
    const auto ms = d.count();
    if (ms % 60000 == 0) return std::to_string(ms / 60000) + "m";
    if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
    return std::to_string(ms) + "ms";
}

/// The file as this process last described it: a replaced or rebuilt file is described again.
struct FileIdentity {
    std::string path;
    dev_t dev = 0;
    ino_t ino = 0;
    off_t size = 0;
    long long mtimeNs = 0;
    bool operator<(const FileIdentity& o) const {
        return std::tie(path, dev, ino, size, mtimeNs) < std::tie(o.path, o.dev, o.ino, o.size, o.mtimeNs);
    }
};
std::optional<FileIdentity> identityOf(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return std::nullopt;
    return FileIdentity{path, st.st_dev, st.st_ino, st.st_size,
                        static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec};
}
/// Per file identity: its hash (hashed once, not at every run of every connection) and, once
/// a child described it, its description.
struct Known {
    std::string sha256;
    std::optional<PluginDescription> description;
};
std::mutex gCacheMutex;
std::map<FileIdentity, Known>& descriptionCache() {
    static auto* cache = new std::map<FileIdentity, Known>;
    return *cache;
}

}  // namespace

std::string pluginHostExecutable() {
    if (const char* env = std::getenv("LEDGERBRIDGE_PLUGIN_HOST"); env && *env) return env;
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        for (const fs::path& candidate : {self.parent_path() / "ledgerbridge-plugin-host",
                                          self.parent_path().parent_path() / "libexec" / "ledgerbridge" /
                                              "ledgerbridge-plugin-host"})
            if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    }
#ifdef LEDGERBRIDGE_PLUGIN_HOST_BUILD_PATH
    return LEDGERBRIDGE_PLUGIN_HOST_BUILD_PATH;
#else
    return "ledgerbridge-plugin-host";
#endif
}

/// One child process and the conversation with it.
class ChildProcess {
public:
    ChildProcess(const IsolationOptions& options, std::string label, std::string name, std::string fileHash,
                 HostServices* services, PluginHealthStore& health)
        : options_(options), label_(std::move(label)), name_(std::move(name)), fileHash_(std::move(fileHash)),
          services_(services), health_(health) {}
    ~ChildProcess() { kill(); }

    pid_t pid() const { return alive_ ? pid_ : 0; }
    bool alive() const { return alive_; }

    /// Starts the child and opens the plugin (session: also creates an instance). Throws PluginError.
    protocol::Description start(const std::string& path, bool session) {
        const process::Child c = process::launchPluginHost(
            options_.hostExecutable, {options_.addressSpaceBytes, options_.cpuSeconds, options_.openFiles});
        pid_ = c.pid;
        channel_ = Channel(c.fd);
        alive_ = true;
        std::string frame;
        // Hello: before it no plugin code ran, so a child that dies here is not the plugin's doing.
        const auto helloBy = Channel::Clock::now() + kStartDeadline;
        if (channel_.receive(frame, helloBy, 1024) != Channel::Status::Frame) {
            const int status = reap(true);
            throw PluginError(label_ + ": the plugin host process " + options_.hostExecutable +
                              " did not start (" + process::classifyEnding(status, false, "").cause +
                              "); is ledgerbridge-plugin-host installed beside ledgerbridge?");
        }
        wire::Decoder hello(frame);
        try {
            if (static_cast<Message>(hello.u8()) != Message::Hello || hello.str() != protocol::kMagic)
                throw wire::ProtocolError("the first message is not a Hello");
            const std::uint32_t version = hello.u32();
            if (version != protocol::kVersion)
                throw wire::ProtocolError("it speaks protocol version " + std::to_string(version) + ", this host " +
                                          std::to_string(protocol::kVersion) + " (install both from one build)");
        } catch (const wire::ProtocolError& e) {
            reap(true);
            throw PluginError(label_ + ": the plugin host process " + options_.hostExecutable + " is not usable: " +
                              e.what());
        }
        wire::Encoder open = protocol::message(Message::Open);
        open.u32(protocol::kVersion);
        open.u32(static_cast<std::uint32_t>(options_.pluginDirectories.size()));
        for (const std::string& d : options_.pluginDirectories) open.str(d);
        open.str(path);
        open.boolean(session);
        channel_.send(open.bytes());
        wire::Decoder opened(exchange("load", Channel::Clock::now() + kStartDeadline, frame, Message::Opened));
        opened.u8();
        protocol::Description d = protocol::getDescription(opened);
        opened.expectDone("Opened");
        return d;
    }

    /// One call: sends `request`, serves host services until the answer, returns its payload
    /// (after the message type). Throws PluginError for the plugin's error (Failed) and for
    /// every way the child can end.
    std::string call(Operation op, const std::string& request) {
        if (!alive_) throw PluginProcessError(label_ + ": " + protocol::operationName(op) + " not sent: " + ended_);
        PluginCallLog callLog(name_, protocol::operationName(op));
        wire::Encoder e = protocol::message(Message::Call);
        e.u8(static_cast<std::uint8_t>(op));
        e.bytes() += request;
        channel_.send(e.bytes());
        std::string frame;
        exchange(protocol::operationName(op), Channel::Clock::now() + options_.callDeadline, frame, Message::Result);
        return frame.substr(1);
    }

    /// Asks the child to close the instance and exit; true when it did so cleanly.
    bool close() {
        if (!alive_) return false;
        channel_.send(protocol::message(Message::Close).bytes());
        std::string frame;
        const Channel::Status s = channel_.receive(frame, Channel::Clock::now() + kCloseDeadline, protocol::kMaxFrameBytes);
        if (s != Channel::Status::Frame || frame.empty() || static_cast<Message>(frame[0]) != Message::Result) {
            kill();
            return false;
        }
        const int status = reap(false);
        return WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }

    void kill() {
        if (alive_) reap(true);
    }

private:
    /// Reads until the answer `expected` (returned in `frame`) or Failed (thrown), serving
    /// Service requests.
    std::string& exchange(const std::string& op, Channel::Clock::time_point deadline, std::string& frame,
                          Message expected) {
        for (;;) {
            const Channel::Status s = channel_.receive(frame, deadline, protocol::kMaxFrameBytes);
            if (s == Channel::Status::TimedOut)
                fail(op, "did not finish within " + durationText(options_.callDeadline) +
                             " (the call deadline); the plugin host process was killed",
                     "the call deadline (" + durationText(options_.callDeadline) + ")");
            if (s == Channel::Status::Oversized) violation(op, "a frame larger than the protocol allows");
            if (s == Channel::Status::Closed) died(op);
            if (frame.empty()) violation(op, "an empty frame");
            try {
                const auto type = static_cast<Message>(frame[0]);
                if (type == expected) return frame;
                switch (type) {
                case Message::Failed: {
                    wire::Decoder d(frame);
                    d.u8();
                    throw PluginError(d.str());
                }
                case Message::Service: {
                    const auto started = Channel::Clock::now();
                    const std::string reply = serve(frame);
                    deadline += Channel::Clock::now() - started;  // the host's time is not the plugin's
                    if (!channel_.send(reply)) died(op);
                    break;
                }
                default: violation(op, "message type " + std::to_string(static_cast<int>(frame[0])) + " during a call");
                }
            } catch (const wire::ProtocolError& e) {
                violation(op, e.what());
            }
        }
    }

    /// Answers one host service request from the plugin with the real HostServices.
    std::string serve(const std::string& frame) {
        wire::Decoder d(frame);
        d.u8();
        wire::Encoder out = protocol::message(Message::ServiceReply);
        if (!services_) throw wire::ProtocolError("a host service request while loading the plugin");
        const auto kind = static_cast<ServiceKind>(d.u8());
        switch (kind) {
        case ServiceKind::Log: {
            const std::int32_t level = d.i32();
            services_->log(name_, static_cast<LogLevel>(level < 0 || level > 3 ? 3 : level), d.str());
            break;
        }
        case ServiceKind::Http: {
            const sdk::HttpRequest request = protocol::getHttpRequest(d);
            std::string error;
            const std::optional<HttpResponse> response = services_->http(name_, request, error);
            out.boolean(response.has_value());
            if (response) protocol::put(out, *response);
            out.str(error);
            break;
        }
        case ServiceKind::KvGet: out.optStr(services_->kvGet(name_, d.str())); break;
        case ServiceKind::KvPut: {
            const std::string key = d.str();
            out.boolean(services_->kvPut(name_, key, d.str()));
            break;
        }
        case ServiceKind::KvErase: out.boolean(services_->kvErase(name_, d.str())); break;
        case ServiceKind::Secret: out.optStr(services_->secret(name_, d.str())); break;
        case ServiceKind::AccessToken: out.optStr(services_->accessToken(name_)); break;
        case ServiceKind::NowMs: out.i64(services_->nowMs()); break;
        case ServiceKind::Cancelled: out.boolean(services_->cancelled()); break;
        default: throw wire::ProtocolError("host service " + std::to_string(static_cast<int>(kind)));
        }
        d.expectDone("a host service request");
        return out.bytes();
    }

public:
    /// Kills the child for breaking the protocol during `op` (counted) and throws.
    [[noreturn]] void violation(const std::string& op, const std::string& what) {
        fail(op, "broke the plugin host protocol (" + what + "); the plugin host process was killed",
             "a protocol violation (" + what + ")");
    }

private:
    /// The host kills the child for `cause` (counted).
    [[noreturn]] void fail(const std::string& op, const std::string& sentence, const std::string& cause) {
        reap(true);
        count(op, process::Ending{cause, true});
        ended_ = "the plugin host process was killed earlier (" + cause + ")";
        throw PluginProcessError(label_ + ": " + op + " " + sentence + suffix());
    }

    /// The child closed its end: it died. How, waitpid says.
    [[noreturn]] void died(const std::string& op) {
        const int status = reap(false);
        const process::Ending ending = process::classifyEnding(status, false, "");
        count(op, ending);
        ended_ = "the plugin host process ended earlier (" + ending.cause + ")";
        throw PluginProcessError(label_ + ": the plugin host process died of " + ending.cause + " during " + op +
                                 suffix());
    }

    void count(const std::string& op, const process::Ending& ending) {
        lastCounted_ = ending.counted;
        if (!ending.counted) {
            log::warn("The plugin host process of " + name_ + " was ended from outside during " + op + " (" +
                          ending.cause + ").",
                      {{"plugin", name_}});
            return;
        }
        health_.recordCallStart(name_, op);
        crashes_ = health_.recordCrash(name_, fileHash_);
        if (crashes_ >= options_.quarantineAfter)
            health_.quarantine(name_, "its plugin host process ended " + std::to_string(crashes_) +
                                          " times in a row (last: " + ending.cause + " during " + op +
                                          (fileHash_.empty() ? "" : "; file sha256 " + hashPrefix(fileHash_)) + ")");
        log::warn("Plugin " + name_ + "'s process ended with " + ending.cause + " during " + op +
                      (crashes_ > 0 ? " (" + std::to_string(crashes_) + " in a row)." : "."),
                  {{"plugin", name_}});
    }

    std::string suffix() const {
        if (!lastCounted_ || crashes_ == 0) return "";  // 0: a health store that keeps no count (a probe)
        if (crashes_ >= options_.quarantineAfter)
            return "; the plugin is now quarantined (`ledgerbridge plugins enable " + name_ + "` lifts it)";
        return " (" + std::to_string(crashes_) + " of " + std::to_string(options_.quarantineAfter) +
               " before quarantine)";
    }

    /// Waits for the child (killing it first when asked) and returns its wait status.
    int reap(bool killFirst) {
        if (!alive_) return 0;
        if (killFirst) ::kill(pid_, SIGKILL);
        ::close(channel_.fd());
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
        alive_ = false;
        return status;
    }

    const IsolationOptions& options_;
    std::string label_, name_, fileHash_;
    HostServices* services_;
    PluginHealthStore& health_;
    pid_t pid_ = -1;
    Channel channel_{-1};
    bool alive_ = false;
    bool lastCounted_ = false;
    int crashes_ = 0;
    std::string ended_;
};

struct ProcessSession::Impl {
    IsolationOptions options;
    std::string path, name, label;
    HostServices& services;
    PluginHealthStore& health;
    PluginDescription description;
    std::optional<std::vector<std::pair<std::string, std::string>>> settings;
    std::unique_ptr<ChildProcess> child;  ///< the session's child, from the first call on
    bool started = false;

    Impl(IsolationOptions o, const std::string& p, HostServices& s, PluginHealthStore& h)
        : options(std::move(o)), path(p), name(stemOf(p)), label("plugin '" + name + "' (" + p + ")"), services(s),
          health(h) {}

    /// The session's child, started (and configured) at the first call.
    ChildProcess& running() {
        if (!started) {
            started = true;
            child = std::make_unique<ChildProcess>(options, label, name, description.fileSha256, &services, health);
            child->start(path, true);
            if (settings) {
                wire::Encoder e;
                protocol::put(e, *settings);
                child->call(Operation::Configure, e.bytes());
            }
        }
        return *child;
    }
    std::string call(Operation op, const std::string& request) { return running().call(op, request); }

    /// One call: `put` writes the request, `get` reads the answer. An answer that does not
    /// decode is a protocol violation (the child is killed, and it counts).
    template <typename Put, typename Get>
    auto roundTrip(Operation op, Put&& put, Get&& get) {
        wire::Encoder e;
        put(e);
        const std::string answer = call(op, e.bytes());
        try {
            wire::Decoder d(answer);
            auto result = get(d);
            d.expectDone("an answer");
            return result;
        } catch (const wire::ProtocolError& x) {
            child->violation(protocol::operationName(op), std::string("an answer that does not decode: ") + x.what());
        }
    }
};

PluginDescription describePlugin(const IsolationOptions& options, const std::string& path, PluginHealthStore& health) {
    const std::string name = stemOf(path);
    const std::optional<FileIdentity> id = identityOf(path);
    std::string sha256;
    if (id) {
        {
            std::lock_guard<std::mutex> lock(gCacheMutex);
            if (auto it = descriptionCache().find(*id); it != descriptionCache().end()) sha256 = it->second.sha256;
        }
        if (sha256.empty()) {
            try {
                sha256 = fileSha256(path);
            } catch (const PluginError&) {
                // Unreadable: the child's checks refuse the file with the loader's own sentence.
            }
        }
    }
    // Refused before any of its code runs, with the loader's sentence.
    if (auto reason = health.quarantined(name, sha256))
        throw PluginError(path + ": refused: plugin '" + name + "' is quarantined because " + *reason +
                          "; fix or replace it, then run `ledgerbridge plugins enable " + name + "`");
    if (id) {
        std::lock_guard<std::mutex> lock(gCacheMutex);
        Known& known = descriptionCache()[*id];
        if (!sha256.empty()) known.sha256 = sha256;
        if (known.description) return *known.description;
    }
    ChildProcess describer(options, "plugin '" + name + "' (" + path + ")", name, sha256, nullptr, health);
    const protocol::Description d = describer.start(path, false);
    describer.close();
    PluginDescription out{d.manifest, d.abiMajor, d.abiMinor, d.masterDataSlot, sha256};
    if (id) {
        std::lock_guard<std::mutex> lock(gCacheMutex);
        descriptionCache()[*id].description = out;
    }
    return out;
}

std::function<void(const std::string&, PluginInspection&)> isolatedDescriber(IsolationOptions options,
                                                                             PluginHealthStore& health) {
    return [options = std::move(options), &health](const std::string& path, PluginInspection& out) {
        const PluginDescription d = describePlugin(options, path, health);
        out.manifest = d.manifest;
        out.abiMajor = d.abiMajor;
        out.abiMinor = d.abiMinor;
    };
}

ProcessSession::ProcessSession(IsolationOptions options, const std::string& path, HostServices& services,
                               PluginHealthStore& health)
    : impl_(std::make_unique<Impl>(std::move(options), path, services, health)) {
    impl_->description = describePlugin(impl_->options, path, health);
}

ProcessSession::~ProcessSession() {
    try {
        if (impl_->child && impl_->child->close()) impl_->health.recordCleanSession(impl_->name);
    } catch (...) {
    }
}

const sdk::Manifest& ProcessSession::manifest() const { return impl_->description.manifest; }
std::string ProcessSession::label() const { return impl_->label; }
pid_t ProcessSession::childPid() const { return impl_->child ? impl_->child->pid() : 0; }

void ProcessSession::configure(const std::vector<std::pair<std::string, std::string>>& settings) {
    prepareSettings(impl_->label, manifest(), settings);
    impl_->settings = settings;
    if (impl_->started) {  // configured again on a running child
        wire::Encoder e;
        protocol::put(e, settings);
        impl_->call(Operation::Configure, e.bytes());
    }
}

void ProcessSession::check() { impl_->call(Operation::Check, {}); }

sdk::PlanResult ProcessSession::plan(const std::vector<sdk::Entry>& entries) {
    return impl_->roundTrip(
        Operation::Plan, [&](wire::Encoder& e) { protocol::put(e, entries); },
        [](wire::Decoder& d) { return protocol::getPlan(d); });
}

PushResult ProcessSession::push(const std::vector<sdk::Entry>& entries) { return pushBefore(entries, 0); }

PushResult ProcessSession::pushBefore(const std::vector<sdk::Entry>& entries, std::int64_t notAfterSteadyMs) {
    return impl_->roundTrip(
        Operation::Push,
        [&](wire::Encoder& e) {
            e.i64(notAfterSteadyMs);
            protocol::put(e, entries);
        },
        [&](wire::Decoder& d) {
            PushResult r;
            r.outcomes = protocol::getOutcomes(d);
            r.status = d.i32();
            r.message = d.str();
            if (r.status == protocol::kPushTooLate) throw PushTooLateError("plugin '" + manifest().name + "': " + r.message);
            for (const sdk::Outcome& o : r.outcomes)
                if (o.entryIndex >= entries.size())
                    throw wire::ProtocolError("an outcome for entry " + std::to_string(o.entryIndex) + " of a batch of " +
                                              std::to_string(entries.size()));
            return r;
        });
}

sdk::Outcome ProcessSession::lookup(const sdk::Entry& entry) {
    return impl_->roundTrip(
        Operation::Lookup, [&](wire::Encoder& e) { protocol::put(e, entry); },
        [](wire::Decoder& d) { return protocol::getOutcome(d); });
}

bool ProcessSession::hasMasterData() const {
    return impl_->description.masterDataSlot && (manifest().capabilities & LB_CAP_MASTER_DATA) != 0;
}

std::optional<sdk::MasterDataPage> ProcessSession::readMasterData(const sdk::MasterDataRequest& request) {
    if (!impl_->description.masterDataSlot) return std::nullopt;
    return impl_->roundTrip(
        Operation::ReadMasterData, [&](wire::Encoder& e) { protocol::put(e, request); },
        [](wire::Decoder& d) {
            std::optional<sdk::MasterDataPage> page;
            if (d.boolean()) page = protocol::getMasterDataPage(d);
            return page;
        });
}

}  // namespace ledgerbridge::loader
