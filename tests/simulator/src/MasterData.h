// Pleo's copy of the ERP's master data, per company: chart of accounts, tax codes, tag groups
// and tags, vendors. Seeded from the Catalog (what Pleo holds before any sync); integrations
// create, update and archive records through the public APIs (MasterDataHandlers); the admin
// API shows the result. Records are kept as the JSON objects the API returns, in creation
// order (the cursor key), so what was written is exactly what is read back. A company's
// records are built on its first use (10,000 companies start in well under a second).
#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "Catalog.h"

namespace lbsim {

enum class Kind { Account, TaxCode, TagGroup, Tag, Vendor };

struct Record {
    std::uint64_t seq = 0;
    int company = 0;
    Poco::JSON::Object::Ptr json;
};

class MasterData {
public:
    explicit MasterData(const Catalog& catalog);
    /// The id of the tag group a catalogue tag's groupCode names (stable per company).
    std::string tagGroupIdOf(int company, const std::string& groupCode) const;
    /// A new record with a fresh id set in `json["id"]`.
    Record& add(Kind kind, int company, Poco::JSON::Object::Ptr json);
    /// The record with this id in this company, or nullptr (other companies' records do not exist).
    Record* find(Kind kind, int company, const std::string& id);
    bool remove(Kind kind, int company, const std::string& id);
    /// Records of a company in creation order that satisfy `keep`.
    std::vector<Record*> list(Kind kind, int company, const std::function<bool(const Poco::JSON::Object::Ptr&)>& keep);
    /// The first record whose string field `field` equals `value` (case-sensitive), ignoring `exceptId`.
    Record* findBy(Kind kind, int company, const std::string& field, const std::string& value, const std::string& exceptId = "");
    void reset();

private:
    struct CompanyRecords {
        bool seeded = false;
        std::uint64_t nextSeq = 1;  // creation order within the company (the cursor key)
        std::map<Kind, std::map<std::string, Record>> byKind;  // kind -> id -> record
    };
    /// The company's records, seeded from the catalogue on first use.
    CompanyRecords& of(int company);
    void seed(int company, CompanyRecords& records);
    const Catalog& catalog_;
    std::vector<CompanyRecords> companies_;  // by company index
};

const char* kindName(Kind kind);

}  // namespace lbsim
