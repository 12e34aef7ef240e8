// Signed webhook delivery over HTTP(S) with up to three attempts.
#include "Webhooks.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/URI.h>

#include <ctime>
#include <memory>
#include <sstream>

#include "Ids.h"

namespace lbsim {

Webhooks::Webhooks() : worker_([this] { run(); }) {}

Webhooks::~Webhooks() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_ = true;
    }
    cv_.notify_all();
    worker_.join();
}

Subscription Webhooks::subscribe(const std::string& url, const std::vector<std::string>& events) {
    Subscription s{"sub_" + randomToken(9), url, "whsec_" + base64(randomToken(24).substr(0, 24)), events, "", "ACTIVE", "", ""};
    std::lock_guard<std::mutex> lock(mutex_);
    subs_.push_back(s);
    return s;
}

Subscription Webhooks::subscribeCompany(const std::string& companyId, const std::string& url,
                                       const std::vector<std::string>& events, const std::string& status,
                                       const std::string& nowIso) {
    std::uint64_t h = hashString(companyId + url + randomToken(8));
    Subscription s{uuidFrom(h, mix64(h)), url, "whsec_" + base64(randomToken(24).substr(0, 24)), events, companyId,
                   status.empty() ? "ACTIVE" : status, nowIso, nowIso};
    std::lock_guard<std::mutex> lock(mutex_);
    subs_.push_back(s);
    return s;
}

std::vector<Subscription> Webhooks::ofCompany(const std::string& companyId) const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<Subscription> out;
    for (const auto& s : subs_)
        if (s.companyId == companyId) out.push_back(s);
    return out;
}

bool Webhooks::update(const std::string& companyId, const std::string& id, const std::string& url,
                      const std::vector<std::string>& events, const std::string& status, const std::string& nowIso) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& s : subs_)
        if (s.id == id && s.companyId == companyId) {
            s.url = url;
            s.events = events;
            if (!status.empty()) s.status = status;
            s.updatedAt = nowIso;
            return true;
        }
    return false;
}

bool Webhooks::remove(const std::string& companyId, const std::string& id) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto it = subs_.begin(); it != subs_.end(); ++it)
        if (it->id == id && it->companyId == companyId) {
            subs_.erase(it);
            return true;
        }
    return false;
}

std::string Webhooks::signature(const std::string& secret, const std::string& id, const std::string& timestamp,
                                const std::string& body) {
    std::string key = base64Decode(secret.substr(secret.rfind('_') + 1));
    return "v1," + base64(hmacSha256(key, id + "." + timestamp + "." + body));
}

void Webhooks::publish(const std::string& eventType, const Poco::JSON::Object::Ptr& data, const std::string& nowIso) {
    std::lock_guard<std::mutex> lock(mutex_);
    const std::string company = data && data->has("companyId") ? data->get("companyId").toString() : "";
    for (const auto& s : subs_) {
        if (s.status != "ACTIVE" || (!s.companyId.empty() && s.companyId != company)) continue;
        bool wanted = s.events.empty();
        for (const auto& e : s.events) wanted = wanted || e == eventType;
        if (!wanted) continue;
        Delivery d;
        d.sub = s;
        d.id = "msg_" + randomToken(12);
        if (data && data->has("jobId")) d.jobId = data->get("jobId").toString();
        Poco::JSON::Object::Ptr msg = new Poco::JSON::Object;
        msg->set("id", d.id);
        msg->set("type", eventType);
        msg->set("timestamp", nowIso);
        msg->set("data", data);
        std::ostringstream os;
        Poco::JSON::Stringifier::stringify(msg, os);
        d.body = os.str();
        queue_.push_back(std::move(d));
    }
    cv_.notify_all();
}

void Webhooks::run() {
    for (;;) {
        Delivery d;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
            if (stop_) return;
            d = std::move(queue_.front());
            queue_.pop_front();
        }
        deliver(d);
    }
}

void Webhooks::deliver(const Delivery& d) {
    int status = 0;
    for (int attempt = 0; attempt < 3 && (status < 200 || status >= 300); ++attempt) {
        if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(500 * attempt));
        try {
            Poco::URI uri(d.sub.url);
            std::unique_ptr<Poco::Net::HTTPClientSession> session;
            if (uri.getScheme() == "https") {
                // Receivers are verified against the system CA store, like Pleo's delivery would be.
                Poco::Net::Context::Ptr ctx = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "",
                                                                     Poco::Net::Context::VERIFY_RELAXED, 9, true);
                session = std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(), ctx);
            }
            else session = std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
            session->setTimeout(Poco::Timespan(5, 0));
            Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_POST, uri.getPathAndQuery(), Poco::Net::HTTPMessage::HTTP_1_1);
            std::string ts = std::to_string(static_cast<long long>(std::time(nullptr)));
            req.setContentType("application/json");
            req.set("webhook-id", d.id);
            req.set("webhook-timestamp", ts);
            req.set("webhook-signature", signature(d.sub.secret, d.id, ts, d.body));
            req.setContentLength(static_cast<std::streamsize>(d.body.size()));
            if (attempt == 0 && firstAttempt_ && !d.jobId.empty()) firstAttempt_(d.jobId);
            session->sendRequest(req) << d.body;
            Poco::Net::HTTPResponse resp;
            session->receiveResponse(resp).ignore(1 << 20);
            status = resp.getStatus();
        } catch (const std::exception&) {
            status = -1;  // unreachable receiver: retried, then logged
        }
    }
    std::lock_guard<std::mutex> lock(mutex_);
    log_.push_back(d.id + " " + d.sub.url + " " + std::to_string(status));
}

Poco::JSON::Object::Ptr Webhooks::toJson() const {
    std::lock_guard<std::mutex> lock(mutex_);
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    Poco::JSON::Array::Ptr subs = new Poco::JSON::Array;
    for (const auto& s : subs_) {
        Poco::JSON::Object::Ptr so = new Poco::JSON::Object;
        so->set("id", s.id);
        so->set("url", s.url);
        subs->add(so);
    }
    Poco::JSON::Array::Ptr log = new Poco::JSON::Array;
    for (const auto& l : log_) log->add(l);
    o->set("subscriptions", subs);
    o->set("deliveries", log);
    return o;
}

void Webhooks::clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    subs_.clear();
    queue_.clear();
    log_.clear();
}

}  // namespace lbsim
