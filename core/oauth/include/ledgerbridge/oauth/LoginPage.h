// The pages the login listener shows in the person's browser (RFC 8252 section 7.3: the
// redirect lands on our loopback listener, and what it answers is all the person sees before
// returning to the terminal). Each is a complete HTML document with `lang`, a heading and one
// inline style block; it loads nothing, and is sent with headers that forbid loading anything
// else, framing, sniffing and referrers.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace ledgerbridge::oauth {

struct LoginPage {
    int status = 200;                    ///< HTTP status; its standard reason phrase is sent
    std::string title;                   ///< <title> and <h1>
    std::vector<std::string> paragraphs;  ///< plain text, escaped when rendered
    std::string command;                 ///< a command to run next (shown as code); "" = none
    bool success = false;                ///< picks the heading's colour
};

/// `text` with & < > " ' replaced by character references: safe in element content and in
/// quoted attribute values.
std::string htmlEscape(const std::string& text);

/// The complete HTML document of `page` (UTF-8).
std::string renderLoginPage(const LoginPage& page);

/// The one inline style block every page carries (its exact text, hashed for the CSP).
const std::string& loginPageStyle();

/// The response headers of every listener page: Content-Security-Policy (`default-src 'none'`,
/// the style block's `sha256-` hash as the only style source, `frame-ancestors 'none'`),
/// Referrer-Policy, X-Content-Type-Options, Cache-Control and Content-Type.
std::vector<std::pair<std::string, std::string>> loginPageHeaders();

/// The page after a finished login: which connection and which company were authorised.
LoginPage loginSucceededPage(const std::string& connectionTitle, const std::string& company);

/// The page after a failed login: what went wrong (`message`, the same sentence the terminal
/// shows) and the command that starts over.
LoginPage loginFailedPage(const std::string& message, const std::string& command);

}  // namespace ledgerbridge::oauth
