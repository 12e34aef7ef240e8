// Redaction registry: see Redactor.h. Each secret is stored in every form it can take in
// text we print: raw, URL-encoded (query strings, form bodies) and JSON-escaped (bodies).
#include "ledgerbridge/common/Redactor.h"

#include <Poco/URI.h>

#include <algorithm>
#include <mutex>
#include <set>
#include <stdexcept>
#include <vector>

namespace ledgerbridge {
namespace {

std::mutex& registryMutex() {
    static std::mutex m;
    return m;
}

// Longest first, so a secret that contains another is replaced whole.
struct LongestFirst {
    bool operator()(const std::string& a, const std::string& b) const {
        return a.size() != b.size() ? a.size() > b.size() : a < b;
    }
};

std::set<std::string, LongestFirst>& forms() {
    static std::set<std::string, LongestFirst> s;
    return s;
}

std::size_t& rawCount() {
    static std::size_t n = 0;
    return n;
}

std::string jsonEscaped(std::string_view s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '/': out += "\\/"; break;
            default: out += c;
        }
    }
    return out;
}

}  // namespace

Redactor& Redactor::global() {
    static Redactor instance;
    return instance;
}

void Redactor::add(std::string_view secret) {
    if (secret.size() < 6)
        throw std::invalid_argument("a secret shorter than 6 characters cannot be redacted safely");
    std::string raw(secret);
    std::string urlEncoded;
    Poco::URI::encode(raw, "!#$&'()*+,/:;=?@[]", urlEncoded);
    std::lock_guard<std::mutex> lock(registryMutex());
    if (forms().insert(raw).second) ++rawCount();
    forms().insert(urlEncoded);
    forms().insert(jsonEscaped(raw));
}

std::string Redactor::redact(std::string_view text) const {
    std::string out(text);
    std::lock_guard<std::mutex> lock(registryMutex());
    for (const auto& secret : forms()) {
        std::size_t pos = 0;
        while ((pos = out.find(secret, pos)) != std::string::npos) {
            out.replace(pos, secret.size(), "***");
            pos += 3;
        }
    }
    return out;
}

void Redactor::clearForTesting() {
    std::lock_guard<std::mutex> lock(registryMutex());
    forms().clear();
    rawCount() = 0;
}

std::size_t Redactor::size() const {
    std::lock_guard<std::mutex> lock(registryMutex());
    return rawCount();
}

std::string redact(std::string_view text) { return Redactor::global().redact(text); }

}  // namespace ledgerbridge
