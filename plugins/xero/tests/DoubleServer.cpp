#include "DoubleServer.hpp"

#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>

namespace ledgerbridge::xerotest {

DoubleServer::DoubleServer(Poco::Net::HTTPRequestHandlerFactory::Ptr factory, int maxThreads, bool keepAlive)
    : threads_(std::make_unique<Poco::ThreadPool>(1, maxThreads)) {
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
    port_ = socket.address().port();
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(maxThreads);
    params->setKeepAlive(keepAlive);
    // A worker that misses the dispatcher's stop wake-up sleeps this long before it sees the
    // stop (Poco's default is 10 s, which the join in the destructor would then wait out).
    params->setThreadIdleTime(Poco::Timespan(0, 200 * 1000));
    server_ = std::make_unique<Poco::Net::HTTPServer>(factory, *threads_, socket, params);
    server_->start();
}

DoubleServer::~DoubleServer() {
    server_->stopAll(true);  // no new connections; the open ones are shut down
    threads_->joinAll();     // every worker has left the dispatcher: it is freed with the server
    server_.reset();
    threads_.reset();
}

}  // namespace ledgerbridge::xerotest
