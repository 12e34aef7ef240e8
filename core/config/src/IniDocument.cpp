// Strict INI parsing with line numbers: see IniDocument.h.
#include "ledgerbridge/config/IniDocument.h"

#include <sstream>

namespace ledgerbridge::config {
namespace {

std::string trim(const std::string& s) {
    const char* ws = " \t\r\n";
    auto b = s.find_first_not_of(ws);
    if (b == std::string::npos) return {};
    auto e = s.find_last_not_of(ws);
    return s.substr(b, e - b + 1);
}

bool validName(const std::string& s) {
    if (s.empty()) return false;
    for (char c : s) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                  c == '-' || c == '.';
        if (!ok) return false;
    }
    return s.front() != '.' && s.back() != '.';
}

/// The 1-based column of the first byte of `line` that does not start or continue a valid
/// UTF-8 sequence (overlong forms, surrogates and code points above U+10FFFF included), or 0.
int firstInvalidUtf8(const std::string& line) {
    const auto* s = reinterpret_cast<const unsigned char*>(line.data());
    const std::size_t n = line.size();
    for (std::size_t i = 0; i < n;) {
        const unsigned char c = s[i];
        std::size_t len = 0;
        unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
        if (c < 0x80) len = 1;
        else if (c >= 0xC2 && c <= 0xDF) len = 2;
        else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0) lo = 0xA0;  // overlong
            if (c == 0xED) hi = 0x9F;  // surrogates
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0) lo = 0x90;  // overlong
            if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
        } else {
            return static_cast<int>(i + 1);
        }
        for (std::size_t k = 1; k < len; ++k) {
            const unsigned char min = k == 1 ? lo : 0x80, max = k == 1 ? hi : 0xBF;
            if (i + k >= n || s[i + k] < min || s[i + k] > max) return static_cast<int>(i + k + 1);
        }
        i += len;
    }
    return 0;
}

std::string hexByte(unsigned char c) {
    const char* digits = "0123456789ABCDEF";
    return std::string("0x") + digits[c >> 4] + digits[c & 0xF];
}

}  // namespace

std::string Origin::str() const {
    if (file.empty()) return "(built-in)";
    if (line <= 0) return file;
    return file + ":" + std::to_string(line) + (column > 0 ? ":" + std::to_string(column) : "");
}

std::string Problem::str() const {
    std::string out = origin.str() + ": ";
    if (!key.empty()) out += key + ": ";
    out += message;
    if (!hint.empty()) out += " (" + hint + ")";
    return out;
}

const IniValue* IniDocument::find(const std::string& key) const {
    auto it = values_.find(key);
    return it == values_.end() ? nullptr : &it->second;
}

IniDocument IniDocument::parse(const std::string& text, const std::string& fileName, std::vector<Problem>& problems) {
    IniDocument doc;
    const bool bom = text.compare(0, 3, "\xEF\xBB\xBF") == 0;
    std::istringstream in(bom ? text.substr(3) : text);
    std::string raw;
    std::string section;
    int lineNo = 0;
    while (std::getline(in, raw)) {
        ++lineNo;
        Origin at{fileName, lineNo};
        if (const int column = firstInvalidUtf8(raw)) {
            const int shown = column + (lineNo == 1 && bom ? 3 : 0);  // columns count the file's bytes
            problems.push_back({Origin{fileName, lineNo, shown}, "",
                                "byte " + hexByte(static_cast<unsigned char>(raw[static_cast<std::size_t>(column - 1)])) +
                                    " is not UTF-8; the line is ignored",
                                "save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8); Latin-1 letters such as "
                                "\xC3\xA5 or \xC3\xB8 are one byte there and two in UTF-8"});
            continue;
        }
        std::string line = trim(raw);
        if (line.empty() || line[0] == ';' || line[0] == '#') continue;
        if (line[0] == '[') {
            if (line.back() != ']') {
                problems.push_back({at, "", "section header '" + line + "' has no closing ']'",
                                    "write it as [section.name]"});
                continue;
            }
            std::string name = trim(line.substr(1, line.size() - 2));
            if (!validName(name)) {
                problems.push_back({at, "", "section name '" + name + "' is not valid",
                                    "use letters, digits, '_', '-' and '.' only, e.g. [connection.acme]"});
                continue;
            }
            if (doc.sections_.count(name)) {
                problems.push_back({at, "", "section [" + name + "] appears twice (first at line " +
                                                std::to_string(doc.sections_[name].line) + ")",
                                    "merge the two sections into one"});
            } else {
                doc.sections_[name] = at;
            }
            section = name;
            continue;
        }
        auto eq = line.find('=');
        if (eq == std::string::npos) {
            problems.push_back({at, "", "line '" + line + "' is neither a [section], a 'key = value' pair nor a comment",
                                "comments start with ';' or '#'"});
            continue;
        }
        std::string key = trim(line.substr(0, eq));
        std::string value = trim(line.substr(eq + 1));
        if (!validName(key)) {
            problems.push_back({at, key, "key name is empty or has characters other than letters, digits, '_', '-', '.'",
                                "write it as name = value"});
            continue;
        }
        // Values may be quoted to keep leading/trailing spaces; the quotes are not part of the value.
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
        std::string full = section.empty() ? key : section + "." + key;
        if (auto prev = doc.find(full)) {
            problems.push_back({at, full, "is set twice (first at line " + std::to_string(prev->origin.line) + ")",
                                "keep one of the two lines"});
            continue;
        }
        doc.values_[full] = IniValue{value, at};
    }
    return doc;
}

}  // namespace ledgerbridge::config
