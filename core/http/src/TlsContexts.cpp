// Shared TLS client contexts: see TlsContexts.h.
#include "ledgerbridge/http/TlsContexts.h"

#include <Poco/Exception.h>
#include <Poco/Net/SSLManager.h>
#include <sys/stat.h>

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
    // Keyed by the file's identity as well as its path: a CA file rewritten in place (a rotated
    // CA) gets a context of its own instead of the stale one.
    std::string key = caFile;
    struct stat st {};
    if (!caFile.empty() && ::stat(caFile.c_str(), &st) == 0)
        key += "#" + std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) + ":" +
               std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
    std::lock_guard<std::mutex> lock(contextsMutex());
    auto found = contexts().find(key);
    if (found != contexts().end()) return found->second;
    try {
        Poco::Net::Context::Params params;
        params.verificationMode = Poco::Net::Context::VERIFY_RELAXED;  // client: verify the peer's chain
        params.loadDefaultCAs = true;
        params.caLocation = caFile;
        params.cipherList = "HIGH:!aNULL:!eNULL:!MD5:!RC4";
        Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
        context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
        contexts().emplace(key, context);
        ++built;
        return context;
    } catch (const Poco::Exception& e) {
        throw ConfigError("The TLS settings of " + who + " cannot be used (" + e.displayText() +
                          "); check that ca_file " + caFile + " is a PEM certificate.");
    }
}

std::size_t tlsContextsBuilt() { return built.load(); }

}  // namespace ledgerbridge::http
