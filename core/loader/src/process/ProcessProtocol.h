// The protocol between the host (parent) and `ledgerbridge-plugin-host` (child), version 2.
// One socketpair; every message is a frame: a 4-byte little-endian length, then that many bytes
// whose first byte is the message type (Wire.h encodes the rest). Described for people in
// core/loader/README.md ("Plugins in their own process").
//
//   child  -> parent  Hello      magic "LBPH", protocol version, ABI major.minor of the child
//   parent -> child   Open       protocol version, plugin directories, plugin path, session?
//   child  -> parent  Opened     manifest, ABI of the plugin, master-data slot   | Failed (refusal)
//   then, one call at a time (parent -> child):
//                     Call       operation + its arguments (a whole batch, a lookup, a page)
//   child  -> parent  Service    a host service the plugin called (log, http, kv, secret, ...)
//   parent -> child   ServiceReply  its answer                 (any number of these pairs)
//   child  -> parent  Result     the call's answer             | Failed (PluginError text)
//   Close (parent -> child) ends the session: the child destroys the instance, answers Result
//   and exits 0.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "Wire.h"
#include "ledgerbridge/loader/PluginLoader.h"

namespace ledgerbridge::loader::protocol {

// 2: a Push call starts with the batch's deadline (steady clock, ms; 0 = none), see kPushTooLate.
inline constexpr std::uint32_t kVersion = 2;
/// The status of a Push the child refused because its deadline had passed before the batch
/// reached it: the plugin was not called (the run that sent it may have lost its lease).
inline constexpr std::int32_t kPushTooLate = -7001;
inline constexpr char kMagic[] = "LBPH";
/// Larger frames are a protocol violation (a push batch of 100 entries is well under 1 MiB; a
/// master-data page or an HTTP body the plugin asked for stays under this).
inline constexpr std::uint32_t kMaxFrameBytes = 256u * 1024u * 1024u;

enum class Message : std::uint8_t {
    Hello = 1,
    Open = 2,
    Opened = 3,
    Call = 4,
    Service = 5,
    ServiceReply = 6,
    Result = 7,
    Failed = 8,
    Close = 9,
};

enum class Operation : std::uint8_t {
    Configure = 1,
    Check = 2,
    Plan = 3,
    Push = 4,
    Lookup = 5,
    ReadMasterData = 6,
};

enum class ServiceKind : std::uint8_t {
    Log = 1,
    Http = 2,
    KvGet = 3,
    KvPut = 4,
    KvErase = 5,
    Secret = 6,
    AccessToken = 7,
    NowMs = 8,
    Cancelled = 9,
};

/// "configure", "push", ... as the health store and messages name the call.
const char* operationName(Operation op);

/// What the child learned when it loaded the plugin.
struct Description {
    sdk::Manifest manifest;
    std::uint32_t abiMajor = 0, abiMinor = 0;
    bool masterDataSlot = false;
};

using Settings = std::vector<std::pair<std::string, std::string>>;

void put(wire::Encoder& e, const sdk::Entry& v);
void put(wire::Encoder& e, const std::vector<sdk::Entry>& v);
void put(wire::Encoder& e, const sdk::Outcome& v);
void put(wire::Encoder& e, const std::vector<sdk::Outcome>& v);
void put(wire::Encoder& e, const sdk::PlanResult& v);
void put(wire::Encoder& e, const sdk::MasterDataRequest& v);
void put(wire::Encoder& e, const sdk::MasterDataPage& v);
void put(wire::Encoder& e, const Description& v);
void put(wire::Encoder& e, const Settings& v);
void put(wire::Encoder& e, const sdk::HttpRequest& v);
void put(wire::Encoder& e, const sdk::HttpResponse& v);

sdk::Entry getEntry(wire::Decoder& d);
std::vector<sdk::Entry> getEntries(wire::Decoder& d);
sdk::Outcome getOutcome(wire::Decoder& d);
std::vector<sdk::Outcome> getOutcomes(wire::Decoder& d);
sdk::PlanResult getPlan(wire::Decoder& d);
sdk::MasterDataRequest getMasterDataRequest(wire::Decoder& d);
sdk::MasterDataPage getMasterDataPage(wire::Decoder& d);
Description getDescription(wire::Decoder& d);
Settings getSettings(wire::Decoder& d);
sdk::HttpRequest getHttpRequest(wire::Decoder& d);
sdk::HttpResponse getHttpResponse(wire::Decoder& d);

/// A message: its type byte first.
inline wire::Encoder message(Message type) {
    wire::Encoder e;
    e.u8(static_cast<std::uint8_t>(type));
    return e;
}

}  // namespace ledgerbridge::loader::protocol
