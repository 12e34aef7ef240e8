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

}  // namespace

std::string Origin::str() const {
    if (file.empty()) return "(built-in)";
    if (line <= 0) return file;
    return file + ":" + std::to_string(line);
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
    std::istringstream in(text);
    std::string raw;
    std::string section;
    int lineNo = 0;
    while (std::getline(in, raw)) {
        ++lineNo;
        Origin at{fileName, lineNo};
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
