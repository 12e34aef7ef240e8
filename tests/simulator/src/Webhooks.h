// Webhook subscriptions and signed delivery (Standard Webhooks): each subscription has a
// `whsec_<base64 key>` secret; a delivery carries webhook-id, webhook-timestamp and
// webhook-signature `v1,<base64 HMAC-SHA256(key, id.timestamp.body)>`. Deliveries run on one
// background thread so a slow receiver never blocks the API.
#pragma once

#include <Poco/JSON/Object.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace lbsim {

struct Subscription {
    std::string id, url, secret;
    std::vector<std::string> events;
};

class Webhooks {
public:
    Webhooks();
    ~Webhooks();
    Webhooks(const Webhooks&) = delete;
    Webhooks& operator=(const Webhooks&) = delete;

    /// Registers `url` for `events` (empty = all). Returns the subscription with its secret.
    Subscription subscribe(const std::string& url, const std::vector<std::string>& events);
    /// Queues `eventType` with `data` to every matching subscription.
    void publish(const std::string& eventType, const Poco::JSON::Object::Ptr& data, const std::string& nowIso);
    Poco::JSON::Object::Ptr toJson() const;
    void clear();
    /// The signature header value for a message (exposed for tests and docs).
    static std::string signature(const std::string& secret, const std::string& id, const std::string& timestamp,
                                 const std::string& body);

private:
    struct Delivery {
        Subscription sub;
        std::string id, body;
    };
    void run();
    void deliver(const Delivery& d);

    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<Subscription> subs_;
    std::deque<Delivery> queue_;
    std::vector<std::string> log_;  // "id url status"
    bool stop_ = false;
    std::thread worker_;
};

}  // namespace lbsim
