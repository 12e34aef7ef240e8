// Master-data records and their seed.
#include "MasterData.h"

#include <algorithm>
#include <set>

#include "Clock.h"
#include "Ids.h"

namespace lbsim {

using Poco::JSON::Object;

const char* kindName(Kind k) {
    switch (k) {
        case Kind::Account: return "accounts";
        case Kind::TaxCode: return "taxCodes";
        case Kind::TagGroup: return "tagGroups";
        case Kind::Tag: return "tags";
        case Kind::Vendor: return "vendors";
    }
    return "";
}

MasterData::MasterData(const Catalog& catalog) : catalog_(catalog), companies_(catalog.companies().size()) {}

MasterData::CompanyRecords& MasterData::of(int company) {
    CompanyRecords& c = companies_.at(static_cast<std::size_t>(company));
    if (!c.seeded) {
        c.seeded = true;
        seed(company, c);
    }
    return c;
}

std::string MasterData::tagGroupIdOf(int company, const std::string& groupCode) const {
    std::uint64_t h = hashString("tag-group:" + std::to_string(company) + ":" + groupCode);
    return uuidFrom(h, mix64(h));
}

// Seeded on the company's first use, not at start: as JSON objects the records of 10,000
// companies took 700 MB and 10 s before the simulator could answer.
void MasterData::seed(int company, CompanyRecords& records) {
    const std::string at = isoTime(1767225600);  // 2026-01-01: seeded before any sync
    auto stamp = [&](Object::Ptr o) {
        o->set("createdAt", at);
        o->set("updatedAt", at);
        return o;
    };
    {
        const Company& co = catalog_.companies().at(static_cast<std::size_t>(company));
        auto put = [&](Kind k, const std::string& id, Object::Ptr o) {
            o->set("id", id);
            records.byKind[k][id] = Record{records.nextSeq++, co.index, o};
        };
        for (const auto& a : co.accounts) {
            Object::Ptr o = new Object;
            o->set("companyId", co.id);
            o->set("code", a.code);
            o->set("name", a.name);
            o->set("externalId", a.code);
            o->set("archived", false);
            put(Kind::Account, a.id, o);
        }
        for (const auto& t : co.taxCodes) {
            Object::Ptr o = stamp(new Object);
            o->set("companyId", co.id);
            o->set("code", t.code);
            o->set("name", t.code);
            o->set("rate", static_cast<double>(t.rateBp) / 10000.0);  // a rate, not money
            o->set("type", t.type);
            o->set("archived", false);
            put(Kind::TaxCode, t.id, o);
        }
        std::set<std::string> groups;
        for (const auto& t : co.tags) groups.insert(t.groupCode);
        for (const auto& g : groups) {
            Object::Ptr o = stamp(new Object);
            o->set("companyId", co.id);
            o->set("code", g);
            o->set("name", g);
            o->set("archived", false);
            o->set("metadata", Object::Ptr(new Object));
            put(Kind::TagGroup, tagGroupIdOf(co.index, g), o);
        }
        for (const auto& t : co.tags) {
            Object::Ptr o = stamp(new Object);
            o->set("groupId", tagGroupIdOf(co.index, t.groupCode));
            o->set("code", t.code);
            o->set("name", t.code);
            o->set("archived", false);
            put(Kind::Tag, t.id, o);
        }
        for (const auto& v : co.vendors) {
            Object::Ptr o = stamp(new Object);
            o->set("companyId", co.id);
            o->set("code", v.code);
            o->set("externalId", v.code);
            o->set("name", v.name);
            o->set("country", v.country);
            o->set("defaultCurrency", v.currency);
            o->set("state", "ACTIVE");
            put(Kind::Vendor, v.id, o);
        }
    }
}

Record& MasterData::add(Kind kind, int company, Object::Ptr json) {
    CompanyRecords& records = of(company);
    std::uint64_t seq = records.nextSeq++;
    std::uint64_t h = hashString(std::string(kindName(kind)) + std::to_string(seq) + randomToken(8));
    std::string id = uuidFrom(h, mix64(h ^ seq));
    json->set("id", id);
    return records.byKind[kind][id] = Record{seq, company, json};
}

Record* MasterData::find(Kind kind, int company, const std::string& id) {
    std::string lower = id;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto& m = of(company).byKind[kind];
    auto it = m.find(lower);
    return it == m.end() ? nullptr : &it->second;
}

bool MasterData::remove(Kind kind, int company, const std::string& id) {
    Record* r = find(kind, company, id);
    if (!r) return false;
    of(company).byKind[kind].erase(r->json->getValue<std::string>("id"));
    return true;
}

std::vector<Record*> MasterData::list(Kind kind, int company, const std::function<bool(const Object::Ptr&)>& keep) {
    std::vector<Record*> out;
    for (auto& kv : of(company).byKind[kind])
        if ((!keep || keep(kv.second.json))) out.push_back(&kv.second);
    std::sort(out.begin(), out.end(), [](const Record* a, const Record* b) { return a->seq < b->seq; });
    return out;
}

Record* MasterData::findBy(Kind kind, int company, const std::string& field, const std::string& value,
                           const std::string& exceptId) {
    if (value.empty()) return nullptr;
    for (auto& kv : of(company).byKind[kind]) {
        const Record& r = kv.second;
        if (kv.first == exceptId || !r.json->has(field) || r.json->isNull(field)) continue;
        if (r.json->get(field).toString() == value) return &kv.second;
    }
    return nullptr;
}

void MasterData::reset() {
    for (auto& c : companies_) c = CompanyRecords();
}

}  // namespace lbsim
