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

void ParentServices::log(const std::string&, LogLevel level, const std::string& message) {
    wire::Encoder e = request(ServiceKind::Log);
    e.i32(static_cast<std::int32_t>(level));
    e.str(message);
    ask(e);
}

std::optional<HttpResponse> ParentServices::http(const std::string&, const HttpRequest& req, std::string& error) {
    wire::Encoder e = request(ServiceKind::Http);
    protocol::put(e, req);
    const std::string reply = ask(e);
    wire::Decoder d(reply);
    d.u8();
    std::optional<HttpResponse> response;
    if (d.boolean()) response = protocol::getHttpResponse(d);
    error = d.str();
    return response;
}

std::optional<std::string> ParentServices::kvGet(const std::string&, const std::string& key) {
    wire::Encoder e = request(ServiceKind::KvGet);
    e.str(key);
    const std::string reply = ask(e);
    wire::Decoder d(reply);
    d.u8();
    return d.optStr();
}

bool ParentServices::kvPut(const std::string&, const std::string& key, const std::string& value) {
    wire::Encoder e = request(ServiceKind::KvPut);
    e.str(key);
    e.str(value);
    const std::string reply = ask(e);
    wire::Decoder d(reply);
    d.u8();
    return d.boolean();
}

bool ParentServices::kvErase(const std::string&, const std::string& key) {
    wire::Encoder e = request(ServiceKind::KvErase);
    e.str(key);
    const std::string reply = ask(e);
    wire::Decoder d(reply);
    d.u8();
    return d.boolean();
}

std::optional<std::string> ParentServices::secret(const std::string&, const std::string& name) {
    wire::Encoder e = request(ServiceKind::Secret);
    e.str(name);
    const std::string reply = ask(e);
    wire::Decoder d(reply);
    d.u8();
    return d.optStr();
}

std::optional<std::string> ParentServices::accessToken(const std::string&) {
    wire::Encoder e = request(ServiceKind::AccessToken);
    const std::string reply = ask(e);
    wire::Decoder d(reply);
    d.u8();
    return d.optStr();
}

std::int64_t ParentServices::nowMs() {
    wire::Encoder e = request(ServiceKind::NowMs);
    const std::string reply = ask(e);
    wire::Decoder d(reply);
    d.u8();
    return d.i64();
}

bool ParentServices::cancelled() {
    const auto now = std::chrono::steady_clock::now();
    if (cancelled_ || now - askedAt_ < std::chrono::milliseconds(50)) return cancelled_;
    wire::Encoder e = request(ServiceKind::Cancelled);
    const std::string reply = ask(e);
    wire::Decoder d(reply);
    d.u8();
    cancelled_ = d.boolean();
    askedAt_ = now;
    return cancelled_;
}

}  // namespace ledgerbridge::loader::pluginhost
