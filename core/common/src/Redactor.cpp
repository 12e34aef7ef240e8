// Redaction registry: see Redactor.h. Each secret is stored in every form it can take in
// text we print: raw, URL-encoded (query strings, form bodies) and JSON-escaped (bodies). The
// forms are indexed by their first or last kPrefix bytes; a form shared by two secrets is counted.
#include "ledgerbridge/common/Redactor.h"

#include <Poco/URI.h>

#include <algorithm>
#include <bitset>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <stdexcept>
#include <unordered_map>
#include <vector>

namespace ledgerbridge {
namespace {

constexpr std::size_t kPrefix = 6;  // the shortest secret accepted
constexpr Redactor::Clock::time_point kForever = Redactor::Clock::time_point::max();

std::uint64_t prefixKey(const char* p) {
    std::uint64_t k = 0;
    std::memcpy(&k, p, kPrefix);
    return k;
}

std::size_t bloomSlot(std::uint64_t key) { return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> 48); }

std::string jsonEscaped(std::string_view s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '/': out += "\\/"; break;
            default: out += c;
        }
    }
    return out;
}

std::vector<std::string> formsOf(const std::string& raw) {
    std::string urlEncoded;
    Poco::URI::encode(raw, "!#$&'()*+,/:;=?@[]", urlEncoded);
    std::vector<std::string> f{raw, urlEncoded, jsonEscaped(raw)};
    std::sort(f.begin(), f.end());
    f.erase(std::unique(f.begin(), f.end()), f.end());
    return f;
}

/// Forms found by a 6-byte key: either their first 6 bytes (looked up at each position a match
/// could start) or their last 6 (at each position one could end). Each form goes to whichever
/// bucket is smaller when it is added, so forms that share a long prefix (JWTs all start with
/// the same header) or a suffix (URL-encoded base64 padding, "%3D%3D") do not pile up in one
/// bucket that every line would have to walk.
struct KeyedForms {
    std::unordered_map<std::uint64_t, std::vector<std::string>> byKey;
    std::bitset<65536> bloom;

    std::size_t bucketSize(std::uint64_t key) const {
        auto it = byKey.find(key);
        return it == byKey.end() ? 0 : it->second.size();
    }
    void insert(std::uint64_t key, const std::string& f) {
        byKey[key].push_back(f);
        bloom.set(bloomSlot(key));
    }
    void erase(std::uint64_t key, const std::string& f) {
        auto list = byKey.find(key);
        if (list == byKey.end()) return;
        list->second.erase(std::remove(list->second.begin(), list->second.end(), f), list->second.end());
        if (!list->second.empty()) return;
        byKey.erase(list);
        // Another key may share the slot: clear it only if none does.
        const std::size_t slot = bloomSlot(key);
        for (const auto& [k, v] : byKey)
            if (bloomSlot(k) == slot) return;
        bloom.reset(slot);
    }
    const std::vector<std::string>* find(std::uint64_t key) const {
        if (!bloom.test(bloomSlot(key))) return nullptr;
        auto it = byKey.find(key);
        return it == byKey.end() ? nullptr : &it->second;
    }
    void clear() {
        byKey.clear();
        bloom.reset();
    }
};

struct FormRef {
    int refs = 0;
    bool bySuffix = false;  ///< which index holds it
};

struct Registry {
    mutable std::shared_mutex mutex;
    std::function<Redactor::Clock::time_point()> clock;
    std::unordered_map<std::string, Redactor::Clock::time_point> secrets;  ///< raw -> forget after
    /// One node per secret that expires, at or before its time: a secret registered again for
    /// longer is moved when its old node comes due, so re-registering costs no node.
    std::multimap<Redactor::Clock::time_point, std::string> expiries;
    std::unordered_map<std::string, FormRef> forms;
    KeyedForms byPrefix;
    KeyedForms bySuffix;

    Redactor::Clock::time_point now() const { return clock ? clock() : Redactor::Clock::now(); }

    static std::uint64_t headKey(const std::string& f) { return prefixKey(f.data()); }
    static std::uint64_t tailKey(const std::string& f) { return prefixKey(f.data() + f.size() - kPrefix); }

    void addForms(const std::string& raw) {
        for (const auto& f : formsOf(raw)) {
            FormRef& ref = forms[f];
            if (ref.refs++ > 0) continue;
            ref.bySuffix = bySuffix.bucketSize(tailKey(f)) < byPrefix.bucketSize(headKey(f));
            if (ref.bySuffix)
                bySuffix.insert(tailKey(f), f);
            else
                byPrefix.insert(headKey(f), f);
        }
    }

    void removeForms(const std::string& raw) {
        for (const auto& f : formsOf(raw)) {
            auto it = forms.find(f);
            if (it == forms.end() || --it->second.refs > 0) continue;
            if (it->second.bySuffix)
                bySuffix.erase(tailKey(f), f);
            else
                byPrefix.erase(headKey(f), f);
            forms.erase(it);
        }
    }

    void sweepLocked(Redactor::Clock::time_point t) {
        while (!expiries.empty() && expiries.begin()->first < t) {
            auto node = expiries.begin();
            std::string raw = std::move(node->second);
            expiries.erase(node);
            auto s = secrets.find(raw);
            if (s == secrets.end()) continue;
            if (s->second < t) {
                removeForms(raw);
                secrets.erase(s);
            } else if (s->second != kForever) {
                expiries.emplace(s->second, std::move(raw));  // registered again for longer
            }
        }
    }

    void add(std::string_view secret, Redactor::Clock::time_point until) {
        if (secret.size() < kPrefix)
            throw std::invalid_argument("a secret shorter than 6 characters cannot be redacted safely");
        std::unique_lock lock(mutex);
        sweepLocked(now());
        std::string raw(secret);
        auto [it, inserted] = secrets.emplace(raw, until);
        if (inserted) {
            addForms(raw);
            if (until != kForever) expiries.emplace(until, std::move(raw));
        } else if (until > it->second) {
            it->second = until;  // its node, when due, moves to the new time
        }
    }
};

Registry& registry() {
    static Registry* r = new Registry();  // never destroyed: logging may run during static destruction
    return *r;
}

}  // namespace

Redactor& Redactor::global() {
    static Redactor instance;
    return instance;
}

void Redactor::add(std::string_view secret) { registry().add(secret, kForever); }

void Redactor::addUntil(std::string_view secret, Clock::time_point forgetAfter) {
    registry().add(secret, forgetAfter == kForever ? forgetAfter - Clock::duration(1) : forgetAfter);
}

std::string Redactor::redact(std::string_view text) const {
    Registry& r = registry();
    // Expired values are forgotten by writers (add, size), so readers keep the lock shared;
    // until then an expired value is still replaced, which errs on the safe side.
    std::shared_lock lock(r.mutex);
    if (r.forms.empty() || text.size() < kPrefix) return std::string(text);
    // Every occurrence of every form, as [start, end); overlapping ones are replaced as one, so
    // no part of any secret is left when two overlap.
    std::vector<std::pair<std::size_t, std::size_t>> hits;
    const std::size_t n = text.size();
    for (std::size_t p = 0; p + kPrefix <= n; ++p) {
        const std::uint64_t key = prefixKey(text.data() + p);
        if (const auto* starting = r.byPrefix.find(key))
            for (const auto& f : *starting)
                if (f.size() <= n - p && text.compare(p, f.size(), f) == 0) hits.emplace_back(p, p + f.size());
        if (const auto* ending = r.bySuffix.find(key))  // forms whose last 6 bytes are these
            for (const auto& f : *ending)
                if (f.size() <= p + kPrefix && text.compare(p + kPrefix - f.size(), f.size(), f) == 0)
                    hits.emplace_back(p + kPrefix - f.size(), p + kPrefix);
    }
    if (hits.empty()) return std::string(text);
    std::sort(hits.begin(), hits.end());
    std::string out;
    out.reserve(text.size());
    std::size_t copied = 0;
    for (std::size_t h = 0; h < hits.size();) {
        std::size_t start = hits[h].first, end = hits[h].second;
        for (++h; h < hits.size() && hits[h].first < end; ++h) end = std::max(end, hits[h].second);
        out.append(text.substr(copied, start - copied));
        out += "***";
        copied = end;
    }
    out.append(text.substr(copied));
    return out;
}

void Redactor::clearForTesting() {
    Registry& r = registry();
    std::unique_lock lock(r.mutex);
    r.secrets.clear();
    r.expiries.clear();
    r.forms.clear();
    r.byPrefix.clear();
    r.bySuffix.clear();
}

void Redactor::setClockForTesting(std::function<Clock::time_point()> now) {
    Registry& r = registry();
    std::unique_lock lock(r.mutex);
    r.clock = std::move(now);
}

Redactor::Clock::time_point Redactor::now() const {
    Registry& r = registry();
    std::shared_lock lock(r.mutex);
    return r.now();
}

std::size_t Redactor::size() const {
    Registry& r = registry();
    std::unique_lock lock(r.mutex);
    r.sweepLocked(r.now());
    return r.secrets.size();
}

std::string redact(std::string_view text) { return Redactor::global().redact(text); }

}  // namespace ledgerbridge
