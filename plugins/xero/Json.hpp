// Just enough JSON writing for Xero request bodies: strings quoted and escaped, numbers written
// as exact decimal text (money never passes through a double), objects built field by field.
#pragma once

#include <string>
#include <vector>

namespace ledgerbridge::xero {

/// `text` as a JSON string literal (quotes, backslashes and control characters escaped).
std::string jsonQuote(const std::string& text);

/// Builds one JSON object: JsonObject().str("Type", "SPEND").raw("Total", "12.50").done().
class JsonObject {
public:
    JsonObject& str(const std::string& key, const std::string& value);
    /// A value that is already JSON (a number, object, array, true/false).
    JsonObject& raw(const std::string& key, const std::string& json);
    std::string done() const { return body_ + "}"; }

private:
    std::string body_ = "{";
};

/// "[a,b,c]" of values that are already JSON.
std::string jsonArray(const std::vector<std::string>& items);

}  // namespace ledgerbridge::xero
