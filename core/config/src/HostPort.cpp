// Parsing "host[:port]": see HostPort.h.
#include "ledgerbridge/config/HostPort.h"

#include <cctype>

namespace ledgerbridge::config {

namespace {
bool digitsOnly(const std::string& s) {
    if (s.empty() || s.size() > 5) return false;
    for (char c : s)
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    return true;
}
}  // namespace

std::optional<HostPort> parseHostPort(const std::string& text) {
    HostPort out;
    std::string port;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string::npos || close == 1) return std::nullopt;
        out.host = text.substr(1, close - 1);
        for (char c : out.host)
            if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') return std::nullopt;
        const std::string rest = text.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return std::nullopt;
            port = rest.substr(1);
            if (!digitsOnly(port)) return std::nullopt;
        }
    } else {
        const auto colon = text.find(':');
        out.host = text.substr(0, colon);
        if (colon != std::string::npos) {
            port = text.substr(colon + 1);
            if (!digitsOnly(port)) return std::nullopt;
        }
        if (!out.host.empty() && out.host.back() == '.') out.host.pop_back();
        if (out.host.empty() || out.host.front() == '.' || out.host.front() == '-') return std::nullopt;
        for (char& c : out.host) {
            if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') return std::nullopt;
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        if (out.host.find("..") != std::string::npos) return std::nullopt;
    }
    for (char& c : out.host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!port.empty()) {
        out.port = std::stoi(port);
        if (out.port < 1 || out.port > 65535) return std::nullopt;
    }
    return out;
}

}  // namespace ledgerbridge::config
