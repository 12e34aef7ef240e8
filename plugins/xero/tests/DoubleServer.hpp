// The HTTP server of a test double (Xero, Fortnox, Business Central): Poco's HTTPServer on
// 127.0.0.1:0 that is fully stopped when it is destroyed. Poco's own way leaves work behind:
// the server's dispatcher is reference-counted, and a thread of Poco's process-wide default
// pool can still hold it after ~HTTPServer (a connection that missed the stop event, or a
// worker that missed the dispatcher's wake-up and sleeps its idle time out). At exit that
// thread's only reference sat in an ASan fake stack frame, so LeakSanitizer reported the
// dispatcher and its HTTPServerParams as never freed (XeroDoubleTest, once in a whole run).
// Here the server runs on its own pool, which the destructor joins before it returns.
#pragma once

#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/ThreadPool.h>

#include <memory>

namespace ledgerbridge::xerotest {

class DoubleServer {
public:
    /// Listens on 127.0.0.1 (a free port) and starts serving with up to `maxThreads` workers.
    DoubleServer(Poco::Net::HTTPRequestHandlerFactory::Ptr factory, int maxThreads, bool keepAlive);
    /// Stops accepting, aborts the connections in progress and joins every worker: when it
    /// returns, no thread of this server touches the double's state any more.
    ~DoubleServer();
    DoubleServer(const DoubleServer&) = delete;
    DoubleServer& operator=(const DoubleServer&) = delete;

    int port() const { return port_; }

private:
    std::unique_ptr<Poco::ThreadPool> threads_;
    std::unique_ptr<Poco::Net::HTTPServer> server_;
    int port_ = 0;
};

}  // namespace ledgerbridge::xerotest
