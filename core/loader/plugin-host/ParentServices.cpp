// Host services answered by the parent: see ParentServices.h.
#include "ParentServices.h"

#include <unistd.h>

namespace ledgerbridge::loader::pluginhost {
using protocol::Message;
using protocol::ServiceKind;

namespace {
wire::Encoder request(ServiceKind kind) {
    wire::Encoder e = protocol::message(Message::Service);
    e.u8(static_cast<std::uint8_t>(kind));
    return e;
}
}  // namespace

std::string ParentServices::ask(wire::Encoder& req) {
    std::string reply;
    if (!channel_.send(req.bytes()) ||
        channel_.receive(reply, std::nullopt, protocol::kMaxFrameBytes) != wire::Channel::Status::Frame)
        ::_exit(0);
    if (reply.empty() || static_cast<Message>(reply[0]) != Message::ServiceReply) ::_exit(2);
    return reply;
}

template <typename Put, typename Get>
auto ParentServices::call(ServiceKind kind, Put&& put, Get&& get) {
    wire::Encoder e = request(kind);
    put(e);
    const std::string reply = ask(e);
    wire::Decoder d(reply);
    d.u8();
    return get(d);
}

void ParentServices::log(const std::string&, LogLevel level, const std::string& message) {
    wire::Encoder e = request(ServiceKind::Log);
    e.i32(static_cast<std::int32_t>(level));
    e.str(message);
    ask(e);
}

std::optional<HttpResponse> ParentServices::http(const std::string&, const HttpRequest& req, std::string& error) {
    return call(
        ServiceKind::Http, [&](wire::Encoder& e) { protocol::put(e, req); },
        [&](wire::Decoder& d) {
            std::optional<HttpResponse> response;
            if (d.boolean()) response = protocol::getHttpResponse(d);
            error = d.str();
            return response;
        });
}

namespace {
auto nothing = [](wire::Encoder&) {};
auto optionalString = [](wire::Decoder& d) { return d.optStr(); };
auto flag = [](wire::Decoder& d) { return d.boolean(); };
}  // namespace

std::optional<std::string> ParentServices::kvGet(const std::string&, const std::string& key) {
    return call(ServiceKind::KvGet, [&](wire::Encoder& e) { e.str(key); }, optionalString);
}

bool ParentServices::kvPut(const std::string&, const std::string& key, const std::string& value) {
    return call(
        ServiceKind::KvPut,
        [&](wire::Encoder& e) {
            e.str(key);
            e.str(value);
        },
        flag);
}

bool ParentServices::kvErase(const std::string&, const std::string& key) {
    return call(ServiceKind::KvErase, [&](wire::Encoder& e) { e.str(key); }, flag);
}

std::optional<std::string> ParentServices::secret(const std::string&, const std::string& name) {
    return call(ServiceKind::Secret, [&](wire::Encoder& e) { e.str(name); }, optionalString);
}

std::optional<std::string> ParentServices::accessToken(const std::string&) {
    return call(ServiceKind::AccessToken, nothing, optionalString);
}

std::int64_t ParentServices::nowMs() {
    return call(ServiceKind::NowMs, nothing, [](wire::Decoder& d) { return d.i64(); });
}

bool ParentServices::cancelled() {
    const auto now = std::chrono::steady_clock::now();
    if (cancelled_ || now - askedAt_ < std::chrono::milliseconds(50)) return cancelled_;
    cancelled_ = call(ServiceKind::Cancelled, nothing, flag);
    askedAt_ = now;
    return cancelled_;
}

}  // namespace ledgerbridge::loader::pluginhost
