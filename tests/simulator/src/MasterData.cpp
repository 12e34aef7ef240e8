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

MasterData::MasterData(const Catalog& catalog) : catalog_(catalog) { seed(); }

std::string MasterData::tagGroupIdOf(int company, const std::string& groupCode) const {
    std::uint64_t h = hashString("tag-group:" + std::to_string(company) + ":" + groupCode);
    return uuidFrom(h, mix64(h));
}

void MasterData::seed() {
    const std::string at = isoTime(1767225600);  // 2026-01-01: seeded before any sync
    auto stamp = [&](Object::Ptr o) {
        o->set("createdAt", at);
        o->set("updatedAt", at);
        return o;
    };
    for (const auto& co : catalog_.companies()) {
        auto put = [&](Kind k, const std::string& id, Object::Ptr o) {
            o->set("id", id);
            records_[k][id] = Record{nextSeq_++, co.index, o};
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
    std::uint64_t seq = nextSeq_++;
    std::uint64_t h = hashString(std::string(kindName(kind)) + std::to_string(seq) + randomToken(8));
    std::string id = uuidFrom(h, mix64(h ^ seq));
    json->set("id", id);
    return records_[kind][id] = Record{seq, company, json};
}

Record* MasterData::find(Kind kind, int company, const std::string& id) {
    std::string lower = id;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto& m = records_[kind];
    auto it = m.find(lower);
    return it == m.end() || it->second.company != company ? nullptr : &it->second;
}

bool MasterData::remove(Kind kind, int company, const std::string& id) {
    Record* r = find(kind, company, id);
    if (!r) return false;
    records_[kind].erase(r->json->getValue<std::string>("id"));
    return true;
}

std::vector<Record*> MasterData::list(Kind kind, int company, const std::function<bool(const Object::Ptr&)>& keep) {
    std::vector<Record*> out;
    for (auto& kv : records_[kind])
        if (kv.second.company == company && (!keep || keep(kv.second.json))) out.push_back(&kv.second);
    std::sort(out.begin(), out.end(), [](const Record* a, const Record* b) { return a->seq < b->seq; });
    return out;
}

Record* MasterData::findBy(Kind kind, int company, const std::string& field, const std::string& value,
                           const std::string& exceptId) {
    if (value.empty()) return nullptr;
    for (auto& kv : records_[kind]) {
        const Record& r = kv.second;
        if (r.company != company || kv.first == exceptId || !r.json->has(field) || r.json->isNull(field)) continue;
        if (r.json->get(field).toString() == value) return &kv.second;
    }
    return nullptr;
}

void MasterData::reset() {
    records_.clear();
    nextSeq_ = 1;
    seed();
}

}  // namespace lbsim
