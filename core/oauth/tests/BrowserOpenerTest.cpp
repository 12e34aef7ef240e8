// $BROWSER as xdg-open reads it: a colon-separated list, commands with arguments, %s.
#include <gtest/gtest.h>

#include <Poco/Net/ServerSocket.h>
#include <Poco/TemporaryFile.h>

#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <thread>

#include "ledgerbridge/oauth/BrowserOpener.h"

using namespace ledgerbridge::oauth;

namespace {

const std::string kUrl = "https://auth.example/oauth/authorize?client_id=a&state=b%20c";

using Argv = std::vector<std::string>;

/// Sets (or, with nullptr, unsets) an environment variable for one test.
class ScopedEnv {
public:
    ScopedEnv(const char* name, const char* value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        if (value) ::setenv(name, value, 1);
        else ::unsetenv(name);
    }
    ~ScopedEnv() {
        if (old_) ::setenv(name_, old_->c_str(), 1);
        else ::unsetenv(name_);
    }

private:
    const char* name_;
    std::optional<std::string> old_;
};

std::string readWhenPresent(const std::string& path) {
    for (int i = 0; i < 100; ++i) {
        std::ifstream in(path);
        std::stringstream s;
        s << in.rdbuf();
        if (!s.str().empty() && s.str().back() == '\n') return s.str();
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return {};
}

}  // namespace

TEST(BrowserOpener, AListOfCommandsWithArgumentsAndPercentS) {
    EXPECT_EQ(browserCommands("firefox", kUrl), (std::vector<Argv>{{"firefox", kUrl}}));
    EXPECT_EQ(browserCommands("w3m:lynx -dump::  firefox --new-window %s  ", kUrl),
              (std::vector<Argv>{{"w3m", kUrl}, {"lynx", "-dump", kUrl}, {"firefox", "--new-window", kUrl}}));
    EXPECT_EQ(browserCommands("open --url=%s --label=100%%", kUrl),
              (std::vector<Argv>{{"open", "--url=" + kUrl, "--label=100%"}}));
    EXPECT_EQ(browserCommands("'/opt/My Browser/run' -x \"a b\"", kUrl),
              (std::vector<Argv>{{"/opt/My Browser/run", "-x", "a b", kUrl}}));
    EXPECT_TRUE(browserCommands(": : ", kUrl).empty());
}

TEST(BrowserOpener, TriesEachCommandInTurnUntilOneOpensThePage) {
    Poco::TemporaryFile dir;
    dir.createDirectories();
    dir.keepUntilExit();
    const std::string script = dir.path() + "/browser", record = dir.path() + "/args";
    std::ofstream(script) << "#!/bin/sh\nfor a in \"$@\"; do printf '[%s]' \"$a\"; done > " << record
                          << ".tmp\necho >> " << record << ".tmp\nmv " << record << ".tmp " << record << "\n";
    ::chmod(script.c_str(), 0700);
    ScopedEnv browser("BROWSER", ("/nonexistent/browser:false:" + script + " --new-window %s --x").c_str());
    BrowserLaunch launched = openInSystemBrowser(kUrl);
    EXPECT_TRUE(launched.opened) << launched.reason;
    EXPECT_EQ(launched.command, script + " --new-window %s --x");
    EXPECT_EQ(readWhenPresent(record), "[--new-window][" + kUrl + "][--x]\n");
}

TEST(BrowserOpener, SaysWhyNothingOpened) {
    ScopedEnv browser("BROWSER", "/nonexistent/browser:sh -c 'exit 3'");
    BrowserLaunch launched = openInSystemBrowser(kUrl);
    EXPECT_FALSE(launched.opened);
    EXPECT_EQ(launched.reason,
              "'/nonexistent/browser' cannot be started (No such file or directory); 'sh -c 'exit 3'' exited with status 3");
    ScopedEnv none("BROWSER", nullptr), display("DISPLAY", nullptr), wayland("WAYLAND_DISPLAY", nullptr);
    launched = openInSystemBrowser(kUrl);
    EXPECT_FALSE(launched.opened);
    EXPECT_EQ(launched.reason, "no BROWSER variable and no graphical display (DISPLAY, WAYLAND_DISPLAY)");
}

TEST(BrowserOpener, ABrowserThatKeepsRunningCountsAsOpenedAndInheritsNoSocket) {
    // A listening socket without close-on-exec, bound like the login listener's (no SO_REUSEPORT).
    auto listener = std::make_unique<Poco::Net::ServerSocket>();
    listener->bind(Poco::Net::SocketAddress("127.0.0.1", 0), true, false);
    listener->listen(1);
    const auto port = listener->address().port();
    ScopedEnv browser("BROWSER", "sh -c 'sleep 5' %s");
    auto start = std::chrono::steady_clock::now();
    BrowserLaunch launched = openInSystemBrowser(kUrl);
    EXPECT_TRUE(launched.opened) << launched.reason;
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(4)) << "it does not wait for the browser";
    listener.reset();
    // The browser still runs; had it inherited the socket, the port would still be taken.
    Poco::Net::ServerSocket again;
    EXPECT_NO_THROW(again.bind(Poco::Net::SocketAddress("127.0.0.1", port), true, false));
}
