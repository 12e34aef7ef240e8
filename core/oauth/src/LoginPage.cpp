// The listener's pages: see LoginPage.h.
#include "ledgerbridge/oauth/LoginPage.h"

#include <openssl/sha.h>

#include <Poco/Net/HTTPResponse.h>

#include "ledgerbridge/oauth/Pkce.h"

namespace ledgerbridge::oauth {
namespace {

// Inline styling keeps the page readable, and the CSP allows exactly this block by its hash:
// no other style (an injected one included) and no script, image, font or fetch can load.
const char* const kStyle =
    "body{font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;max-width:40em;margin:3em auto;"
    "padding:0 1em;line-height:1.5;color:#1b1b1b;background:#fff}"
    "h1{font-size:1.5em;margin:0 0 .6em}h1.ok{color:#136c2e}h1.err{color:#a1181f}"
    "code{font-family:ui-monospace,Menlo,Consolas,monospace;background:#f2f2f2;padding:.15em .35em;"
    "border-radius:3px;overflow-wrap:anywhere}"
    "p.next{margin-top:1.5em}";

std::string styleHash() {
    const std::string& style = loginPageStyle();
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(style.data()), style.size(), digest);
    return "sha256-" + base64Encode(std::string(reinterpret_cast<const char*>(digest), sizeof digest));
}

}  // namespace

std::string htmlEscape(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

const std::string& loginPageStyle() {
    static const std::string style = kStyle;
    return style;
}

std::string renderLoginPage(const LoginPage& page) {
    std::string html = "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
                       htmlEscape(page.title) + " - ledgerbridge</title>\n<style>" + loginPageStyle() +
                       "</style>\n</head>\n<body>\n<main>\n<h1 class=\"" + (page.success ? "ok" : "err") + "\">" +
                       htmlEscape(page.title) + "</h1>\n";
    for (const auto& p : page.paragraphs) html += "<p>" + htmlEscape(p) + "</p>\n";
    if (!page.command.empty())
        html += "<p class=\"next\">Run this in the terminal to start again: <code>" + htmlEscape(page.command) +
                "</code></p>\n";
    html += "</main>\n</body>\n</html>\n";
    return html;
}

std::vector<std::pair<std::string, std::string>> loginPageHeaders() {
    static const std::string csp = "default-src 'none'; style-src '" + styleHash() + "'; frame-ancestors 'none'";
    return {{"Content-Type", "text/html; charset=utf-8"},
            {"Content-Security-Policy", csp},
            {"Referrer-Policy", "no-referrer"},
            {"X-Content-Type-Options", "nosniff"},
            {"Cache-Control", "no-store"}};
}

LoginPage loginSucceededPage(const std::string& connectionTitle, const std::string& company) {
    LoginPage page;
    page.success = true;
    page.title = "ledgerbridge is authorised";
    page.paragraphs.push_back("Access for connection " + connectionTitle + " was granted and stored" +
                              (company.empty() ? std::string(".") : " for company " + company + "."));
    page.paragraphs.push_back("You can close this window and return to the terminal.");
    return page;
}

LoginPage loginFailedPage(const std::string& message, const std::string& command) {
    LoginPage page;
    page.status = Poco::Net::HTTPResponse::HTTP_FORBIDDEN;
    page.title = "ledgerbridge was not authorised";
    page.paragraphs.push_back(message);
    page.paragraphs.push_back("The terminal shows the same message.");
    page.command = command;
    return page;
}

}  // namespace ledgerbridge::oauth
