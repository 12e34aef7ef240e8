// The CSV plugin's mapping from entries to RFC 4180 records, and the parser that reads them back.
#include "CsvFormat.hpp"

#include <stdexcept>

#include "ledgerbridge/validation.hpp"

namespace ledgerbridge::csv {

const std::vector<std::string>& knownColumns() {
    static const std::vector<std::string> all{
        "entry_id",      "line_id",        "job_id",          "type",         "sub_type",   "date",
        "booking_date",  "supplier",       "supplier_code",   "employee",     "employee_code", "team",
        "team_code",     "account",        "tax_code",        "tax_rate",     "tax_type",   "net",
        "tax",           "gross",          "currency",        "supplier_gross", "supplier_currency",
        "contra_account", "tags",          "description",     "note",         "receipts",
        "idempotency_key", "tax_account",  "reverse_charge_input_vat", "reverse_charge_input_account",
        "reverse_charge_output_vat", "reverse_charge_output_account"};
    return all;
}

const std::vector<std::string>& defaultColumns() {
    static const std::vector<std::string> cols{"entry_id", "line_id", "date",  "supplier", "account",
                                               "tax_code", "net",     "tax",   "gross",    "currency",
                                               "contra_account", "tags", "description",
                                               "tax_account", "reverse_charge_input_vat",
                                               "reverse_charge_input_account", "reverse_charge_output_vat",
                                               "reverse_charge_output_account", "idempotency_key"};
    return cols;
}

const std::vector<std::string>& requiredColumns() {
    static const std::vector<std::string> cols{"entry_id", "account", "net", "tax", "gross", "currency",
                                               "contra_account", "reverse_charge_input_vat",
                                               "reverse_charge_output_vat"};
    return cols;
}

std::string quoteField(const std::string& field, char delimiter) {
    if (field.find_first_of(std::string{delimiter, '"', '\r', '\n'}) == std::string::npos) return field;
    std::string out = "\"";
    for (char c : field) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

std::string formatRecord(const std::vector<std::string>& fields, char delimiter) {
    std::string out;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i) out += delimiter;
        out += quoteField(fields[i], delimiter);
    }
    return out + "\r\n";
}

std::string headerRecord(const CsvFormat& format) { return formatRecord(format.columns, format.delimiter); }

namespace {
std::string field(const std::string& column, const sdk::Entry& e, const sdk::Line& l, const RowAmounts& r,
                  const CsvFormat& f) {
    auto amount = [&](const sdk::Money& m) { return sdk::formatDecimal(m.minor, m.exponent, f.decimalSeparator); };
    auto rowAmount = [&](std::int64_t minor) { return sdk::formatDecimal(minor, r.exponent, f.decimalSeparator); };
    if (column == "entry_id") return e.accountingEntryId;
    if (column == "line_id") return l.lineId;
    if (column == "job_id") return e.exportJobId;
    if (column == "type") return e.type;
    if (column == "sub_type") return e.subType;
    if (column == "date") return e.date;
    if (column == "booking_date") return e.bookingDate;
    if (column == "supplier") return e.supplier.name;
    if (column == "supplier_code") return e.supplier.code;
    if (column == "employee") return e.employee.name;
    if (column == "employee_code") return e.employee.code;
    if (column == "team") return e.team.name;
    if (column == "team_code") return e.team.code;
    if (column == "account") return l.accountCode;
    if (column == "tax_code") return l.taxCode;
    if (column == "tax_rate") return l.taxRate;
    if (column == "tax_type") return l.taxType;
    if (column == "net") return rowAmount(r.net);
    if (column == "tax") return rowAmount(r.tax);
    if (column == "gross") return rowAmount(r.gross);
    if (column == "currency") return r.currency;
    if (column == "tax_account") return f.taxAccount;
    if (column == "reverse_charge_input_vat") return rowAmount(r.reverseChargeInput);
    if (column == "reverse_charge_input_account") return f.reverseChargeInputAccount;
    if (column == "reverse_charge_output_vat") return rowAmount(r.reverseChargeOutput);
    if (column == "reverse_charge_output_account") return f.reverseChargeOutputAccount;
    if (column == "idempotency_key") return e.idempotencyKey;
    if (column == "supplier_gross") return amount(l.supplierAmount);
    if (column == "supplier_currency") return l.supplierAmount.currency;
    if (column == "contra_account") return e.contraAccountCode;
    if (column == "description") return l.description;
    if (column == "note") return e.note;
    if (column == "tags") {
        std::string out;
        for (const auto& t : l.tags) out += (out.empty() ? "" : ";") + t.groupCode + ":" + t.code;
        return out;
    }
    if (column == "receipts") {
        std::string out;
        for (const auto& receipt : e.receipts) out += (out.empty() ? "" : ";") + receipt.fileName;
        return out;
    }
    throw std::invalid_argument("unknown CSV column " + column);
}
}  // namespace

std::string entryRecords(const sdk::Entry& entry, const std::vector<RowAmounts>& rows, const CsvFormat& format) {
    if (rows.size() != entry.lines.size()) throw std::invalid_argument("entryRecords: one row of amounts per line");
    std::string out;
    for (std::size_t i = 0; i < entry.lines.size(); ++i) {
        std::vector<std::string> fields;
        for (const std::string& c : format.columns) fields.push_back(field(c, entry, entry.lines[i], rows[i], format));
        out += formatRecord(fields, format.delimiter);
    }
    return out;
}

std::vector<std::vector<std::string>> parse(const std::string& text, char delimiter) {
    std::vector<std::vector<std::string>> records;
    std::vector<std::string> record;
    std::string current;
    bool quoted = false, fieldStarted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c != '"') current += c;
            else if (i + 1 < text.size() && text[i + 1] == '"') current += '"', ++i;
            else quoted = false;
        } else if (c == '"' && current.empty()) {
            quoted = fieldStarted = true;
        } else if (c == delimiter) {
            record.push_back(current), current.clear(), fieldStarted = true;
        } else if (c == '\r' || c == '\n') {
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
            record.push_back(current), current.clear();
            records.push_back(std::move(record)), record.clear();
            fieldStarted = false;
        } else {
            current += c, fieldStarted = true;
        }
    }
    if (quoted) throw std::runtime_error("unterminated quoted field at the end of the file");
    if (fieldStarted || !current.empty()) {
        record.push_back(current);
        records.push_back(std::move(record));
    }
    return records;
}

}  // namespace ledgerbridge::csv
