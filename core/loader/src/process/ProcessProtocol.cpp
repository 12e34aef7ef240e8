// Encoding of the SDK's values for the plugin host protocol: see ProcessProtocol.h. Every field
// in declaration order; enums as their ABI integers, checked on the way in.
#include "ProcessProtocol.h"

namespace ledgerbridge::loader::protocol {
using wire::Decoder;
using wire::Encoder;
using wire::ProtocolError;

const char* operationName(Operation op) {
    switch (op) {
    case Operation::Configure: return "configure";
    case Operation::Check: return "check";
    case Operation::Plan: return "plan";
    case Operation::Push: return "push";
    case Operation::Lookup: return "lookup";
    case Operation::ReadMasterData: return "read_master_data";
    }
    return "unknown";
}

namespace {
void put(Encoder& e, const sdk::Money& m) {
    e.i64(m.minor);
    e.str(m.currency);
    e.i32(m.exponent);
}
sdk::Money getMoney(Decoder& d) {
    sdk::Money m;
    m.minor = d.i64();
    m.currency = d.str();
    m.exponent = d.i32();
    return m;
}
void put(Encoder& e, const sdk::Party& p) {
    e.str(p.id);
    e.str(p.code);
    e.str(p.name);
}
sdk::Party getParty(Decoder& d) {
    sdk::Party p;
    p.id = d.str();
    p.code = d.str();
    p.name = d.str();
    return p;
}
void put(Encoder& e, const sdk::Line& l) {
    e.str(l.lineId);
    put(e, l.supplierAmount);
    put(e, l.walletAmount);
    put(e, l.netAmount);
    e.str(l.accountCode);
    e.str(l.accountId);
    e.str(l.taxCode);
    e.str(l.taxRate);
    e.str(l.taxType);
    put(e, l.taxAmount);
    e.u32(static_cast<std::uint32_t>(l.tags.size()));
    for (const sdk::Tag& t : l.tags) {
        e.str(t.groupCode);
        e.str(t.code);
        e.str(t.name);
    }
    e.str(l.description);
}
sdk::Line getLine(Decoder& d) {
    sdk::Line l;
    l.lineId = d.str();
    l.supplierAmount = getMoney(d);
    l.walletAmount = getMoney(d);
    l.netAmount = getMoney(d);
    l.accountCode = d.str();
    l.accountId = d.str();
    l.taxCode = d.str();
    l.taxRate = d.str();
    l.taxType = d.str();
    l.taxAmount = getMoney(d);
    for (std::size_t n = d.count(12); n > 0; --n) {
        sdk::Tag t;
        t.groupCode = d.str();
        t.code = d.str();
        t.name = d.str();
        l.tags.push_back(std::move(t));
    }
    l.description = d.str();
    return l;
}
template <typename T, typename Get>
std::vector<T> getList(Decoder& d, std::size_t minBytes, Get get) {
    std::vector<T> out;
    for (std::size_t n = d.count(minBytes); n > 0; --n) out.push_back(get(d));
    return out;
}
void putRecord(Encoder& e, const sdk::MasterRecord& r) {
    e.i32(static_cast<std::int32_t>(r.kind));
    for (const std::string* s : {&r.id, &r.code, &r.name}) e.str(*s);
    e.boolean(r.archived);
    for (const std::string* s : {&r.type, &r.parentId, &r.taxRate, &r.inputAccountCode, &r.outputAccountCode,
                                 &r.defaultTaxCodeId, &r.defaultAccountCode, &r.registrationNumber, &r.vatNumber,
                                 &r.country, &r.currency, &r.updatedAt})
        e.str(*s);
}
sdk::MasterKind getKind(Decoder& d) {
    const std::int32_t k = d.i32();
    if (k < LB_MD_ACCOUNT || k > LB_MD_SUPPLIER) throw ProtocolError("master-data kind " + std::to_string(k));
    return static_cast<sdk::MasterKind>(k);
}
sdk::MasterRecord getRecord(Decoder& d) {
    sdk::MasterRecord r;
    r.kind = getKind(d);
    for (std::string* s : {&r.id, &r.code, &r.name}) *s = d.str();
    r.archived = d.boolean();
    for (std::string* s : {&r.type, &r.parentId, &r.taxRate, &r.inputAccountCode, &r.outputAccountCode,
                           &r.defaultTaxCodeId, &r.defaultAccountCode, &r.registrationNumber, &r.vatNumber, &r.country,
                           &r.currency, &r.updatedAt})
        *s = d.str();
    return r;
}
void putHeaders(Encoder& e, const std::vector<std::pair<std::string, std::string>>& headers) {
    e.u32(static_cast<std::uint32_t>(headers.size()));
    for (const auto& [k, v] : headers) {
        e.str(k);
        e.str(v);
    }
}
std::vector<std::pair<std::string, std::string>> getHeaders(Decoder& d) {
    std::vector<std::pair<std::string, std::string>> out;
    for (std::size_t n = d.count(8); n > 0; --n) {
        std::string k = d.str();
        out.emplace_back(std::move(k), d.str());
    }
    return out;
}
}  // namespace

void put(Encoder& e, const sdk::Entry& v) {
    for (const std::string* s : {&v.accountingEntryId, &v.exportJobId, &v.idempotencyKey, &v.type, &v.subType, &v.date,
                                 &v.bookingDate, &v.note})
        e.str(*s);
    put(e, v.supplier);
    put(e, v.employee);
    put(e, v.team);
    put(e, v.totalSupplier);
    put(e, v.totalWallet);
    e.u32(static_cast<std::uint32_t>(v.lines.size()));
    for (const sdk::Line& l : v.lines) put(e, l);
    e.str(v.contraAccountCode);
    e.str(v.contraAccountId);
    e.u32(static_cast<std::uint32_t>(v.receipts.size()));
    for (const sdk::Receipt& r : v.receipts) {
        e.str(r.path);
        e.str(r.fileName);
        e.str(r.mimeType);
    }
}

sdk::Entry getEntry(Decoder& d) {
    sdk::Entry v;
    for (std::string* s : {&v.accountingEntryId, &v.exportJobId, &v.idempotencyKey, &v.type, &v.subType, &v.date,
                           &v.bookingDate, &v.note})
        *s = d.str();
    v.supplier = getParty(d);
    v.employee = getParty(d);
    v.team = getParty(d);
    v.totalSupplier = getMoney(d);
    v.totalWallet = getMoney(d);
    v.lines = getList<sdk::Line>(d, 16, getLine);
    v.contraAccountCode = d.str();
    v.contraAccountId = d.str();
    v.receipts = getList<sdk::Receipt>(d, 12, [](Decoder& x) {
        sdk::Receipt r;
        r.path = x.str();
        r.fileName = x.str();
        r.mimeType = x.str();
        return r;
    });
    return v;
}

void put(Encoder& e, const std::vector<sdk::Entry>& v) {
    e.u32(static_cast<std::uint32_t>(v.size()));
    for (const sdk::Entry& x : v) put(e, x);
}
std::vector<sdk::Entry> getEntries(Decoder& d) { return getList<sdk::Entry>(d, 32, getEntry); }

void put(Encoder& e, const sdk::Outcome& v) {
    e.u64(v.entryIndex);
    e.i32(static_cast<std::int32_t>(v.kind));
    e.str(v.externalId);
    e.str(v.externalUrl);
    e.str(v.failureReason);
    e.str(v.message);
}
sdk::Outcome getOutcome(Decoder& d) {
    sdk::Outcome v;
    v.entryIndex = d.u64();
    const std::int32_t kind = d.i32();
    if (kind < LB_OUTCOME_POSTED || kind > LB_OUTCOME_ABSENT) throw ProtocolError("outcome kind " + std::to_string(kind));
    v.kind = static_cast<sdk::OutcomeKind>(kind);
    v.externalId = d.str();
    v.externalUrl = d.str();
    v.failureReason = d.str();
    v.message = d.str();
    return v;
}
void put(Encoder& e, const std::vector<sdk::Outcome>& v) {
    e.u32(static_cast<std::uint32_t>(v.size()));
    for (const sdk::Outcome& x : v) put(e, x);
}
std::vector<sdk::Outcome> getOutcomes(Decoder& d) { return getList<sdk::Outcome>(d, 28, getOutcome); }

void put(Encoder& e, const sdk::PlanResult& v) {
    e.u32(static_cast<std::uint32_t>(v.documents.size()));
    for (const sdk::Document& doc : v.documents) {
        e.u64(doc.entryIndex);
        e.str(doc.action);
        e.str(doc.contentType);
        e.str(doc.body);
    }
    put(e, v.rejections);
}
sdk::PlanResult getPlan(Decoder& d) {
    sdk::PlanResult v;
    v.documents = getList<sdk::Document>(d, 20, [](Decoder& x) {
        sdk::Document doc;
        doc.entryIndex = x.u64();
        doc.action = x.str();
        doc.contentType = x.str();
        doc.body = x.str();
        return doc;
    });
    v.rejections = getOutcomes(d);
    return v;
}

void put(Encoder& e, const sdk::MasterDataRequest& v) {
    e.i32(static_cast<std::int32_t>(v.kind));
    e.str(v.cursor);
    e.str(v.changedSince);
    e.u64(v.pageSize);
}
sdk::MasterDataRequest getMasterDataRequest(Decoder& d) {
    sdk::MasterDataRequest v;
    v.kind = getKind(d);
    v.cursor = d.str();
    v.changedSince = d.str();
    v.pageSize = d.u64();
    return v;
}
void put(Encoder& e, const sdk::MasterDataPage& v) {
    e.u32(static_cast<std::uint32_t>(v.records.size()));
    for (const sdk::MasterRecord& r : v.records) putRecord(e, r);
    e.str(v.nextCursor);
}
sdk::MasterDataPage getMasterDataPage(Decoder& d) {
    sdk::MasterDataPage v;
    v.records = getList<sdk::MasterRecord>(d, 60, getRecord);
    v.nextCursor = d.str();
    return v;
}

void put(Encoder& e, const Description& v) {
    const sdk::Manifest& m = v.manifest;
    for (const std::string* s : {&m.name, &m.version, &m.targetSystem, &m.description}) e.str(*s);
    e.i32(static_cast<std::int32_t>(m.maturity));
    e.u32(m.capabilities);
    e.u32(static_cast<std::uint32_t>(m.settings.size()));
    for (const sdk::SettingSpec& s : m.settings) {
        e.str(s.key);
        e.i32(static_cast<std::int32_t>(s.type));
        e.optStr(s.defaultValue);
        e.boolean(s.secret);
        e.str(s.description);
    }
    e.boolean(m.oauth.has_value());
    if (m.oauth) {
        e.str(m.oauth->authorizeUrl);
        e.str(m.oauth->tokenUrl);
        e.str(m.oauth->scopes);
    }
    e.u32(static_cast<std::uint32_t>(m.tokenHosts.size()));
    for (const std::string& h : m.tokenHosts) e.str(h);
    e.u32(static_cast<std::uint32_t>(m.targetIdentity.size()));
    for (const std::string& k : m.targetIdentity) e.str(k);
    e.u32(v.abiMajor);
    e.u32(v.abiMinor);
    e.boolean(v.masterDataSlot);
}
Description getDescription(Decoder& d) {
    Description v;
    sdk::Manifest& m = v.manifest;
    for (std::string* s : {&m.name, &m.version, &m.targetSystem, &m.description}) *s = d.str();
    m.maturity = static_cast<sdk::Maturity>(d.i32());
    m.capabilities = d.u32();
    m.settings = getList<sdk::SettingSpec>(d, 14, [](Decoder& x) {
        sdk::SettingSpec s;
        s.key = x.str();
        const std::int32_t type = x.i32();
        if (type < LB_SETTING_STRING || type > LB_SETTING_PATH) throw ProtocolError("setting type " + std::to_string(type));
        s.type = static_cast<sdk::SettingType>(type);
        s.defaultValue = x.optStr();
        s.secret = x.boolean();
        s.description = x.str();
        return s;
    });
    if (d.boolean()) {
        sdk::OAuthSpec o;
        o.authorizeUrl = d.str();
        o.tokenUrl = d.str();
        o.scopes = d.str();
        m.oauth = o;
    }
    m.tokenHosts = getList<std::string>(d, 4, [](Decoder& x) { return x.str(); });
    m.targetIdentity = getList<std::string>(d, 4, [](Decoder& x) { return x.str(); });
    v.abiMajor = d.u32();
    v.abiMinor = d.u32();
    v.masterDataSlot = d.boolean();
    return v;
}

void put(Encoder& e, const Settings& v) { putHeaders(e, v); }
Settings getSettings(Decoder& d) { return getHeaders(d); }

void put(Encoder& e, const sdk::HttpRequest& v) {
    e.str(v.method);
    e.str(v.url);
    putHeaders(e, v.headers);
    e.str(v.body);
    e.u32(v.timeoutMs);
    e.boolean(v.useTargetToken);
}
sdk::HttpRequest getHttpRequest(Decoder& d) {
    sdk::HttpRequest v;
    v.method = d.str();
    v.url = d.str();
    v.headers = getHeaders(d);
    v.body = d.str();
    v.timeoutMs = d.u32();
    v.useTargetToken = d.boolean();
    return v;
}
void put(Encoder& e, const sdk::HttpResponse& v) {
    e.i32(v.status);
    putHeaders(e, v.headers);
    e.str(v.body);
}
sdk::HttpResponse getHttpResponse(Decoder& d) {
    sdk::HttpResponse v;
    v.status = d.i32();
    v.headers = getHeaders(d);
    v.body = d.str();
    return v;
}

}  // namespace ledgerbridge::loader::protocol
