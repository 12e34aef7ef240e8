// Opening the authorization URL in the person's browser. `$BROWSER` follows the convention
// xdg-open and sensible-browser share: a colon-separated list of commands tried in turn, each
// with arguments, `%s` replaced by the URL (`%%` is a literal %), else the URL appended.
// Without $BROWSER, xdg-open when a display is there. The caller says what happened, so the
// person knows whether to look for a browser window or to open the printed address.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace ledgerbridge::oauth {

/// What became of an attempt to open a browser.
struct BrowserLaunch {
    bool opened = false;
    std::string command;  ///< the command that opened it (without the URL), when opened
    std::string reason;   ///< why nothing was opened (every candidate and what it did), when not
};

/// The argument vectors `$BROWSER`'s value `browserVariable` names for `url`, in order. Empty
/// entries are skipped; words are split at blanks, and single or double quotes group a word.
std::vector<std::vector<std::string>> browserCommands(const std::string& browserVariable, const std::string& url);

/// How long a browser command may take to fail before it counts as having opened the page
/// (launchers such as xdg-open exit at once; a browser itself keeps running).
inline constexpr std::chrono::milliseconds kBrowserFailureWindow{1500};

/// Opens `url` with $BROWSER's commands in turn, or xdg-open when DISPLAY or WAYLAND_DISPLAY is
/// set. A command counts as having opened the page unless it cannot be started or exits with
/// a non-zero status within kBrowserFailureWindow; then the next one is tried. The browser runs
/// in its own session with /dev/null for input and output, and is never left a zombie. Never
/// throws.
BrowserLaunch openInSystemBrowser(const std::string& url);

}  // namespace ledgerbridge::oauth
