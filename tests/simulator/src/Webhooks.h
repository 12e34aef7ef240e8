// Webhook subscriptions and signed delivery (Standard Webhooks): each subscription has a
// `whsec_<base64 key>` secret; a delivery carries webhook-id, webhook-timestamp and
// webhook-signature `v1,<base64 HMAC-SHA256(key, id.timestamp.body)>`. Deliveries run on one
// background thread so a slow receiver never blocks the API.
#pragma once

#include <Poco/JSON/Object.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace lbsim {

struct Subscription {
    std::string id, url, secret;
    std::vector<std::string> events;
    std::string companyId;         // "" = every company (admin subscriptions); else only its events
    std::string status = "ACTIVE";  // subscriptions.yml: ACTIVE | INACTIVE (inactive ones get nothing)
    std::string createdAt, updatedAt;
};

class Webhooks {
public:
    Webhooks();
    ~Webhooks();
    Webhooks(const Webhooks&) = delete;
    Webhooks& operator=(const Webhooks&) = delete;

    /// Registers `url` for `events` (empty = all). Returns the subscription with its secret.
    Subscription subscribe(const std::string& url, const std::vector<std::string>& events);
    /// A company's subscription made through the public API (UUID id).
    Subscription subscribeCompany(const std::string& companyId, const std::string& url,
                                  const std::vector<std::string>& events, const std::string& status,
                                  const std::string& nowIso);
    /// Copies of a company's subscriptions in creation order.
    std::vector<Subscription> ofCompany(const std::string& companyId) const;
    /// Replaces url, events and status; false when `id` is not the company's.
    bool update(const std::string& companyId, const std::string& id, const std::string& url,
                const std::vector<std::string>& events, const std::string& status, const std::string& nowIso);
    bool remove(const std::string& companyId, const std::string& id);
    /// Queues `eventType` with `data` to every matching active subscription (data.companyId
    /// selects company subscriptions).
    void publish(const std::string& eventType, const Poco::JSON::Object::Ptr& data, const std::string& nowIso);
    Poco::JSON::Object::Ptr toJson() const;
    void clear();
    /// Called with data.jobId right before a job event's first delivery attempt (the moment
    /// the webhook-to-export-start time is measured from). Set before any publish.
    void onFirstAttempt(std::function<void(const std::string& jobId)> observer) { firstAttempt_ = std::move(observer); }
    /// The signature header value for a message (exposed for tests and docs).
    static std::string signature(const std::string& secret, const std::string& id, const std::string& timestamp,
                                 const std::string& body);

private:
    struct Delivery {
        Subscription sub;
        std::string id, body, jobId;
    };
    void run();
    void deliver(const Delivery& d);

    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<Subscription> subs_;
    std::deque<Delivery> queue_;
    std::vector<std::string> log_;  // "id url status"
    std::function<void(const std::string&)> firstAttempt_;
    bool stop_ = false;
    std::thread worker_;
};

}  // namespace lbsim
