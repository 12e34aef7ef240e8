// SIE 4 master data: one pass over the records, then the accounts' types and the dimensions
// that objects use without a #DIM of their own.
#include "SieMasterData.hpp"

#include <map>
#include <vector>

#include "Cp437.hpp"

namespace ledgerbridge::sie {

namespace {

struct Field {
    std::string text;  ///< CP437 bytes, quotes removed and escapes resolved
    bool list = false; ///< a `{…}` object list (kept raw; master data never needs one)
};

bool digits(const std::string& s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos; }

/// The fields of one record line as SIE defines them: blanks (space, tab) separate; `"…"` is
/// one field in which `\"` is a quote and `\\` a backslash; `{…}` is one list field.
std::vector<Field> fieldsOf(const std::string& file, std::size_t line, const std::string& text) {
    std::vector<Field> out;
    std::size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        if (c == ' ' || c == '\t') {
            ++i;
        } else if (c == '"') {
            Field f;
            bool closed = false;
            for (++i; i < text.size() && !closed; ++i) {
                if (text[i] == '\\' && i + 1 < text.size() && (text[i + 1] == '"' || text[i + 1] == '\\'))
                    f.text += text[++i];
                else if (text[i] == '"')
                    closed = true;
                else
                    f.text += text[i];
            }
            if (!closed)
                throw sdk::masterDataFileError(file, line, "field " + std::to_string(out.size()),
                                               "a quoted field is not closed (\" missing)");
            out.push_back(f);
        } else if (c == '{') {
            Field f{"", true};
            bool quoted = false;
            for (++i; i < text.size() && (quoted || text[i] != '}'); ++i) {
                if (text[i] == '\\' && quoted && i + 1 < text.size()) f.text += text[i++];
                else if (text[i] == '"') quoted = !quoted;
                f.text += text[i];
            }
            if (i >= text.size())
                throw sdk::masterDataFileError(file, line, "field " + std::to_string(out.size()),
                                               "an object list is not closed (} missing)");
            ++i;
            out.push_back(f);
        } else {
            Field f;
            while (i < text.size() && text[i] != ' ' && text[i] != '\t' && text[i] != '"' && text[i] != '{')
                f.text += text[i++];
            out.push_back(f);
        }
    }
    return out;
}

/// SIE's reserved dimension numbers, for objects of a dimension the file declares no #DIM for.
const char* reservedDimensionName(const std::string& number) {
    static const std::map<std::string, const char*> names{
        {"1", "Kostnadsställe"}, {"2", "Kostnadsbärare"}, {"6", "Projekt"}, {"7", "Anställd"},
        {"8", "Kund"},           {"9", "Leverantör"},     {"10", "Faktura"}};
    const auto it = names.find(number);
    return it == names.end() ? nullptr : it->second;
}

/// #KTYP T/S/K/I as the host's account types.
const char* typeOfKtyp(const std::string& ktyp) {
    if (ktyp == "T") return "asset";
    if (ktyp == "S") return "liability";
    if (ktyp == "K") return "expense";
    if (ktyp == "I") return "revenue";
    return nullptr;
}

/// Without #KTYP: the BAS account class of a four-digit account (1 assets, 2 equity and
/// liabilities, 3 revenue, 4-7 expenses, 8 financial items of either sign).
std::string typeOfBasClass(const std::string& account) {
    if (account.size() != 4) return "other";
    switch (account[0]) {
    case '1': return "asset";
    case '2': return "liability";
    case '3': return "revenue";
    case '4': case '5': case '6': case '7': return "expense";
    default: return "other";
    }
}

class Reader {
public:
    Reader(const std::string& file) : file_(file) {}

    void record(std::size_t line, const std::string& label, const std::vector<Field>& f) {
        if (label == "#FORMAT") {
            need(line, label, f, 1, "the character set");
            if (f[0].text != "PC8")
                throw sdk::masterDataFileError(file_, line, "#FORMAT", "'" + f[0].text +
                                               "' is not PC8, the only character set SIE 4 defines (IBM code page 437)");
        } else if (label == "#KONTO") {
            need(line, label, f, 2, "kontonr, kontonamn");
            account(line, label, f[0].text);
            once(accountLine_, f[0].text, line, "#KONTO " + f[0].text);
            accounts_.push_back(record(sdk::MasterKind::Account, f[0].text, f[0].text,
                                       named(line, "#KONTO " + f[0].text + " kontonamn", f[1])));
        } else if (label == "#KTYP") {
            need(line, label, f, 2, "kontonr, kontotyp");
            account(line, label, f[0].text);
            const char* type = typeOfKtyp(f[1].text);
            if (!type)
                throw sdk::masterDataFileError(file_, line, "#KTYP " + f[0].text + " kontotyp",
                                               "'" + f[1].text + "' is not T, S, K or I");
            types_[f[0].text] = {type, line};
        } else if (label == "#DIM" || label == "#UNDERDIM") {
            need(line, label, f, label == "#DIM" ? 2 : 3, label == "#DIM" ? "dimensionsnr, namn" : "dimensionsnr, namn, superdimension");
            if (!digits(f[0].text) || f[0].text[0] == '0')
                throw sdk::masterDataFileError(file_, line, label + " dimensionsnr", "'" + f[0].text + "' is not a number from 1");
            if (label == "#UNDERDIM" && !digits(f[2].text))
                throw sdk::masterDataFileError(file_, line, label + " superdimension", "'" + f[2].text + "' is not a number");
            once(dimensionLine_, f[0].text, line, label + " " + f[0].text);
            dimensions_.push_back(record(sdk::MasterKind::Dimension, f[0].text, f[0].text,
                                         named(line, label + " " + f[0].text + " namn", f[1])));
        } else if (label == "#OBJEKT") {
            need(line, label, f, 3, "dimensionsnr, objektkod, objektnamn");
            if (!digits(f[0].text) || f[0].text[0] == '0')
                throw sdk::masterDataFileError(file_, line, "#OBJEKT dimensionsnr", "'" + f[0].text + "' is not a number from 1");
            const std::string code = named(line, "#OBJEKT " + f[0].text + " objektkod", f[1]);
            const std::string where = "#OBJEKT " + f[0].text + " \"" + code + "\"";
            once(objectLine_, f[0].text + "/" + code, line, where);
            sdk::MasterRecord r = record(sdk::MasterKind::DimensionValue, f[0].text + "/" + code, code,
                                         named(line, where + " objektnamn", f[2]));
            r.parentId = f[0].text;
            objects_.push_back({r, line});
        } else if (label == "#MOMSKOD") {
            // An account's box in the VAT return; no rate, no name: checked, not returned.
            need(line, label, f, 2, "kontonr, momskod");
            account(line, label, f[0].text);
        }
        // Every other label (#SRU, #IB, #VER, #TRANS, …) carries no master data.
    }

    sdk::MasterRecordsByKind finish() {
        for (auto& [account, type] : types_)
            if (!accountLine_.count(account))
                throw sdk::masterDataFileError(file_, type.second, "#KTYP " + account, "the account has no #KONTO");
        for (auto& a : accounts_) {
            const auto t = types_.find(a.code);
            a.type = t != types_.end() ? t->second.first : typeOfBasClass(a.code);
        }
        for (const auto& [object, line] : objects_) {
            if (dimensionLine_.count(object.parentId)) continue;
            const char* reserved = reservedDimensionName(object.parentId);
            if (!reserved)
                throw sdk::masterDataFileError(file_, line, "#OBJEKT " + object.parentId,
                                               "dimension " + object.parentId + " has no #DIM or #UNDERDIM and is not one SIE reserves");
            dimensionLine_.emplace(object.parentId, line);
            dimensions_.push_back(record(sdk::MasterKind::Dimension, object.parentId, object.parentId, reserved));
        }
        sdk::MasterRecordsByKind out;
        out[sdk::MasterKind::Account] = std::move(accounts_);
        out[sdk::MasterKind::Dimension] = std::move(dimensions_);
        auto& values = out[sdk::MasterKind::DimensionValue];
        for (auto& o : objects_) values.push_back(std::move(o.first));
        return out;
    }

private:
    void need(std::size_t line, const std::string& label, const std::vector<Field>& f, std::size_t n, const char* what) {
        if (f.size() < n)
            throw sdk::masterDataFileError(file_, line, label, "expected " + std::to_string(n) + " fields (" + what +
                                                                   "), found " + std::to_string(f.size()));
        for (std::size_t i = 0; i < n; ++i)
            if (f[i].list)
                throw sdk::masterDataFileError(file_, line, label + " field " + std::to_string(i + 1), "is an object list");
    }
    void account(std::size_t line, const std::string& label, const std::string& number) const {
        if (!digits(number))
            throw sdk::masterDataFileError(file_, line, label + " kontonr", "'" + fromCp437(number) + "' is not an account number (digits)");
    }
    /// The text of `f`, which must not be empty.
    std::string named(std::size_t line, const std::string& field, const Field& f) const {
        std::string text = fromCp437(f.text);
        if (text.empty()) throw sdk::masterDataFileError(file_, line, field, "is empty");
        return text;
    }
    /// Notes `key` as declared on `line`; a second declaration is an error naming the first.
    void once(std::map<std::string, std::size_t>& seen, const std::string& key, std::size_t line,
              const std::string& field) const {
        const auto [first, added] = seen.emplace(key, line);
        if (!added)
            throw sdk::masterDataFileError(file_, line, field, "declared twice (first on line " +
                                                                   std::to_string(first->second) + ")");
    }
    static sdk::MasterRecord record(sdk::MasterKind kind, const std::string& id, const std::string& code,
                                    const std::string& name) {
        sdk::MasterRecord r;
        r.kind = kind;
        r.id = id;
        r.code = code;
        r.name = name;
        return r;
    }

    std::string file_;
    std::vector<sdk::MasterRecord> accounts_, dimensions_;
    std::vector<std::pair<sdk::MasterRecord, std::size_t>> objects_;
    std::map<std::string, std::size_t> accountLine_, dimensionLine_, objectLine_;
    std::map<std::string, std::pair<const char*, std::size_t>> types_;
};

}  // namespace

sdk::MasterRecordsByKind parseSieMasterData(const std::string& file, const std::string& bytes) {
    Reader reader(file);
    std::size_t line = 0;
    for (std::size_t start = 0; start < bytes.size();) {
        std::size_t end = bytes.find('\n', start);
        if (end == std::string::npos) end = bytes.size();
        std::string text = bytes.substr(start, end - start);
        start = end + 1;
        ++line;
        if (!text.empty() && text.back() == '\r') text.pop_back();
        for (char c : text)
            if (static_cast<unsigned char>(c) < 0x20 && c != '\t')
                throw sdk::masterDataFileError(file, line, "line", "a control character (byte " +
                                                   std::to_string(static_cast<int>(static_cast<unsigned char>(c))) + ")");
        const auto first = text.find_first_not_of(" \t");
        if (first == std::string::npos || text[first] == '{' || text[first] == '}') continue;  // blank, #VER block
        if (text[first] != '#')
            throw sdk::masterDataFileError(file, line, "line", "not an SIE record (a record starts with #LABEL)");
        std::vector<Field> fields = fieldsOf(file, line, text.substr(first));
        const std::string label = fields.front().text;
        fields.erase(fields.begin());
        reader.record(line, label, fields);
    }
    return reader.finish();
}

}  // namespace ledgerbridge::sie
