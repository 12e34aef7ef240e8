// Opening the authorization URL in a browser: see BrowserOpener.h.
#include "ledgerbridge/oauth/BrowserOpener.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <thread>

extern char** environ;

namespace ledgerbridge::oauth {
namespace {

std::vector<std::string> splitList(const std::string& value) {
    std::vector<std::string> entries;
    std::string current;
    for (char c : value + ":") {
        if (c != ':') {
            current += c;
            continue;
        }
        auto first = current.find_first_not_of(" \t");
        if (first != std::string::npos) entries.push_back(current.substr(first, current.find_last_not_of(" \t") - first + 1));
        current.clear();
    }
    return entries;
}

// Blanks separate words; quotes group them (no escapes or expansions: this is not a shell).
std::vector<std::string> splitWords(const std::string& entry) {
    std::vector<std::string> words;
    std::string word;
    bool inWord = false;
    char quote = 0;
    for (char c : entry) {
        if (quote) {
            if (c == quote) quote = 0;
            else word += c;
        } else if (c == '"' || c == '\'') {
            quote = c;
            inWord = true;
        } else if (c == ' ' || c == '\t') {
            if (inWord) words.push_back(word);
            word.clear();
            inWord = false;
        } else {
            word += c;
            inWord = true;
        }
    }
    if (inWord) words.push_back(word);
    return words;
}

// %s -> url, %% -> %; other % sequences stay as they are. Returns whether %s occurred.
bool substitute(std::string& word, const std::string& url) {
    std::string out;
    bool used = false;
    for (std::size_t i = 0; i < word.size(); ++i) {
        if (word[i] == '%' && i + 1 < word.size() && (word[i + 1] == 's' || word[i + 1] == '%')) {
            used = used || word[i + 1] == 's';
            out += word[i + 1] == 's' ? url : "%";
            ++i;
        } else {
            out += word[i];
        }
    }
    word = out;
    return used;
}

std::vector<std::string> commandFor(const std::string& entry, const std::string& url) {
    std::vector<std::string> argv = splitWords(entry);
    bool placed = false;
    for (auto& word : argv) placed = substitute(word, url) || placed;
    if (!placed && !argv.empty()) argv.push_back(url);
    return argv;
}

/// Starts `argv`; "" when it opened the page (running after the window, or exited 0), else why not.
std::string launch(const std::vector<std::string>& argv) {
    posix_spawn_file_actions_t files;
    posix_spawn_file_actions_init(&files);
    for (int fd : {0, 1, 2}) posix_spawn_file_actions_addopen(&files, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0);
    // Nothing else is inherited: the login listener's socket is not close-on-exec, and a
    // browser holding it would keep the port (and could accept the redirect) after we exit.
    posix_spawn_file_actions_addclosefrom_np(&files, 3);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    // Its own session: a browser started from here must not hold our terminal or get its signals.
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = 0;
    int rc = ::posix_spawnp(&pid, args[0], &files, &attr, args.data(), environ);
    posix_spawn_file_actions_destroy(&files);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) return "cannot be started (" + std::string(std::strerror(rc)) + ")";
    const auto deadline = std::chrono::steady_clock::now() + kBrowserFailureWindow;
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        pid_t done = ::waitpid(pid, &status, WNOHANG);
        if (done == pid) {
            if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return "";
            return WIFEXITED(status) ? "exited with status " + std::to_string(WEXITSTATUS(status))
                                     : "ended by signal " + std::to_string(WTERMSIG(status));
        }
        if (done < 0) return "";  // already reaped elsewhere: it ran
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    // Still running: a browser in the foreground. Reap it whenever it ends.
    std::thread([pid] {
        int status = 0;
        ::waitpid(pid, &status, 0);
    }).detach();
    return "";
}

}  // namespace

std::vector<std::vector<std::string>> browserCommands(const std::string& browserVariable, const std::string& url) {
    std::vector<std::vector<std::string>> commands;
    for (const auto& entry : splitList(browserVariable)) {
        auto argv = commandFor(entry, url);
        if (!argv.empty()) commands.push_back(argv);
    }
    return commands;
}

BrowserLaunch openInSystemBrowser(const std::string& url) {
    BrowserLaunch result;
    std::vector<std::string> entries;
    if (const char* browser = std::getenv("BROWSER"); browser && *browser) {
        entries = splitList(browser);
        if (entries.empty()) result.reason = "BROWSER names no command";
    } else if (std::getenv("DISPLAY") || std::getenv("WAYLAND_DISPLAY")) {
        entries = {"xdg-open"};
    } else {
        result.reason = "no BROWSER variable and no graphical display (DISPLAY, WAYLAND_DISPLAY)";
        return result;
    }
    for (const auto& entry : entries) {
        auto argv = commandFor(entry, url);
        if (argv.empty()) continue;
        std::string failure = launch(argv);
        if (failure.empty()) {
            result.opened = true;
            result.command = entry;
            result.reason.clear();
            return result;
        }
        result.reason += (result.reason.empty() ? "" : "; ") + std::string("'") + entry + "' " + failure;
    }
    return result;
}

}  // namespace ledgerbridge::oauth
