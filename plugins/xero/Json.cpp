// JSON writing for Xero request bodies.
#include "Json.hpp"

#include <cstdio>

namespace ledgerbridge::xero {

std::string jsonQuote(const std::string& text) {
    std::string out = "\"";
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20 || c == 0x7f) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
                out += buf;
            } else {
                out += ch;
            }
        }
    }
    return out + "\"";
}

JsonObject& JsonObject::str(const std::string& key, const std::string& value) { return raw(key, jsonQuote(value)); }

JsonObject& JsonObject::raw(const std::string& key, const std::string& json) {
    if (body_.size() > 1) body_ += ',';
    body_ += jsonQuote(key) + ':' + json;
    return *this;
}

std::string jsonArray(const std::vector<std::string>& items) {
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + items[i];
    return out + "]";
}

}  // namespace ledgerbridge::xero
