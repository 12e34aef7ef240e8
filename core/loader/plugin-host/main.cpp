// ledgerbridge-plugin-host: serves one plugin session to the ledgerbridge process that started
// it, over the socketpair on fd 3 (protocol: src/process/ProcessProtocol.h). It loads the
// plugin with the same PluginLoader as the host (every check before dlopen, the ABI
// negotiation), keeps no state of its own, and asks the parent for every host service. Not
// meant to be started by hand.
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <iostream>

#include "../src/process/Channel.h"
#include "../src/process/ProcessProtocol.h"
#include "ParentServices.h"
#include "ledgerbridge/common/Log.h"
#include "ledgerbridge/common/SteadyClock.h"
#include "ledgerbridge/loader/PluginLoader.h"

// Under AddressSanitizer a plugin's crash still ends this process by its signal, as in every
// other build: the parent names, counts and quarantines the crash by that signal. ASan's own
// SIGSEGV/SIGBUS handler would report and exit 1 instead ("died of exited with status 1").
// Only these two signals change; every other ASan check stays on. Read by ASan alone.
extern "C" __attribute__((used)) const char* __asan_default_options() { return "handle_segv=0:handle_sigbus=0"; }

using namespace ledgerbridge;
using namespace ledgerbridge::loader;
using protocol::Message;
using protocol::Operation;

namespace {

std::string failed(const std::string& message) {
    wire::Encoder e = protocol::message(Message::Failed);
    e.str(message);
    return e.bytes();
}

/// Runs one call on the session and returns the frame to answer with.
std::string perform(PluginSession& session, wire::Decoder& d) {
    const auto op = static_cast<Operation>(d.u8());
    wire::Encoder out = protocol::message(Message::Result);
    switch (op) {
    case Operation::Configure: session.configure(protocol::getSettings(d)); break;
    case Operation::Check: session.check(); break;
    case Operation::Plan: protocol::put(out, session.plan(protocol::getEntries(d))); break;
    case Operation::Push: {
        // The parent's run may have been paused past its lease after it decided to push: a
        // batch arriving after its deadline is not given to the plugin (the run that holds the
        // lease now decides these entries by lookup). Same host, so the same steady clock.
        const std::int64_t notAfter = d.i64();
        const auto entries = protocol::getEntries(d);
        if (notAfter != 0 && steadyNowMs() > notAfter) {
            d.expectDone("a call");
            protocol::put(out, std::vector<sdk::Outcome>{});
            out.i32(protocol::kPushTooLate);
            out.str("the batch reached the plugin host " + std::to_string(steadyNowMs() - notAfter) +
                    " ms after its deadline; the plugin was not called");
            return out.bytes();
        }
        const PushResult r = session.push(entries);
        protocol::put(out, r.outcomes);
        out.i32(r.status);
        out.str(r.message);
        break;
    }
    case Operation::Lookup: protocol::put(out, session.lookup(protocol::getEntry(d))); break;
    case Operation::ReadMasterData: {
        const std::optional<sdk::MasterDataPage> page = session.readMasterData(protocol::getMasterDataRequest(d));
        out.boolean(page.has_value());
        if (page) protocol::put(out, *page);
        break;
    }
    default: throw wire::ProtocolError("operation " + std::to_string(static_cast<int>(op)));
    }
    d.expectDone("a call");
    return out.bytes();
}

}  // namespace

int main(int argc, char** argv) {
    // Started with every asynchronous signal blocked and SIGPIPE perhaps ignored (inherited from
    // the host's launcher thread through vfork + exec, ChildLauncher.cpp): a plugin host is an
    // ordinary process again from here, ended by SIGTERM or a closed socket like any other.
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    int fd = 3;
    for (int i = 1; i < argc; ++i)
        if (std::strncmp(argv[i], "--fd=", 5) == 0) fd = std::atoi(argv[i] + 5);
    if (::isatty(fd) || fd < 0) {
        std::cerr << "ledgerbridge-plugin-host is started by ledgerbridge, not by hand\n";
        return 2;
    }
    // Its own lines (the loader's) go to stderr, which the parent shares; the plugin's go through
    // the parent's log (ParentServices::log).
    log::configure(log::Level::Warn, log::Format::Human);
    wire::Channel channel(fd);

    wire::Encoder hello = protocol::message(Message::Hello);
    hello.str(protocol::kMagic);
    hello.u32(protocol::kVersion);
    hello.u32(LB_ABI_MAJOR);
    hello.u32(LB_ABI_MINOR);
    if (!channel.send(hello.bytes())) return 0;

    std::string frame;
    if (channel.receive(frame, std::nullopt, protocol::kMaxFrameBytes) != wire::Channel::Status::Frame) return 0;
    pluginhost::ParentServices services(channel);
    NoHealthRecords health;
    std::unique_ptr<PluginLoader> loader;  // outlives the plugin and its session
    std::shared_ptr<LoadedPlugin> plugin;
    std::unique_ptr<PluginSession> session;
    try {
        wire::Decoder open(frame);
        if (static_cast<Message>(open.u8()) != Message::Open || open.u32() != protocol::kVersion)
            throw wire::ProtocolError("the first message is not an Open of this version");
        LoaderOptions options;
        for (std::size_t n = open.count(4); n > 0; --n) options.pluginDirectories.push_back(open.str());
        const std::string path = open.str();
        const bool wantSession = open.boolean();
        open.expectDone("Open");
        loader = std::make_unique<PluginLoader>(options, services, health);
        plugin = loader->load(path);
        if (wantSession) session = plugin->open();
    } catch (const wire::ProtocolError& e) {
        channel.send(failed(std::string("plugin host protocol: ") + e.what()));
        return 2;
    } catch (const std::exception& e) {
        channel.send(failed(e.what()));
        return 0;
    }
    wire::Encoder opened = protocol::message(Message::Opened);
    protocol::put(opened, protocol::Description{plugin->manifest(), plugin->abiMajor(), plugin->abiMinor(),
                                                plugin->hasMasterDataSlot()});
    channel.send(opened.bytes());

    for (;;) {
        if (channel.receive(frame, std::nullopt, protocol::kMaxFrameBytes) != wire::Channel::Status::Frame) return 0;
        wire::Decoder d(frame);
        std::string answer;
        try {
            const auto type = static_cast<Message>(d.u8());
            if (type == Message::Close) {
                session.reset();  // the plugin's destroy()
                channel.send(protocol::message(Message::Result).bytes());
                return 0;
            }
            if (type != Message::Call || !session) throw wire::ProtocolError("expected a Call");
            answer = perform(*session, d);
        } catch (const wire::ProtocolError& e) {
            channel.send(failed(std::string("plugin host protocol: ") + e.what()));
            return 2;
        } catch (const std::exception& e) {
            answer = failed(e.what());
        }
        if (!channel.send(answer)) return 0;
    }
}
