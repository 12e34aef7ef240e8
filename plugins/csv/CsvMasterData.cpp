// CSV master data: the SDK's RFC 4180 reader (rows with the line each starts on), then one
// column table per kind that says which columns exist, which are required and what each value may be.
#include "CsvMasterData.hpp"

#include <functional>
#include <map>
#include <vector>

namespace ledgerbridge::csv {

namespace {

bool validUtf8(const std::string& s) {
    for (std::size_t i = 0; i < s.size();) {
        const auto b = static_cast<unsigned char>(s[i]);
        const std::size_t len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
        if (len == 0 || i + len > s.size() || (len == 2 && b < 0xC2)) return false;
        for (std::size_t k = 1; k < len; ++k)
            if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
        i += len;
    }
    return true;
}

bool exactDecimal(const std::string& s) {
    const auto dot = s.find('.');
    const std::string whole = s.substr(0, dot), frac = dot == std::string::npos ? "1" : s.substr(dot + 1);
    auto digits = [](const std::string& d) { return !d.empty() && d.find_first_not_of("0123456789") == std::string::npos; };
    return digits(whole) && digits(frac);
}

bool upperLetters(const std::string& s, std::size_t n) {
    if (s.size() != n) return false;
    for (char c : s)
        if (c < 'A' || c > 'Z') return false;
    return true;
}

/// One column of a kind: its header name, whether a value is required, and where it goes
/// (returning a problem, or "" when the value is valid).
struct Column {
    const char* name;
    bool required;
    std::function<std::string(sdk::MasterRecord&, const std::string&)> set;
};

std::string oneOf(const std::string& v, std::initializer_list<const char*> allowed) {
    std::string list;
    for (const char* a : allowed) {
        if (v == a) return "";
        list += (list.empty() ? "" : ", ") + std::string(a);
    }
    return "'" + v + "' is not one of " + list;
}

const std::vector<Column>& columnsOf(sdk::MasterKind kind) {
    using R = sdk::MasterRecord;
    const Column id{"id", false, [](R& r, const std::string& v) { r.id = v; return ""; }};
    const Column code{"code", true, [](R& r, const std::string& v) { r.code = v; return ""; }};
    const Column name{"name", true, [](R& r, const std::string& v) { r.name = v; return ""; }};
    const Column archived{"archived", false, [](R& r, const std::string& v) {
                              r.archived = v == "true";
                              return v.empty() ? "" : oneOf(v, {"true", "false"});
                          }};
    static const std::map<sdk::MasterKind, std::vector<Column>> columns{
        {sdk::MasterKind::Account,
         {id, code, name, archived,
          {"type", true,
           [](R& r, const std::string& v) {
               r.type = v;
               return oneOf(v, {"expense", "asset", "liability", "equity", "revenue", "other"});
           }},
          {"default_tax_code", false, [](R& r, const std::string& v) { r.defaultTaxCodeId = v; return ""; }}}},
        {sdk::MasterKind::TaxCode,
         {id, code, name, archived,
          {"rate", true,
           [](R& r, const std::string& v) {
               r.taxRate = v;
               return exactDecimal(v) ? "" : "'" + v + "' is not a percentage in decimal digits (25, 12.5)";
           }},
          {"type", true,
           [](R& r, const std::string& v) {
               r.type = v;
               return oneOf(v, {"normal", "reverse", "exempt"});
           }},
          {"input_account", false, [](R& r, const std::string& v) { r.inputAccountCode = v; return ""; }},
          {"output_account", false, [](R& r, const std::string& v) { r.outputAccountCode = v; return ""; }}}},
        {sdk::MasterKind::Dimension, {id, code, name, archived}},
        {sdk::MasterKind::DimensionValue,
         {id, code, name, archived,
          {"dimension", true, [](R& r, const std::string& v) { r.parentId = v; return ""; }}}},
        {sdk::MasterKind::Supplier,
         {id, code, name, archived,
          {"registration_number", false, [](R& r, const std::string& v) { r.registrationNumber = v; return ""; }},
          {"vat_number", false, [](R& r, const std::string& v) { r.vatNumber = v; return ""; }},
          {"country", false,
           [](R& r, const std::string& v) {
               r.country = v;
               return v.empty() || upperLetters(v, 2) ? "" : "'" + v + "' is not an ISO 3166-1 alpha-2 code (SE, DE)";
           }},
          {"currency", false,
           [](R& r, const std::string& v) {
               r.currency = v;
               return v.empty() || upperLetters(v, 3) ? "" : "'" + v + "' is not an ISO 4217 code (SEK, EUR)";
           }},
          {"default_account", false, [](R& r, const std::string& v) { r.defaultAccountCode = v; return ""; }}}},
    };
    return columns.at(kind);
}

}  // namespace

std::string masterDataFileName(sdk::MasterKind kind) {
    switch (kind) {
    case sdk::MasterKind::Account: return "accounts.csv";
    case sdk::MasterKind::TaxCode: return "tax_codes.csv";
    case sdk::MasterKind::Dimension: return "dimensions.csv";
    case sdk::MasterKind::DimensionValue: return "dimension_values.csv";
    case sdk::MasterKind::Supplier: return "suppliers.csv";
    }
    return sdk::masterKindName(kind) + ".csv";
}

sdk::MasterRecordsByKind parseCsvMasterData(sdk::MasterKind kind, const std::string& file, const std::string& bytes) {
    sdk::MasterRecordsByKind out;
    auto& records = out[kind];
    const std::vector<sdk::DelimitedRow> rows = sdk::delimitedRows(file, bytes, ',');
    if (rows.empty()) return out;  // an empty file: no records
    const std::vector<Column>& columns = columnsOf(kind);
    std::vector<const Column*> byPosition;
    for (const std::string& header : rows[0].fields) {
        const Column* found = nullptr;
        for (const Column& c : columns) found = header == c.name ? &c : found;
        if (!found) {
            std::string known;
            for (const Column& c : columns) known += (known.empty() ? "" : ", ") + std::string(c.name);
            throw sdk::masterDataFileError(file, rows[0].line, "header", "unknown column '" + header + "'; " +
                                               masterDataFileName(kind) + " has " + known);
        }
        for (const Column* seen : byPosition)
            if (seen == found) throw sdk::masterDataFileError(file, rows[0].line, "header", "column '" + header + "' twice");
        byPosition.push_back(found);
    }
    for (const Column& c : columns) {
        bool present = false;
        for (const Column* p : byPosition) present = present || p == &c;
        if (c.required && !present)
            throw sdk::masterDataFileError(file, rows[0].line, "header", "required column '" + std::string(c.name) + "' is missing");
    }
    std::map<std::string, std::size_t> idLine;
    for (std::size_t n = 1; n < rows.size(); ++n) {
        const sdk::DelimitedRow& row = rows[n];
        if (row.fields.size() != byPosition.size())
            throw sdk::masterDataFileError(file, row.line, "row", std::to_string(row.fields.size()) + " fields, the header has " +
                                                                     std::to_string(byPosition.size()));
        sdk::MasterRecord r;
        r.kind = kind;
        for (std::size_t k = 0; k < row.fields.size(); ++k) {
            const std::string& value = row.fields[k];
            const Column& c = *byPosition[k];
            if (!validUtf8(value)) throw sdk::masterDataFileError(file, row.line, c.name, "not valid UTF-8");
            if (c.required && value.empty()) throw sdk::masterDataFileError(file, row.line, c.name, "is empty");
            const std::string problem = c.set(r, value);
            if (!problem.empty()) throw sdk::masterDataFileError(file, row.line, c.name, problem);
        }
        if (r.id.empty()) r.id = kind == sdk::MasterKind::DimensionValue ? r.parentId + "/" + r.code : r.code;
        if (!idLine.emplace(r.id, row.line).second)
            throw sdk::masterDataFileError(file, row.line, "id", "'" + r.id + "' is already on line " + std::to_string(idLine[r.id]));
        records.push_back(std::move(r));
    }
    return out;
}

}  // namespace ledgerbridge::csv
