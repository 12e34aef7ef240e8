// Cut-short bodies: see Completeness.h.
#include "ledgerbridge/http/Completeness.h"

#include <cctype>
#include <cstdint>

namespace ledgerbridge::http {

bool jsonEndsEarly(const std::string& body) {
    std::size_t i = 0;
    while (i < body.size() && std::isspace(static_cast<unsigned char>(body[i]))) ++i;
    if (i == body.size()) return false;
    const char first = body[i];
    if (first != '{' && first != '[' && first != '"') return false;  // a bare number or literal: not judged
    std::int64_t depth = 0;
    bool inString = false;
    for (; i < body.size(); ++i) {
        const char c = body[i];
        if (inString) {
            if (c == '\\') ++i;  // the escaped character, whatever it is
            else if (c == '"') {
                inString = false;
                if (depth == 0) return false;  // a top-level string closed
            }
        } else if (c == '"') {
            inString = true;
        } else if (c == '{' || c == '[') {
            ++depth;
        } else if (c == '}' || c == ']') {
            if (--depth <= 0) return false;  // the top-level value closed (anything after is the parser's business)
        }
    }
    return true;
}

namespace {
bool isJson(const std::string& contentType) {
    std::string t;
    for (char c : contentType.substr(0, contentType.find(';'))) t += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    while (!t.empty() && t.back() == ' ') t.pop_back();
    return t == "application/json" || (t.size() > 5 && t.compare(t.size() - 5, 5, "+json") == 0);
}
}  // namespace

std::string cutShort(const http::HttpResponse& response, const std::string& method) {
    if (method == "HEAD" || response.status == 204 || response.status == 304) return {};
    const std::string length = response.header("Content-Length");
    if (!length.empty() && length.size() < 19 && length.find_first_not_of("0123456789") == std::string::npos) {
        const std::uint64_t promised = std::stoull(length);
        if (response.body.size() < promised)
            return "the body ended after " + std::to_string(response.body.size()) + " of the " + std::to_string(promised) +
                   " bytes its Content-Length promised";
    }
    if (isJson(response.header("Content-Type")) && jsonEndsEarly(response.body))
        return "its JSON body (" + std::to_string(response.body.size()) + " bytes) ends before its document closes";
    return {};
}

}  // namespace ledgerbridge::http
