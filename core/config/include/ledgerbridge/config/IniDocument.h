// A strict INI reader that remembers where every value came from (file and line), so that
// `ledgerbridge config validate` can point at the exact line to fix. The syntax is the subset
// Poco::Util::IniFileConfiguration reads: `[section]` headers, `key = value` pairs, and full-line
// comments starting with `;` or `#`. Keys are addressed as "section.key" like Poco does.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace ledgerbridge::config {

/// Where a value or a problem sits: "file:line" or "file:line:column" (line 0 = not from the
/// file; column 0 = the whole line).
struct Origin {
    std::string file;
    int line = 0;
    int column = 0;
    std::string str() const;
};

struct IniValue {
    std::string value;
    Origin origin;
};

/// One problem found in a configuration: where, which key, what is wrong, how to fix it.
struct Problem {
    Origin origin;
    std::string key;
    std::string message;
    std::string hint;
    /// "file:line: key: message (hint)" in one line.
    std::string str() const;
};

class IniDocument {
public:
    /// Parses `text` read from `fileName`. Syntax errors (a line that is neither a section, a
    /// pair nor a comment; a duplicate key; an empty key; a byte that is not UTF-8, with its
    /// column) are added to `problems`, never thrown. A UTF-8 byte order mark at the start is
    /// skipped: it carries no meaning in UTF-8, and Windows editors (Notepad) write it.
    static IniDocument parse(const std::string& text, const std::string& fileName, std::vector<Problem>& problems);

    /// All values by full key ("section.key", or "key" before the first section), in file order.
    const std::map<std::string, IniValue>& values() const { return values_; }
    /// Section names with the line of their header.
    const std::map<std::string, Origin>& sections() const { return sections_; }

    bool has(const std::string& key) const { return values_.count(key) != 0; }
    const IniValue* find(const std::string& key) const;
    void set(const std::string& key, IniValue value) { values_[key] = std::move(value); }

private:
    std::map<std::string, IniValue> values_;
    std::map<std::string, Origin> sections_;
};

}  // namespace ledgerbridge::config
