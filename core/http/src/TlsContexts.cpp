// Shared TLS client contexts: see TlsContexts.h.
#include "ledgerbridge/http/TlsContexts.h"

#include <Poco/Exception.h>
#include <Poco/Net/SSLManager.h>

#include <atomic>
#include <map>
#include <mutex>

#include "ledgerbridge/common/Exception.h"

namespace ledgerbridge::http {
namespace {

std::mutex& contextsMutex() {
    static std::mutex m;
    return m;
}

std::map<std::string, Poco::Net::Context::Ptr>& contexts() {
    static std::map<std::string, Poco::Net::Context::Ptr> m;
    return m;
}

std::atomic<std::size_t> built{0};

}  // namespace

Poco::Net::Context::Ptr sharedClientContext(const std::string& caFile, const std::string& who) {
    static std::once_flag sslInit;
    std::call_once(sslInit, [] { Poco::Net::initializeSSL(); });
    // Built under the lock: two first requests at once must not both parse the CA bundle.
    std::lock_guard<std::mutex> lock(contextsMutex());
    auto found = contexts().find(caFile);
    if (found != contexts().end()) return found->second;
    try {
        Poco::Net::Context::Params params;
        params.verificationMode = Poco::Net::Context::VERIFY_RELAXED;  // client: verify the peer's chain
        params.loadDefaultCAs = true;
        params.caLocation = caFile;
        params.cipherList = "HIGH:!aNULL:!eNULL:!MD5:!RC4";
        Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
        context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
        contexts().emplace(caFile, context);
        ++built;
        return context;
    } catch (const Poco::Exception& e) {
        throw ConfigError("The TLS settings of " + who + " cannot be used (" + e.displayText() +
                          "); check that ca_file " + caFile + " is a PEM certificate.");
    }
}

std::size_t tlsContextsBuilt() { return built.load(); }

}  // namespace ledgerbridge::http
