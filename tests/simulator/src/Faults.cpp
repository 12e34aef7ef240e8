// Deterministic fault draws and the per-credential token bucket.
#include "Faults.h"

#include <Poco/JSON/Array.h>

#include <cmath>

#include "Http.h"

namespace lbsim {

Faults::Faults(double rate, std::vector<std::string> kinds, std::uint64_t seed, int rateLimitPerMinute, int slowMs)
    : rate_(rate), kinds_(std::move(kinds)), seed_(seed), rng_(seed), rateLimit_(rateLimitPerMinute), slowMs_(slowMs) {}

Fault Faults::draw() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (rate_ <= 0 || kinds_.empty()) return Fault::None;
    if (rng_.unit() >= rate_) return Fault::None;
    const std::string& k = kinds_[rng_.below(kinds_.size())];
    if (k == "5xx") {
        static const Fault five[] = {Fault::Status500, Fault::Status502, Fault::Status503};
        return five[rng_.below(3)];
    }
    if (k == "500") return Fault::Status500;
    if (k == "502") return Fault::Status502;
    if (k == "503") return Fault::Status503;
    if (k == "429") return Fault::TooMany;
    if (k == "slow") return Fault::Slow;
    if (k == "drop") return Fault::Drop;
    if (k == "truncate") return Fault::Truncate;
    return Fault::None;
}

int Faults::takeToken(const std::string& credential) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (rateLimit_ <= 0) return 0;
    auto now = std::chrono::steady_clock::now();
    auto it = buckets_.find(credential);
    if (it == buckets_.end()) it = buckets_.emplace(credential, Bucket{static_cast<double>(rateLimit_), now}).first;
    Bucket& b = it->second;
    double perSecond = rateLimit_ / 60.0;
    double elapsed = std::chrono::duration<double>(now - b.last).count();
    b.tokens = std::min(static_cast<double>(rateLimit_), b.tokens + elapsed * perSecond);
    b.last = now;
    if (b.tokens >= 1.0) {
        b.tokens -= 1.0;
        return 0;
    }
    return static_cast<int>(std::ceil((1.0 - b.tokens) / perSecond));
}

int Faults::slowMs() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return slowMs_;
}

void Faults::configure(const Poco::JSON::Object::Ptr& body) {
    std::lock_guard<std::mutex> lock(mutex_);
    try {
        if (body->has("rate")) {
            double r = body->getValue<double>("rate");
            if (!(r >= 0 && r <= 1)) throw ApiError(400, "INVALID_REQUEST_BODY", "'rate' must be between 0 and 1.");
            rate_ = r;
        }
        if (body->has("faults")) {
            kinds_.clear();
            auto arr = body->getArray("faults");
            if (!arr) throw ApiError(400, "INVALID_REQUEST_BODY", "'faults' must be an array of strings.");
            for (std::size_t i = 0; i < arr->size(); ++i) {
                std::string k = arr->getElement<std::string>(static_cast<unsigned>(i));
                if (k != "5xx" && k != "500" && k != "502" && k != "503" && k != "429" && k != "slow" && k != "drop" &&
                    k != "truncate")
                    throw ApiError(400, "INVALID_REQUEST_BODY", "Unknown fault '" + k + "'.");
                kinds_.push_back(k);
            }
        }
        if (body->has("seed")) {
            seed_ = static_cast<std::uint64_t>(body->getValue<Poco::Int64>("seed"));
            rng_ = Rng(seed_);
        }
        if (body->has("rateLimit")) {
            rateLimit_ = body->getValue<int>("rateLimit");
            buckets_.clear();
        }
        if (body->has("slowMs")) slowMs_ = body->getValue<int>("slowMs");
    } catch (const Poco::Exception& e) {
        throw ApiError(400, "INVALID_REQUEST_BODY", "Bad fault settings: " + e.displayText());
    }
}

Poco::JSON::Object::Ptr Faults::toJson() const {
    std::lock_guard<std::mutex> lock(mutex_);
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    o->set("rate", rate_);
    Poco::JSON::Array::Ptr k = new Poco::JSON::Array;
    for (const auto& s : kinds_) k->add(s);
    o->set("faults", k);
    o->set("seed", static_cast<Poco::Int64>(seed_));
    o->set("rateLimit", rateLimit_);
    o->set("slowMs", slowMs_);
    return o;
}

}  // namespace lbsim
