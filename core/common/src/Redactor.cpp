// Redaction registry: see Redactor.h. Each secret is stored in every form it can take in
// text we print: raw, URL-encoded (query strings, form bodies) and JSON-escaped (bodies). The
// forms are indexed by their first kPrefix bytes; a form shared by two secrets is counted.
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

struct Registry {
    mutable std::shared_mutex mutex;
    std::function<Redactor::Clock::time_point()> clock;
    std::unordered_map<std::string, Redactor::Clock::time_point> secrets;  ///< raw -> forget after
    /// One node per secret that expires, at or before its time: a secret registered again for
    /// longer is moved when its old node comes due, so re-registering costs no node.
    std::multimap<Redactor::Clock::time_point, std::string> expiries;
    std::unordered_map<std::string, int> formRefs;
    std::unordered_map<std::uint64_t, std::vector<std::string>> byPrefix;  ///< longest first
    std::bitset<65536> bloom;                                              ///< rebuilt on removal

    Redactor::Clock::time_point now() const { return clock ? clock() : Redactor::Clock::now(); }

    void addForms(const std::string& raw) {
        for (const auto& f : formsOf(raw)) {
            if (formRefs[f]++ > 0) continue;
            const std::uint64_t key = prefixKey(f.data());
            auto& list = byPrefix[key];
            list.insert(std::find_if(list.begin(), list.end(), [&](const std::string& o) { return o.size() < f.size(); }), f);
            bloom.set(bloomSlot(key));
        }
    }

    void removeForms(const std::string& raw) {
        for (const auto& f : formsOf(raw)) {
            auto it = formRefs.find(f);
            if (it == formRefs.end() || --it->second > 0) continue;
            formRefs.erase(it);
            const std::uint64_t key = prefixKey(f.data());
            auto list = byPrefix.find(key);
            if (list == byPrefix.end()) continue;
            list->second.erase(std::remove(list->second.begin(), list->second.end(), f), list->second.end());
            if (list->second.empty()) {
                byPrefix.erase(list);
                // Another prefix may share the slot: clear it only if none does.
                const std::size_t slot = bloomSlot(key);
                bool shared = false;
                for (const auto& [k, v] : byPrefix)
                    if (bloomSlot(k) == slot) { shared = true; break; }
                if (!shared) bloom.reset(slot);
            }
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
    if (r.byPrefix.empty() || text.size() < kPrefix) return std::string(text);
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    const std::size_t n = text.size();
    while (i < n) {
        if (i + kPrefix <= n) {
            const std::uint64_t key = prefixKey(text.data() + i);
            if (r.bloom.test(bloomSlot(key))) {
                auto list = r.byPrefix.find(key);
                if (list != r.byPrefix.end()) {
                    const std::string* hit = nullptr;
                    for (const auto& f : list->second)
                        if (f.size() <= n - i && text.compare(i, f.size(), f) == 0) { hit = &f; break; }
                    if (hit) {
                        out += "***";
                        i += hit->size();
                        continue;
                    }
                }
            }
        }
        out += text[i++];
    }
    return out;
}

void Redactor::clearForTesting() {
    Registry& r = registry();
    std::unique_lock lock(r.mutex);
    r.secrets.clear();
    r.expiries.clear();
    r.formRefs.clear();
    r.byPrefix.clear();
    r.bloom.reset();
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
